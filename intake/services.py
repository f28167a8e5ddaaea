"""Writes of the intake: submitting a questionnaire, returning patients' links, and therapists' review decisions.

Nothing here logs or messages health answers: log lines and audit details carry ids only.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, Location, OutboundMessage

from . import catalogue, rules
from .consent import CONSENT_VERSION
from .models import Intake, Patient, intake_valid_days
from .signals import intake_reviewed

logger = logging.getLogger(__name__)

RETURNING_LINK_SALT = "intake.returning-link"
KIND_RETURNING_LINK = "intake.returning_link"
KIND_REVIEW_DECISION = "intake.review_decision"
KIND_INFO_REQUESTED = "intake.info_requested"
# The desk sends a caller who has not been screened a link to the questionnaire, filled in with their details.
KIND_SCREENING_LINK = "intake.screening_link"
SCREENING_LINK_SALT = "intake.screening-link"


def returning_link_max_age() -> timedelta:
    return timedelta(hours=settings.INTAKE_LINK_MAX_AGE_HOURS)


# --- Patients and submission -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientDetails:
    """Who a booking or a screening is for, as the person (or the desk) typed it."""

    first_name: str
    last_name: str
    email: str
    phone: object  # a PhoneNumber, or a string the model field parses
    date_of_birth: date


def patient_match_or_create(*, details: PatientDetails) -> Patient:
    """The patient with this e-mail (any case) and date of birth, else a new one. Call it inside the transaction of
    the write that needs the patient, so that a write which fails leaves no patient behind.

    An existing record's details are not overwritten from the public form: anyone knowing an e-mail and a birth
    date could otherwise change a patient's phone number. The front desk corrects details.

    Safe under concurrency: the pair is unique in the database, so of two submissions for one new person one
    inserts and the other's insert waits for it, fails inside its savepoint and then finds the first one's row."""
    existing = Patient.objects.matching(email=details.email, date_of_birth=details.date_of_birth).first()
    if existing is not None:
        return existing
    patient = Patient(
        first_name=details.first_name.strip(),
        last_name=details.last_name.strip(),
        email=details.email.strip(),
        phone=details.phone,
        date_of_birth=details.date_of_birth,
    )
    patient.full_clean(validate_constraints=False)  # the unique pair is the database's to enforce, race included
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        existing = Patient.objects.matching(email=details.email, date_of_birth=details.date_of_birth).first()
        if existing is None:
            raise
        return existing
    return patient


@transaction.atomic
def patient_update_contact(
    *, patient: Patient, first_name: str, last_name: str, email: str, phone, date_of_birth: date, actor, request=None
) -> Patient:
    """The desk corrects a patient's name or contact details (moved in from the admin, which is the clinic
    admins' only). Audited with the names of the fields changed, never their values. Raises ValidationError when
    the new e-mail and date of birth are another patient's."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    new = {"first_name": first_name, "last_name": last_name, "email": email, "phone": phone,
           "date_of_birth": date_of_birth}  # fmt: skip
    changed = sorted(name for name, value in new.items() if getattr(patient, name) != value)
    if not changed:
        return patient
    for name in changed:
        setattr(patient, name, new[name])
    patient.full_clean()  # also refuses the e-mail and birth date of another patient (one record per person)
    try:
        with transaction.atomic():
            patient.save(update_fields=changed)
    except IntegrityError:  # another patient took them a moment ago
        raise ValidationError(Patient._meta.constraints[0].violation_error_message) from None
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.PATIENT_CHANGE,
        obj=patient,
        patient_id=patient.pk,  # found with the rest of the patient's trail (export, admin filter)
        request=request,
        detail={"fields": changed},
    )
    return patient


def intake_submit(
    *,
    submission_key: uuid.UUID,
    first_name: str,
    last_name: str,
    email: str,
    phone,
    date_of_birth: date,
    location: Location | None,
    service_slug: str,
    answers: dict,
    consent_name: str,
    guardian_name: str = "",
    guardian_relationship: str = "",
    consent_ip: str | None,
    now: datetime | None = None,
) -> Intake:
    """Judge the answers and record the intake with its consent. Idempotent per `submission_key`, so a double
    submit (two clicks, a retried request) creates one intake."""
    existing = Intake.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    try:
        return _intake_create(
            submission_key=submission_key,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            date_of_birth=date_of_birth,
            location=location,
            service_slug=service_slug,
            answers=answers,
            consent_name=consent_name,
            guardian_name=guardian_name,
            guardian_relationship=guardian_relationship,
            consent_ip=consent_ip,
            now=now or timezone.now(),
        )
    except IntegrityError:
        # The same submission won a race a moment ago; return what it created.
        existing = Intake.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing


