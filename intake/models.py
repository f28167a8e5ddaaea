"""Patients and their screening intakes: answers, judgement, consent record and the therapist's review."""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from . import rules

MAX_AGE_YEARS = 120


def validate_date_of_birth(value: date) -> None:
    """Not in the future and not more than 120 years ago: the forms that take a date of birth check it, and so does
    every save of a patient through the services."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError("A date of birth cannot be in the future. Please check the year.", code="future")
    if rules.age_on(value, today) > MAX_AGE_YEARS:
        raise ValidationError("That date is more than 120 years ago. Please check the year.", code="too_old")


class PatientQuerySet(models.QuerySet):
    def matching(self, *, email: str, date_of_birth):
        """The patient (at most one: a unique constraint) with this e-mail in any case and this date of birth."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=email.strip().lower(), date_of_birth=date_of_birth
        )


class Patient(models.Model):
    """A person who answered the questionnaire or was added by the front desk. No password, no account.

    One record per person: matched by e-mail (case-insensitive) and date of birth, otherwise created, and the pair
    is unique in the database (docs/design.md, "Records"). An erased patient keeps only the row (their appointments
    stay countable for statistics): no name, contact details or date of birth."""

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(db_index=True)
    phone = PhoneNumberField()
    # Null only once erased; every form requires it.
    date_of_birth = models.DateField(null=True, validators=[validate_date_of_birth])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # Erased patients have no date of birth, and NULLs never clash: any number of them may stay.
            models.UniqueConstraint(
                Lower("email"),
                "date_of_birth",
                name="patient_one_per_email_and_birth_date",
                violation_error_message="Another patient already has this e-mail address and date of birth.",
            ),
        ]
        permissions = [
            ("export_patient", "Can download everything held about a patient"),
            ("erase_patient", "Can erase a patient's personal data"),
        ]

    def __str__(self):
        return f"Erased patient #{self.pk}" if self.is_erased else self.full_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def full_name(self) -> str:
        if self.is_erased:
            return f"Erased patient #{self.pk}"
        return f"{self.first_name} {self.last_name}".strip()


def intake_valid_days() -> int:
    """How long a screening stays valid (docs/clinical.md: default six months)."""
    return settings.INTAKE_VALID_DAYS


class IntakeQuerySet(models.QuerySet):
    def valid(self, *, at: datetime | None = None):
        """Intakes still valid at `at` (now by default)."""
        at = at or timezone.now()
        return self.filter(submitted_at__lte=at, valid_until__gt=at)

    def pending_review(self):
        """Needs-review intakes that no therapist has decided yet (including ones waiting for more information)."""
        return self.filter(
            outcome=Intake.Outcome.NEEDS_REVIEW,
            review_status__in=[Intake.ReviewStatus.PENDING, Intake.ReviewStatus.INFO_REQUESTED],
        )

    def current_of(self, patient, *, at: datetime):
        """The patient's latest intake still valid at `at`, or None (outcome and review only: no health answers)."""
        return (
            self.valid(at=at)
            .filter(patient=patient)
            .defer("answers", "results", "review_note", "precautions")
            .order_by("-submitted_at", "-pk")
            .first()
        )

    def for_email(self, email: str):
        return self.filter(patient__email__iexact=email.strip())

    def in_review_order(self):
        """Soonest pending-review appointment first (once booking's appointments exist), then oldest submitted.

        The reverse relation `appointments` belongs to booking, which intake cannot import; its presence is looked
        up in the model's meta so this works before and after booking adds its model."""
        order = []
        if _has_relation(Intake, "appointments"):
            qs = self.annotate(
                soonest_pending_appointment=models.Min(
                    "appointments__start", filter=models.Q(appointments__status="pending_review")
                )
            )
            order.append(models.F("soonest_pending_appointment").asc(nulls_last=True))
        else:
            qs = self
        return qs.order_by(*order, "submitted_at", "pk")


def _has_relation(model, name: str) -> bool:
    return any(rel.get_accessor_name() == name for rel in model._meta.related_objects)


class NeedlingBooking(models.TextChoices):
    """What an intake lets booking do with a needling service."""

    CONFIRM = "confirm", "Book and confirm"
    HOLD = "hold", "Book, held until a therapist approves"
    REFUSE = "refuse", "Not bookable online"


class GuardianRelationship(models.TextChoices):
    """Who gave consent for a patient under 18."""

    PARENT = "parent", "Parent"
    LEGAL_GUARDIAN = "legal_guardian", "Legal guardian"
    OTHER = "other", "Another adult with parental responsibility"


