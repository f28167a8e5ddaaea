"""The waiting list's records (docs/design.md, "The waiting list"): a patient's wish for a time when none suits, and
each offer of a freed time to one wish. Imported by booking/models.py, so they are booking's models."""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

# The parts of the day, by the clinic's wall clock, as the booking week page groups its times: (bit, name, from, to).
DAY_PARTS = ((1, "Morning", 0, 12), (2, "Afternoon", 12, 17), (4, "Evening", 17, 24))
ALL_PARTS = 7
# Weekdays as bits, Monday first (date.weekday()).
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL_WEEKDAYS = 127


def part_bit(hour: int) -> int:
    """The bit of the part of the day a local hour falls in."""
    return next(bit for bit, _, low, high in DAY_PARTS if low <= hour < high)


def weekday_bit(day: date) -> int:
    return 1 << day.weekday()


class WaitlistWishQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=WaitlistWish.Status.WAITING)


class WaitlistWish(models.Model):
    """A patient waiting for a time: at a location, for a service, with one therapist or any, in some parts of the
    day, on some weekdays, between two local dates. Freed times are offered to wishes in the order they joined."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked from the list"
        WITHDRAWN = "withdrawn", "Left the list"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.CASCADE, related_name="waitlist_wishes")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="waitlist_wishes")
    service = models.ForeignKey("booking.Service", on_delete=models.PROTECT, related_name="waitlist_wishes")
    therapist = models.ForeignKey(
        "booking.Therapist", null=True, blank=True, on_delete=models.PROTECT, related_name="waitlist_wishes"
    )
    parts_of_day = models.PositiveSmallIntegerField(
        default=ALL_PARTS, help_text="Bits: morning 1, afternoon 2, evening 4."
    )
    weekdays = models.PositiveSmallIntegerField(default=ALL_WEEKDAYS, help_text="Bits: Monday 1 ... Sunday 64.")
    first_day = models.DateField(help_text="Local date at the location.")
    last_day = models.DateField(help_text="Local date at the location.")
    notify_email = models.BooleanField(default=True)
    notify_sms = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    source = models.CharField(max_length=10, choices=[("online", "Online"), ("desk", "Front desk")], default="online")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = WaitlistWishQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(parts_of_day__range=(1, ALL_PARTS)), name="wish_parts_1_7"),
            models.CheckConstraint(condition=models.Q(weekdays__range=(1, ALL_WEEKDAYS)), name="wish_weekdays_1_127"),
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="wish_days_order"),
            models.CheckConstraint(
                condition=models.Q(notify_email=True) | models.Q(notify_sms=True), name="wish_notify_somehow"
            ),
        ]
        indexes = [
            # Matching a freed time (booking/waitlist.py): waiting wishes at one location, read oldest first and
            # stopped at the first few that suit, so no sort of thousands. Partial: booked and withdrawn wishes never
            # weigh on it.
            models.Index(
                fields=["location", "created_at", "id"],
                name="wish_waiting_match_idx",
                condition=models.Q(status="waiting"),
            ),
        ]

    def __str__(self):
        return f"Wish #{self.pk}: {self.service} at {self.location}"

    @property
    def channels(self) -> list[str]:
        return [name for name, chosen in (("email", self.notify_email), ("sms", self.notify_sms)) if chosen]

    @property
    def parts_label(self) -> str:
        if self.parts_of_day == ALL_PARTS:
            return "Any time of day"
        return ", ".join(name for bit, name, _, _ in DAY_PARTS if self.parts_of_day & bit)

    @property
    def weekdays_label(self) -> str:
        if self.weekdays == ALL_WEEKDAYS:
            return "Any day"
        return ", ".join(name for n, name in enumerate(WEEKDAY_NAMES) if self.weekdays & (1 << n))

    def wants(self, start: datetime) -> bool:
        """Whether a time starting at `start` suits this wish (its dates, weekdays and parts of the day)."""
        local = start.astimezone(self.location.zone)
        return (
            self.first_day <= local.date() <= self.last_day
            and bool(self.weekdays & weekday_bit(local.date()))
            and bool(self.parts_of_day & part_bit(local.hour))
        )


class WaitlistOffer(models.Model):
    """A freed time offered to one wish, held for it as an appointment in status "offered" until the patient claims
    it, declines it or the offer expires. The offer keeps what was offered after its hold is gone."""

    class Status(models.TextChoices):
        OPEN = "open", "Offered, waiting for the patient"
        CLAIMED = "claimed", "Claimed"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The opaque id in the signed claim link: never the primary key, never anything about the patient's health.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wish = models.ForeignKey(WaitlistWish, on_delete=models.CASCADE, related_name="offers")
    # The hold while open, the booked appointment once claimed; emptied when the offer lapses (the hold is removed).
    appointment = models.OneToOneField(
        "booking.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist_offer"
    )
    therapist = models.ForeignKey("booking.Therapist", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("booking.Service", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    blocked_until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            # A wish is offered one time once: declined or let expire, it goes to the next wish, not back.
            models.UniqueConstraint(fields=["wish", "therapist", "start"], name="offer_once_per_wish_time"),
            # One open offer per wish at a time.
            models.UniqueConstraint(
                fields=["wish"], condition=models.Q(status="open"), name="offer_one_open_per_wish"
            ),
        ]
        indexes = [
            # The expiry sweep: open offers by expiry time.
            models.Index(fields=["expires_at"], name="offer_open_expiry_idx", condition=models.Q(status="open")),
            models.Index(fields=["location", "-offered_at"], name="offer_location_idx"),
        ]

    def __str__(self):
        return f"Offer #{self.pk} of {self.start:%Y-%m-%d %H:%M} UTC to wish #{self.wish_id}"

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.location.zone)

    def is_open_at(self, now: datetime) -> bool:
        return self.status == self.Status.OPEN and now < self.expires_at
