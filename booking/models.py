"""Booking records: services, therapists, their hours and time off, location closures and appointments."""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def priced_at(self, location):
        """Each service with `price_here`: its price at `location`, in that location's currency (None: not set)."""
        prices = ServiceOffering.objects.filter(service=models.OuterRef("pk"), location=location)
        return self.annotate(price_here=models.Subquery(prices.values("price")[:1]))


class Service(models.Model):
    """Something a patient can book. Needling services need a valid screening first."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(default=45)
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, help_text="Time kept free after each appointment (cleaning, notes)."
    )
    needs_screening = models.BooleanField(default=False, help_text="Needling services: a valid intake is required.")
    uses_electrical_stimulation = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Where it is offered, each with its price there (ServiceOffering): clinics in different countries charge in
    # different currencies, so a price belongs to the service at a location, never to the service alone.
    locations = models.ManyToManyField("core.Location", related_name="services", blank=True, through="ServiceOffering")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=5), name="service_duration_min_5"),
        ]

    def __str__(self):
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class ServiceOffering(models.Model):
    """A service offered at a location, and its price there in the location's currency (Location.currency)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offerings")
    location = models.ForeignKey("core.Location", on_delete=models.CASCADE, related_name="service_offerings")
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="In this clinic's currency. Blank: no price is shown online (the clinic tells it).",
    )

    class Meta:
        # unique_together rather than a UniqueConstraint: this was Django's own table for Service.locations, whose
        # unique index (service, location) it keeps (migration 0009).
        unique_together = [("service", "location")]

    def __str__(self):
        return f"{self.service} at {self.location}"


class TherapistQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Therapist(models.Model):
    """A clinician patients book. The profile fields show on their public page (/book/therapists/<id>/), so a
    patient can check who will needle them and with which registration."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist")
    display_name = models.CharField(max_length=120)
    title = models.CharField(
        max_length=120, blank=True, help_text="One line under the name, such as “Sports physiotherapist”."
    )
    bio = models.TextField(blank=True, help_text="A few sentences for patients, one paragraph per blank line.")
    qualifications = models.CharField(max_length=250, blank=True)
    registration_body = models.CharField(
        max_length=160,
        blank=True,
        help_text="Who registers this therapist, such as “Health and Care Professions Council (HCPC)”.",
    )
    registration_number = models.CharField(max_length=40, blank=True)
    languages = models.CharField(
        max_length=160, blank=True, help_text="Languages spoken with patients, separated by commas."
    )
    photo = models.ImageField(
        upload_to="therapists/",
        blank=True,
        help_text="A JPEG, PNG or WebP of at most 5 MB, of the therapist's face; it is cropped to a square and made "
        "small. Without one, their initials are shown.",
    )
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for people who cannot see it. Blank: “Photo of” and their name.",
    )
    locations = models.ManyToManyField("core.Location", related_name="therapists", blank=True)
    services = models.ManyToManyField(Service, related_name="therapists", blank=True)
    is_active = models.BooleanField(default=True)
    # The version of the therapist's calendar feed link (desk/feeds.py): bumped when they get a new link, so the old
    # one stops working at once (services.therapist_calendar_feed_reset).
    calendar_feed_version = models.PositiveIntegerField(default=1, editable=False)

    objects = TherapistQuerySet.as_manager()

    class Meta:
        # Every list of therapists, in forms and diaries alike, in one order (pk: two of the same name stay apart).
        ordering = ["display_name", "pk"]

    def __str__(self):
        return self.display_name

    @property
    def initials(self) -> str:
        """Up to two initials for the avatar drawn in place of a photo."""
        words = [word for word in self.display_name.replace("-", " ").split() if word[:1].isalpha()]
        return "".join(word[0] for word in (words[:1] + words[1:][-1:])).upper()

    @property
    def photo_description(self) -> str:
        """The photo's alternative text."""
        return self.photo_alt or f"Photo of {self.display_name}"

    @property
    def language_list(self) -> list[str]:
        return [language.strip() for language in self.languages.split(",") if language.strip()]

    @property
    def bio_paragraphs(self) -> list[str]:
        return [part.strip() for part in self.bio.replace("\r\n", "\n").split("\n\n") if part.strip()]