def _audit(intake: Intake, action: str, detail: dict, *, actor, request=None) -> None:
    """An event about one intake, filed under its patient. `detail`: ids only, never the answers or the outcome."""
    core_services.audit_record(
        actor=actor, action=action, obj=intake, patient_id=intake.patient_id, request=request, detail=detail
    )


@transaction.atomic
def _intake_create(
    *,
    submission_key,
    first_name,
    last_name,
    email,
    phone,
    date_of_birth,
    location,
    service_slug,
    answers,
    consent_name,
    guardian_name,
    guardian_relationship,
    consent_ip,
    now,
) -> Intake:
    service = catalogue.find_service(service_slug, location) if service_slug else None
    uses_estim = bool(service and service.uses_electrical_stimulation)
    today = timezone.localdate(now, location.zone) if location else timezone.localdate(now)
    answers = {**answers, "age": rules.age_on(date_of_birth, today), "answered_on": today.isoformat()}
    judgement = rules.judge(answers, service_uses_estim=uses_estim)
    patient = patient_match_or_create(
        details=PatientDetails(
            first_name=first_name, last_name=last_name, email=email, phone=phone, date_of_birth=date_of_birth
        )
    )
    intake = Intake(
        submission_key=submission_key,
        patient=patient,
        location=location,
        service_slug=service.slug if service else "",
        service_uses_estim=uses_estim,
        answers=answers,
        rule_set_version=judgement.version,
        results=judgement.results,
        outcome=judgement.outcome,
        review_status=(
            Intake.ReviewStatus.PENDING
            if judgement.outcome == Intake.Outcome.NEEDS_REVIEW
            else Intake.ReviewStatus.NOT_NEEDED
        ),
        consent_version=CONSENT_VERSION,
        consent_name=consent_name.strip(),
        consented_at=now,
        consent_ip=consent_ip,
        guardian_name=guardian_name.strip(),
        guardian_relationship=guardian_relationship if guardian_name.strip() else "",
        submitted_at=now,
        valid_until=now + timedelta(days=intake_valid_days()),
    )
    # Uniqueness of the submission key is left to the database: a concurrent twin shows up as IntegrityError.
    intake.full_clean(validate_unique=False)
    intake.save()
    # The patient has no account: the event has no actor. Ids only; the outcome is health data.
    _audit(
        intake,
        AuditEvent.Action.INTAKE_SUBMIT,
        {"intake_id": intake.pk, "rule_set_version": intake.rule_set_version},
        actor=None,
    )
    logger.info("intake %s submitted", intake.pk)  # the outcome is health data: never in a log line
    return intake


# --- Returning patients ------------------------------------------------------------------------------------------


def _link_use_marker(intake: Intake) -> str:
    # Confirming through a link sets confirmed_unchanged_at, which changes the marker: every link issued before
    # (this one included) then stops working, so a link works once.
    return intake.confirmed_unchanged_at.isoformat() if intake.confirmed_unchanged_at else ""


def returning_link_token(intake: Intake) -> str:
    """A signed token of the intake's opaque reference (never its id, never anything about the patient) and of
    whether it has been used."""
    return signing.dumps([str(intake.reference), _link_use_marker(intake)], salt=RETURNING_LINK_SALT)


def intake_from_returning_token(token: str, *, now: datetime | None = None) -> Intake | None:
    """The still-valid intake a link points to, or None when the link is bad, expired, already used, or the intake
    ran out."""
    try:
        payload = signing.loads(token, salt=RETURNING_LINK_SALT, max_age=returning_link_max_age())
        reference, marker = (payload, "") if isinstance(payload, str) else payload
        reference = uuid.UUID(reference)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    intake = (
        Intake.objects.valid(at=now or timezone.now())
        .select_related("patient", "location")
        .filter(reference=reference)
        .first()
    )
    if intake is None or _link_use_marker(intake) != marker:
        return None
    return intake


# A patient who lost the e-mail may ask again; a sent link is re-sent, but not more often than this.
RESEND_AFTER = timedelta(minutes=10)


