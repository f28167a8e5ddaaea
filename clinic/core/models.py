"""Core records shared by every app: clinic locations and the audit log."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone name, such as Asia/Kolkata or Europe/London.")


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
    email = models.EmailField(blank=True)
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

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Written when staff see health answers or change
    an appointment. Rows are never edited; `detail` holds ids and field names, never health answers."""

    class Action(models.TextChoices):
        VIEW_HEALTH_ANSWERS = "view_health_answers", "Viewed health answers"
        REVIEW_DECISION = "review_decision", "Decided a screening review"
        APPOINTMENT_CREATE = "appointment_create", "Created an appointment"
        APPOINTMENT_CHANGE = "appointment_change", "Changed an appointment"
        MESSAGE_RESEND = "message_resend", "Resent a message"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    object_type = models.CharField(max_length=60, help_text="app_label.model of the record")
    object_id = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.actor} {self.get_action_display()} {self.object_type}#{self.object_id}"