class WorkingHours(models.Model):
    """One block of a therapist's week at a location, in the location's local wall-clock time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey("core.Location", on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time at the location.")
    end_time = models.TimeField(help_text="Local time at the location.")

    class Meta:
        ordering = ["therapist", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="hours_end_after_start"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="hours_weekday_0_6"),
        ]
        indexes = [models.Index(fields=["location", "therapist"], name="hours_location_idx")]

    def __str__(self):
        return f"{self.therapist} {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self):
        # Hours at a location the therapist does not work at would offer times no booking can take. Checked here so
        # that the desk's service, its form and the admin all refuse them alike.
        works_there = self.therapist_id is None or self.location_id is None
        if not works_there and not self.therapist.locations.filter(pk=self.location_id).exists():
            raise ValidationError({"location": f"{self.therapist} does not work at {self.location}."})


class TimeOff(models.Model):
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="timeoff_end_after_start")
        ]
        indexes = [models.Index(fields=["therapist", "end"], name="timeoff_therapist_end_idx")]

    def __str__(self):
        return f"{self.therapist} off {self.start:%Y-%m-%d %H:%M}"


class Closure(models.Model):
    """Whole local days a location is closed (public holidays, refurbishment)."""

    location = models.ForeignKey("core.Location", on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="closure_days_order")
        ]
        indexes = [models.Index(fields=["location", "last_day"], name="closure_location_idx")]

    def __str__(self):
        return f"{self.location} closed {self.first_day}–{self.last_day}"


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL only. SQLite (local `make run`) has no such thing; there
    the booking service's check inside IMMEDIATE transactions is the guard."""

    def _applies(self, schema_editor_or_connection) -> bool:
        connection = getattr(schema_editor_or_connection, "connection", schema_editor_or_connection)
        return connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._applies(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._applies(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._applies(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if self._applies(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)


class AppointmentQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status__in=Appointment.HELD)

    def overlapping(self, start: datetime, blocked_until: datetime):
        return self.filter(start__lt=blocked_until, blocked_until__gt=start)


class Appointment(models.Model):
    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", "Pending review"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No show"
        CANCELLED = "cancelled", "Cancelled"
        # A freed time held for a patient on the waiting list until they claim it (booking/waitlist.py).
        OFFERED = "offered", "Offered from the waiting list"

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        DESK = "desk", "Front desk"

    class Action(models.TextChoices):
        """What staff can do to an appointment; `why_not` says when (docs/design.md, "An appointment's life")."""

        CHECK_IN = "check_in", "Check in"
        FINISH = "finish", "Finish"
        NO_SHOW = "no_show", "No show"
        CANCEL = "cancel", "Cancel"
        MOVE = "move", "Move"
        UNDO = "undo", "Undo"

    # Statuses that hold their time: no two of a therapist's may overlap (docs/design.md, "An appointment's life").
    HELD = [Status.PENDING_REVIEW, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED, Status.OFFERED]

    # Where each action can start from. Undo steps back one status (check-in, no show, finish), the same day only.
    ACTION_FROM = {
        Action.CHECK_IN: {Status.CONFIRMED},
        Action.FINISH: {Status.CHECKED_IN},
        Action.NO_SHOW: {Status.CONFIRMED},
        Action.CANCEL: {Status.PENDING_REVIEW, Status.CONFIRMED},
        Action.MOVE: {Status.PENDING_REVIEW, Status.CONFIRMED},
        Action.UNDO: {Status.CHECKED_IN, Status.NO_SHOW, Status.COMPLETED},
    }
    ACTION_TO = {
        Action.CHECK_IN: Status.CHECKED_IN,
        Action.FINISH: Status.COMPLETED,
        Action.NO_SHOW: Status.NO_SHOW,
        Action.CANCEL: Status.CANCELLED,
    }
    UNDONE_TO = {
        Status.CHECKED_IN: Status.CONFIRMED,
        Status.NO_SHOW: Status.CONFIRMED,
        Status.COMPLETED: Status.CHECKED_IN,
    }
    ACTION_DONE = {
        Action.CHECK_IN: "checked in",
        Action.FINISH: "finished",
        Action.NO_SHOW: "marked as a no show",
        Action.CANCEL: "cancelled",
        Action.MOVE: "moved",
        Action.UNDO: "undone",
    }

    # The opaque id in the patient's signed self-service link: never the primary key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The one-time token of the confirm form: a double submit or a reload finds this row instead of booking twice.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="appointments")
    # Indexed by appointment_therapist_idx below (therapist first), which also serves the foreign key.
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    intake = models.ForeignKey(
        "intake.Intake", null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    # The course of treatment it is a session of (booking/courses.py), if it was booked as one.
    course = models.ForeignKey("Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # end + the service's buffer: what the therapist's diary is blocked until (set by the booking service).
    blocked_until = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=250, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # How the patient wants to hear from us (chosen at booking): each message kind goes once per chosen channel.
    notify_email = models.BooleanField(default=True, help_text="Send this appointment's messages by e-mail.")
    notify_sms = models.BooleanField(default=False, help_text="Send this appointment's messages by SMS.")
    completed_at = models.DateTimeField(null=True, blank=True)
    follow_up_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="The therapist's plan at the end of the session: see the patient again in this many weeks.",
    )
    # The version of the patient's self-service link: bumped by every reschedule and cancel, so a link sent before
    # answers "replaced" instead of acting on an appointment the patient no longer knows (services.manage_token).
    link_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(blocked_until__gte=models.F("end")), name="appointment_blocked_after_end"
            ),
            # A patient we could never reach would silently get no confirmation or reminders.
            models.CheckConstraint(
                condition=models.Q(notify_email=True) | models.Q(notify_sms=True), name="appointment_notify_somehow"
            ),
            models.CheckConstraint(
                condition=models.Q(follow_up_weeks__isnull=True) | models.Q(follow_up_weeks__range=(1, 52)),
                name="appointment_follow_up_1_52_weeks",
            ),
            # The final guard against double booking. Half-open ranges, so back-to-back appointments are fine.
            PostgresExclusionConstraint(
                name="appointment_no_overlap",
                expressions=[
                    ("therapist", RangeOperators.EQUAL),
                    (TsTzRange("start", "blocked_until", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=models.Q(status__in=["pending_review", "confirmed", "checked_in", "completed", "offered"]),
                violation_error_message="That time was just taken.",
            ),
        ]
        indexes = [
            # Availability reads each therapist's appointments in a date range: therapist = ANY(...) AND start < end
            # of the window is the index condition. Not partial, so it also serves the therapist foreign key.
            models.Index(fields=["therapist", "start", "blocked_until"], name="appointment_therapist_idx"),
            models.Index(fields=["location", "start"], name="appointment_location_idx"),
        ]

    def __str__(self):
        return f"{self.service} with {self.therapist} at {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_held(self) -> bool:
        return self.status in self.HELD

    @property
    def channels(self) -> list[str]:
        """The outbox channels the patient chose ("email", "sms")."""
        return [name for name, chosen in (("email", self.notify_email), ("sms", self.notify_sms)) if chosen]

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.location.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.location.zone)

    # --- Its life: which actions are allowed when (docs/design.md, "An appointment's life") -----------------------

    def _local_day(self, instant: datetime):
        return instant.astimezone(self.location.zone).date()

    def why_not(self, action: str, *, now: datetime) -> str | None:
        """None if staff may take `action` at `now`; otherwise why not, in words for the person at the desk.

        Check in from the day of the visit; finish only after check-in and after the start; no show after the start;
        cancel only what has not happened (not checked in, not past its start); undo a check-in, a no show or a
        finish on the day of the visit."""
        status = self.get_status_display().lower()
        if action not in self.ACTION_FROM:
            return "That is not something the desk can do to an appointment."
        if self.status not in self.ACTION_FROM[action]:
            if self.status == self.Status.PENDING_REVIEW and action in (self.Action.CHECK_IN, self.Action.NO_SHOW):
                return "Its screening still waits for a therapist's review, so it is not confirmed."
            if action == self.Action.FINISH and self.status == self.Status.CONFIRMED:
                return "The patient has not been checked in yet. Check them in first."
            if action == self.Action.NO_SHOW and self.status == self.Status.CHECKED_IN:
                return "The patient is checked in, so they came."
            if action == self.Action.UNDO:
                return f"This appointment is {status}; there is nothing to undo."
            return f"This appointment is {status}, so it cannot be {self.ACTION_DONE[action]}."
        local = self.start.astimezone(self.location.zone)
        if action == self.Action.CHECK_IN and self._local_day(now) < self._local_day(self.start):
            return f"Check-in opens on the day of the visit ({local:%A %-d %B})."
        if action in (self.Action.FINISH, self.Action.NO_SHOW) and now < self.start:
            return f"It can be {self.ACTION_DONE[action]} only after the start time ({local:%H:%M} {local:%Z})."
        if action == self.Action.CANCEL and now >= self.start:
            return "Its start time has passed, so it cannot be cancelled: record a no show instead."
        if action == self.Action.UNDO and self._local_day(now) != self._local_day(self.start):
            return "A check-in, no show or finish can be undone only on the day of the visit."
        return None

    def allowed_actions(self, *, now: datetime) -> frozenset[str]:
        """The actions staff may take at `now`: what desk pages offer (templates test membership, never the status)."""
        return frozenset(action for action in self.ACTION_FROM if self.why_not(action, now=now) is None)

    def steps_not_yet(self, *, now: datetime) -> list[str]:
        """Why the next steps of a check-in day are not offered yet (e.g. a no show before the start time)."""
        return [
            why
            for action in (self.Action.CHECK_IN, self.Action.NO_SHOW, self.Action.FINISH)
            if self.status in self.ACTION_FROM[action] and (why := self.why_not(action, now=now)) is not None
        ]

    def patient_may_change(self, *, now: datetime) -> bool:
        """Patients move or cancel through their link until the location's cut-off before the start."""
        cutoff = timedelta(hours=self.location.cancellation_cutoff_hours)
        return self.why_not(self.Action.CANCEL, now=now) is None and now < self.start - cutoff


class Course(models.Model):
    """A course of treatment: sessions of one service with one therapist, every so many days, booked together in
    one transaction (booking/courses.py; docs/design.md, "Courses of treatment"). The sessions are appointments
    like any other (Appointment.course); this row keeps the plan they came from and is the subject of the one
    confirmation that lists them all."""

    # Most courses of dry needling run four to eight sessions; twelve covers the longest plans we have heard of
    # and keeps one booking a bounded amount of work (docs/design.md, "Courses of treatment").
    MAX_SESSIONS = 12
    MAX_EVERY_DAYS = 8 * 7

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="courses")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="courses")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="courses")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="courses")
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EVERY_DAYS)],
        help_text="Days from one session to the next.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(every_days__range=(1, 8 * 7)), name="course_every_1_to_56_days"),
        ]

    def __str__(self):
        return f"{self.service} with {self.therapist}, every {self.every_days} days"


# --- The waiting list (docs/design.md, "The waiting list"): a patient's wish for a time when none suits, and each
# offer of a freed time to one wish.

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
