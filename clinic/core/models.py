"""Core records shared by every app: clinic locations, the audit log and the outbox of messages owed."""

import zoneinfo

import phonenumbers
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone name, such as Asia/Kolkata or Europe/London.")


# The number to call for an ambulance, by ISO country code, for a location that does not set its own. A country
# missing here must be given one in the admin (Location.clean): a wrong number in an emergency is worse than none.
EMERGENCY_NUMBERS = {
    "IN": "112",
    "GB": "999",
    "IE": "112",
    "US": "911",
    "CA": "911",
    "AU": "000",
    "NZ": "111",
    "AE": "998",
    "SG": "995",
}


# What each country's clocks are called for patients ("10:00 (India time)"): one name per zone, said once. A zone
# not here is named by its city ("Asia/Dubai" -> "Dubai time"), which is right for a country with several zones.
ZONE_NAMES = {
    "Asia/Kolkata": "India time",
    "Asia/Calcutta": "India time",
    "Europe/London": "UK time",
    "Europe/Dublin": "Irish time",
    "Asia/Singapore": "Singapore time",
    "Asia/Dubai": "UAE time",
    "Pacific/Auckland": "New Zealand time",
}


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Location(models.Model):
    """A clinic site. Every time a patient sees is shown in the location's own time zone."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    address = models.TextField(help_text="Street address as it should appear to patients, one line per row.")
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2, default="IN", help_text="ISO country code; sets the phone region.")
    phone = PhoneNumberField()
    emergency_number = models.CharField(
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{2,6}$", "Enter the short emergency number, digits only, such as 112.")],
        help_text="Number patients call for an ambulance (112 in India, 999 in the UK). Blank: the usual number "
        "of the location's country.",
    )
    email = models.EmailField(blank=True)
    currency = models.CharField(
        max_length=3,
        default="INR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Enter an ISO 4217 currency code in capitals, such as INR or GBP.")],
        help_text="ISO currency code of the prices patients see for this clinic (INR, GBP).",
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone], default="Asia/Kolkata")
    is_active = models.BooleanField(default=True)
    # Booking rules, per location.
    min_notice_minutes = models.PositiveIntegerField(default=120, help_text="Earliest a patient can book ahead.")
    horizon_days = models.PositiveIntegerField(default=60, help_text="How far ahead patients can book.")
    slot_step_minutes = models.PositiveIntegerField(default=15, help_text="Spacing between offered start times.")
    cancellation_cutoff_hours = models.PositiveIntegerField(
        default=24, help_text="Patients can cancel or reschedule online until this long before the start."
    )

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(slot_step_minutes__gte=5), name="location_slot_step_min_5"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.emergency_number and self.country not in EMERGENCY_NUMBERS:
            raise ValidationError(
                {"emergency_number": f"Enter the emergency number patients in {self.country} call for an ambulance."}
            )

    @property
    def emergency_phone(self) -> str:
        """What patients should call if breathlessness or chest pain starts after needling (docs/clinical.md)."""
        return self.emergency_number or EMERGENCY_NUMBERS.get(self.country, "112")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def zone_name(self) -> str:
        """'India time', 'UK time': how the patient pages name this clinic's clock."""
        return ZONE_NAMES.get(self.time_zone) or f"{self.time_zone.rsplit('/', 1)[-1].replace('_', ' ')} time"

    @property
    def phone_example(self) -> str:
        """A made-up mobile number of the clinic's country as patients there write it ('081234 56789' in India),
        for the phone field's hint."""
        example = phonenumbers.example_number_for_type(self.country, phonenumbers.PhoneNumberType.MOBILE)
        if example is None:
            return ""
        return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class AuditEventQuerySet(models.QuerySet):
    def about_patient(self, patient_id: int):
        return self.filter(patient_id=patient_id)

    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events are append-only: they cannot be changed.")

    def delete(self):
        raise AuditEventImmutable("Audit events are append-only: they cannot be deleted.")


class AuditEventImmutable(Exception):
    pass