@transaction.atomic
def returning_link_request(*, email: str, now: datetime | None = None) -> int:
    """Owe a confirmation link to each patient with this e-mail who has a valid intake (their latest one).

    Returns how many links were queued; the caller must not tell the person (it would reveal who is a patient)."""
    now = now or timezone.now()
    latest: dict[int, Intake] = {}
    for intake in Intake.objects.valid(at=now).for_email(email).order_by("patient_id", "-submitted_at"):
        latest.setdefault(intake.patient_id, intake)
    for intake in latest.values():
        message = core_services.message_queue(subject=intake, kind=KIND_RETURNING_LINK, channel="email")
        if message.status == OutboundMessage.Status.SENT and message.sent_at and message.sent_at < now - RESEND_AFTER:
            # The patient asked again (a lost e-mail): the link goes once more, at most every RESEND_AFTER.
            core_services.message_queue(subject=intake, kind=KIND_RETURNING_LINK, channel="email", again=True)
    return len(latest)


# --- The desk's screening link ---------------------------------------------------------------------------------


def screening_link_token(patient: Patient) -> str:
    """A signed, expiring token of the patient's record id: nothing about their health or contact details. It opens
    the questionnaire with their details filled in (intake.views.screening_link)."""
    return signing.dumps(patient.pk, salt=SCREENING_LINK_SALT)


def patient_from_screening_token(token: str) -> Patient | None:
    """The patient (not erased) a link names, or None when it is bad or older than INTAKE_LINK_MAX_AGE_HOURS."""
    try:
        patient_id = int(signing.loads(token, salt=SCREENING_LINK_SALT, max_age=returning_link_max_age()))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Patient.objects.filter(pk=patient_id, erased_at__isnull=True).first()


# A second click, or two people at the desk, send nothing more for this long; after it the link may go again.
SCREENING_LINK_REPEAT_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ScreeningLinkSent:
    """What sending the screening link did: the channels queued now, and those that had it asked for within
    SCREENING_LINK_REPEAT_AFTER (channel -> when), which were left alone."""

    patient: Patient
    queued: list[str]
    recent: dict[str, datetime]


@transaction.atomic
def screening_link_send(
    *, patient: Patient | PatientDetails, channels: list[str], actor, request=None, now: datetime | None = None
) -> ScreeningLinkSent:
    """Owe the patient (a record, or a caller's details matched to one or made one in this transaction) the
    screening link on each of `channels` (e-mail, SMS), audited. The patient's row is locked, so two clicks at once
    queue one message each way; a channel asked for within SCREENING_LINK_REPEAT_AFTER (and not failed since) is
    not sent again."""
    now = now or timezone.now()
    if isinstance(patient, PatientDetails):
        patient = patient_match_or_create(details=patient)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.is_erased:
        raise ValidationError("This patient's details were erased: there is nobody to send the link to.")
    asked = {
        message.channel: message.due_at
        for message in OutboundMessage.objects.for_subject(patient).filter(
            kind=KIND_SCREENING_LINK,
            status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.SENT],
            due_at__gt=now - SCREENING_LINK_REPEAT_AFTER,
        )
    }
    queued = [channel for channel in channels if channel not in asked]
    for channel in queued:
        core_services.message_queue(subject=patient, kind=KIND_SCREENING_LINK, channel=channel, again=True)
    if queued:
        sent = AuditEvent.Action.SCREENING_LINK_SEND
        core_services.audit_record(actor=actor, action=sent, obj=patient, patient_id=patient.pk, request=request,
                                   detail={"channels": queued})  # fmt: skip
    return ScreeningLinkSent(
        patient=patient, queued=queued, recent={channel: asked[channel] for channel in channels if channel in asked}
    )


class ReturningLinkUsed(Exception):
    """The returning-patient link was already used: it works once."""


@transaction.atomic
def intake_confirm_unchanged(*, intake: Intake, now: datetime | None = None) -> Intake:
    """The patient confirmed, through their e-mailed link, that nothing has changed since they answered. `intake` is
    as the link found it; if it was confirmed since, the link was used and ReturningLinkUsed is raised."""
    seen = intake.confirmed_unchanged_at
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.confirmed_unchanged_at != seen:  # the same link, used a moment ago (a double click, two tabs)
        raise ReturningLinkUsed
    intake.confirmed_unchanged_at = now or timezone.now()
    intake.save(update_fields=["confirmed_unchanged_at"])
    _audit(intake, AuditEvent.Action.INTAKE_SUBMIT, {"intake_id": intake.pk, "confirmed_unchanged": True}, actor=None)
    return intake