class Intake(models.Model):
    """One completed screening questionnaire: what the patient answered, how the rule set judged it, the consent
    they gave, and (when it needed one) the therapist's review."""

    class Outcome(models.TextChoices):
        CLEARED = "cleared", "Cleared"
        NEEDS_REVIEW = "needs_review", "Needs review"
        NOT_SUITABLE = "not_suitable", "Not suitable online"

    class ReviewStatus(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        INFO_REQUESTED = "info_requested", "More information requested"

    # An opaque id for signed links to the patient: never the primary key, never guessable.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set by the questionnaire so that a double submit creates one intake.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intakes")
    location = models.ForeignKey("core.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    service_slug = models.CharField(max_length=80, blank=True, help_text="Service of interest; blank: not sure yet.")
    service_uses_estim = models.BooleanField(
        default=False, help_text="Whether the chosen service uses electrical stimulation when it was judged."
    )

    answers = models.JSONField(default=dict, blank=True)
    rule_set_version = models.CharField(max_length=20)
    results = models.JSONField(default=list, blank=True, help_text="Per-rule results of the judgement.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NOT_NEEDED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_intakes"
    )
    review_note = models.TextField(blank=True, help_text="Why it was declined, or what information is needed.")
    precautions = models.TextField(blank=True, help_text="e.g. avoid deep needling of the calf")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    consent_version = models.CharField(max_length=20)
    consent_name = models.CharField(max_length=160, help_text="Full name typed by the person consenting.")
    consented_at = models.DateTimeField()
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    guardian_name = models.CharField(max_length=160, blank=True, help_text="For patients under 18.")
    guardian_relationship = models.CharField(
        max_length=20, choices=GuardianRelationship.choices, blank=True, help_text="For patients under 18."
    )

    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    valid_until = models.DateTimeField()
    confirmed_unchanged_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time the patient confirmed, via an e-mailed link, nothing changed."
    )

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        permissions = [
            ("view_health_answers", "Can see patients' health answers"),
            ("review_intake", "Can decide screening reviews"),
        ]
        constraints = [
            # Only needs-review intakes are ever reviewed; the others never wait for a therapist.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        outcome="needs_review", review_status__in=["pending", "approved", "declined", "info_requested"]
                    )
                    | (~models.Q(outcome="needs_review") & models.Q(review_status="not_needed"))
                ),
                name="intake_review_status_matches_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("submitted_at")), name="intake_valid_after_submit"
            ),
            # A guardian's relationship is recorded with their name, never without it.
            models.CheckConstraint(
                condition=models.Q(guardian_relationship="") | ~models.Q(guardian_name=""),
                name="intake_guardian_relationship_with_name",
            ),
        ]

    def __str__(self):
        return f"Intake {self.pk} ({self.get_outcome_display()})"

    def save(self, *args, **kwargs):
        if self.valid_until is None and self.submitted_at is not None:
            self.valid_until = self.submitted_at + timezone.timedelta(days=intake_valid_days())
        super().save(*args, **kwargs)

    def is_valid_at(self, when: datetime) -> bool:
        return self.submitted_at <= when < self.valid_until

    @property
    def is_minor(self) -> bool:
        return bool(self.guardian_name)

    @property
    def needling_booking(self) -> "NeedlingBooking":
        """What booking may do with a needling service for this intake (docs/clinical.md, "Outcomes")."""
        if self.outcome == self.Outcome.CLEARED:
            return NeedlingBooking.CONFIRM
        if self.outcome == self.Outcome.NEEDS_REVIEW:
            if self.review_status == self.ReviewStatus.APPROVED:
                return NeedlingBooking.CONFIRM
            if self.review_status in (self.ReviewStatus.PENDING, self.ReviewStatus.INFO_REQUESTED):
                return NeedlingBooking.HOLD
        return NeedlingBooking.REFUSE

    @property
    def area_to_treat(self) -> str:
        """'Neck, shoulder (right side)': where the patient wants treatment, as they chose it in the screening."""
        labels = dict(rules.AREAS)
        names = [labels[code] for code in self.answers.get("areas", []) if code in labels]
        text = ", ".join(names[:1] + [name.lower() for name in names[1:]])
        side = {"left": "left side", "right": "right side", "both": "both sides"}.get(self.answers.get("area_side"))
        return f"{text} ({side})" if text and side else text

    @property
    def is_decided(self) -> bool:
        return self.review_status in (self.ReviewStatus.APPROVED, self.ReviewStatus.DECLINED)