class AuditEvent(models.Model):
    """Who did what to which record, when and from where (docs/design.md, "Who sees what").

    Append-only: the model refuses saves of existing rows and deletes, and on PostgreSQL a trigger refuses UPDATE and
    DELETE whatever the client (migration core.0006). The actor's name is copied in at the time, and the actor
    cannot be deleted while events name them (PROTECT: staff accounts are deactivated, never deleted), so an event
    keeps who did it. `patient_id` names the patient the event is about (a plain number, not a foreign key: the
    core knows nothing of patients, and an erased patient's events stay). `detail` holds ids, counts and field
    names, never health answers or contact details."""

    class Action(models.TextChoices):
        # Health data and screening.
        VIEW_HEALTH_ANSWERS = "view_health_answers", "Viewed health answers"
        VIEW_REVIEW_QUEUE = "view_review_queue", "Viewed the review queue"
        INTAKE_SUBMIT = "intake_submit", "Submitted a screening"
        REVIEW_DECISION = "review_decision", "Decided a screening review"
        # Appointments and messages.
        APPOINTMENT_CREATE = "appointment_create", "Created an appointment"
        APPOINTMENT_CHANGE = "appointment_change", "Changed an appointment"
        MESSAGE_RESEND = "message_resend", "Resent a message"
        # The clinic's set-up and staff.
        HOURS_CHANGE = "hours_change", "Changed working hours"
        TIME_OFF_CHANGE = "time_off_change", "Changed time off"
        CLOSURE_CHANGE = "closure_change", "Changed a closure"
        SERVICE_CHANGE = "service_change", "Changed a service"
        LOCATION_CHANGE = "location_change", "Changed a location"
        STAFF_CHANGE = "staff_change", "Changed a staff account"
        CONFIG_CHANGE = "config_change", "Changed other set-up or content"
        PATIENT_CHANGE = "patient_change", "Changed a patient's contact details"
        SCREENING_LINK_SEND = "screening_link_send", "Sent a patient the screening link"
        # Patients' data rights and retention.
        PATIENT_EXPORT = "patient_export", "Exported a patient's data"
        SCHEDULE_EXPORT = "schedule_export", "Exported a schedule as CSV"
        CALENDAR_FEED = "calendar_feed", "A therapist's calendar feed was read"
        CALENDAR_FEED_RESET = "calendar_feed_reset", "Replaced a therapist's calendar feed link"
        PATIENT_ERASE = "patient_erase", "Erased a patient"
        RETENTION_PURGE = "retention_purge", "Purged old records"
        # Signing in and out (docs/access.md).
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed to sign in"
        LOGIN_LOCKOUT = "login_lockout", "Locked out after failed sign-ins"
        LOGOUT = "logout", "Signed out"
        SESSION_EXPIRED = "session_expired", "Signed out by the session timeout"
        TWO_FACTOR_FAILED = "two_factor_failed", "Gave a wrong two-factor code"
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Set up two-factor login"
        PASSWORD_CHANGED = "password_changed", "Changed their password"

    # PROTECT: a user named by the audit log is deactivated, never deleted (docs/access.md).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(
        max_length=300, blank=True, help_text="The actor's name and user name when it happened; blank: a patient."
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    object_type = models.CharField(max_length=60, help_text="app_label.model of the record")
    object_id = models.CharField(max_length=64)
    patient_id = models.BigIntegerField(null=True, blank=True, help_text="The patient this is about, if any.")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["patient_id", "-at"], name="audit_patient_idx"),
        ]

    def __str__(self):
        return f"{self.actor_name or 'patient'} {self.get_action_display()} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("Audit events are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events are append-only: they cannot be deleted.")


class OutboundMessageQuerySet(models.QuerySet):
    def for_subject(self, subject: models.Model):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk))

    def owed(self):
        """Not yet sent and not given up on: pending, or claimed by a sweep."""
        return self.filter(status=OutboundMessage.Status.PENDING)

    def repeated(self):
        """Sent rows that may have reached the patient more than once: an earlier attempt was interrupted (its
        process died or lost its claim mid-send) after the server may already have accepted it."""
        return self.filter(status=OutboundMessage.Status.SENT, interrupted_attempts__gt=0)

    def due(self, now):
        """Pending rows whose time has come and whose claim (if any) has lapsed."""
        return (
            self.owed()
            .filter(due_at__lte=now)
            .filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))
        )


class OutboundMessage(models.Model):
    """A message the clinic owes a patient. The database is the record; Celery only nudges the sweep that sends.

    The subject is any record (an appointment, an intake); the outbox knows nothing of them. Each app registers its
    message kinds (how to render one, whether it is still due) in clinic.core.outbox.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SKIPPED = "skipped", "Skipped (no longer due)"

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    subject_object = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    due_at = models.DateTimeField(help_text="When it should go out (or be retried).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Send attempts started, failed ones included.")
    interrupted_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Attempts whose outcome was never recorded; each may have reached the patient."
    )
    # Which message of this kind it is: a new one (a second "moved" notice, a re-armed reminder, a resend) counts up;
    # a retry of the same message keeps it. It is part of the Message-ID, so receivers drop repeats, never news.
    sequence = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A sweep is sending it until then.")
    # The sweep holding the claim: it sends only rows that still carry its token and records results only with it.
    claim_token = models.UUIDField(null=True, blank=True)
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="An attempt started then and its outcome is not recorded yet."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "channel"], name="outbox_one_per_subject_kind_channel"
            ),
        ]
        indexes = [
            # The sweep's query: pending rows by due time. Partial, so it stays small as sent rows pile up.
            models.Index(fields=["due_at"], name="outbox_pending_due_idx", condition=models.Q(status="pending")),
            models.Index(fields=["content_type", "object_id"], name="outbox_subject_idx"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.channel}) for {self.content_type.model}#{self.object_id}: {self.status}"


class StaffProfile(models.Model):
    """Which locations a member of staff works at; the front desk's schedule shows only these.

    A user without a profile sees every active location (a small clinic need not set anything up). A profile with
    no locations ticked sees none: an explicit profile is taken at its word."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    locations = models.ManyToManyField(Location, related_name="+", blank=True)

    class Meta:
        verbose_name = "staff profile"

    def __str__(self):
        return f"Staff profile of {self.user}"


class StaffSession(models.Model):
    """A signed-in session of a member of staff, so signing out (or changing the password) can end all the others."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Session of {self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class DataVersion(models.Model):
    """A counter that every write to some data bumps inside its own transaction; caches of that data are keyed
    by it, so a cached answer is never older than the last committed change (`diary`: what free times are
    computed from). Bumped with one upsert by `clinic.core.services.data_version_bump`."""

    DIARY = "diary"

    name = models.CharField(primary_key=True, max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"{self.name} v{self.value}"