# --- Review ------------------------------------------------------------------------------------------------------


class ReviewError(Exception):
    """A decision that cannot be made; the message is written for the therapist."""


@dataclass
class AlreadyDecided(ReviewError):
    intake: Intake

    def __str__(self):
        who = self.intake.reviewed_by.get_full_name() if self.intake.reviewed_by else "another colleague"
        when = (
            timezone.localtime(self.intake.reviewed_at).strftime("%d %b %Y, %H:%M") if self.intake.reviewed_at else ""
        )
        status = self.intake.get_review_status_display().lower()
        return f"This screening was already {status} by {who}" + (f" at {when}." if when else ".")


# A therapist's decision is named by the review status it leads to, and may be taken from these statuses: more
# information is asked for at most once per intake.
ALLOWED_FROM = {
    Intake.ReviewStatus.APPROVED: {Intake.ReviewStatus.PENDING, Intake.ReviewStatus.INFO_REQUESTED},
    Intake.ReviewStatus.DECLINED: {Intake.ReviewStatus.PENDING, Intake.ReviewStatus.INFO_REQUESTED},
    Intake.ReviewStatus.INFO_REQUESTED: {Intake.ReviewStatus.PENDING},
}


@transaction.atomic
def intake_review_decide(
    *,
    intake_id: int,
    actor,
    decision: str,
    seen_status: str,
    note: str = "",
    precautions: str = "",
    request=None,
) -> Intake:
    """Record a therapist's decision. `seen_status` is the review status the therapist was looking at: if a
    colleague decided in the meantime, the decision is refused with who decided and when.

    Booking's receiver of `intake_reviewed` confirms or cancels pending appointments in this same transaction."""
    if decision not in ALLOWED_FROM:
        raise ReviewError("Choose approve, decline or ask for more information.")
    if decision == Intake.ReviewStatus.DECLINED and not note.strip():
        raise ReviewError("Please give a reason for declining.")
    intake = Intake.objects.select_for_update(of=("self",)).select_related("reviewed_by").get(pk=intake_id)
    if intake.outcome != Intake.Outcome.NEEDS_REVIEW:
        raise ReviewError("This screening does not need a review.")
    if intake.review_status != seen_status or intake.review_status not in ALLOWED_FROM[decision]:
        raise AlreadyDecided(intake)
    intake.review_status = decision
    intake.reviewed_by = actor
    intake.reviewed_at = timezone.now()
    intake.review_note = note.strip()
    intake.precautions = precautions.strip() if decision == Intake.ReviewStatus.APPROVED else ""
    intake.full_clean()
    intake.save()
    _audit(
        intake,
        AuditEvent.Action.REVIEW_DECISION,
        {"decision": decision, "intake_id": intake.pk},
        actor=actor,
        request=request,
    )
    intake_reviewed.send(sender=Intake, intake=intake, decision=decision, actor=actor)
    kind = KIND_INFO_REQUESTED if decision == Intake.ReviewStatus.INFO_REQUESTED else KIND_REVIEW_DECISION
    core_services.message_queue(subject=intake, kind=kind, channel="email")
    logger.info("intake %s review: %s by user %s", intake.pk, decision, getattr(actor, "pk", None))
    return intake


def intake_answers_viewed(*, intake: Intake, actor, request, via: str = "") -> None:
    """Record that a staff member was shown an intake's health answers (every such view is audited: docs/access.md).
    Ids only, and where it was seen when not on the review page."""
    detail = {"intake_id": intake.pk, "patient_id": intake.patient_id} | ({"via": via} if via else {})
    _audit(intake, AuditEvent.Action.VIEW_HEALTH_ANSWERS, detail, actor=actor, request=request)


def intakes_health_viewed(*, intakes, actor, request, via: str) -> None:
    """Record that a staff member was shown the health details (reasons flagged, precautions) of several intakes on
    one page (`via`: "my_day", "review_queue"): one audit event per intake, in one insert."""
    core_services.audit_record_many(
        actor=actor,
        action=AuditEvent.Action.VIEW_HEALTH_ANSWERS,
        objects=[(intake, intake.patient_id) for intake in intakes],
        request=request,
        via=via,
    )
