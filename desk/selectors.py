"""Reads of the front-desk workspace (/desk/): who the member of staff is, which locations they see, the day
schedule, an appointment's messages and the failed ones. Each read runs a fixed number of queries however many
appointments there are (docs/design.md, "Who sees what")."""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import CharField, Exists, ExpressionWrapper, F, Func, OuterRef, TextField
from django.db.models.functions import Cast, Lower
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format
from phonenumber_field.phonenumber import PhoneNumber

from booking import availability
from booking.courses import screening_runs_out
from booking.models import Appointment, Closure, Therapist, TimeOff, WorkingHours
from clinic.core.access import group_names, location_scope
from clinic.core.models import Location, OutboundMessage
from clinic.core.roles import CLINIC_ADMIN, FRONT_DESK, THERAPIST
from clinic.core.statements import statement
from intake.models import Intake, Patient

from . import auth, badges, grid

DESK_PERMISSION = "booking.view_appointment"
# How long the desk home lists a message that was possibly sent twice, and how many messages it lists at most.
REPEATS_SHOWN = timedelta(days=7)
FAILED_SHOWN = 50

# The intake's health answers are never read by the desk: not shown, and not even loaded.
HEALTH_FIELDS = ("intake__answers", "intake__results", "intake__review_note", "intake__precautions")


@dataclass(frozen=True)
class Staff:
    """The member of staff using the desk and what they may see and do."""

    user: object
    role: str  # FRONT_DESK, THERAPIST or CLINIC_ADMIN
    therapist_id: int | None
    # None: every location. Otherwise the ids of the locations they work at.
    location_ids: frozenset[int] | None

    @property
    def is_admin(self) -> bool:
        return self.role == CLINIC_ADMIN

    @property
    def is_therapist(self) -> bool:
        return self.role == THERAPIST

    @property
    def is_front_desk(self) -> bool:
        return self.role == FRONT_DESK

    def sees_location(self, location_id: int) -> bool:
        return self.location_ids is None or location_id in self.location_ids

    def may_change(self, appointment: Appointment) -> bool:
        """Front desk: any appointment at their locations. Therapists: their own. Clinic admins: any."""
        if self.is_admin:
            return True
        if self.is_therapist:
            return appointment.therapist_id == self.therapist_id
        return self.sees_location(appointment.location_id)


def staff_for(user) -> Staff:
    """Who `user` is at the desk; PermissionDenied if they are not staff who may use it. No query of its own when
    the user was read by desk.auth.StaffBackend, which read all this with them."""
    if not (user.is_authenticated and user.is_staff and user.has_perm(DESK_PERMISSION)):
        raise PermissionDenied
    therapist_id = auth.therapist_id(user)
    groups = group_names(user)
    if user.is_superuser or CLINIC_ADMIN in groups:
        return Staff(user, CLINIC_ADMIN, therapist_id, None)
    if therapist_id is not None or THERAPIST in groups:
        # Therapists see the whole clinic's schedule, with their own appointments highlighted.
        return Staff(user, THERAPIST, therapist_id, None)
    return Staff(user, FRONT_DESK, None, location_scope(user))


# Every desk page asks for these (clinic/core/statements.py: compiled once per process for each scope's shape).
@statement(location_ids=list)
def _active_locations(location_ids):
    return in_scope(Location.objects.active(), location_ids, field="pk").order_by("name", "pk")


def locations_for(staff: Staff) -> list[Location]:
    """Active locations the member of staff sees, in name order."""
    return _active_locations.objects(location_ids=staff.location_ids)


def appointments_base():
    """Appointments with everything a desk page shows, without the intake's health answers."""
    return Appointment.objects.select_related("patient", "service", "therapist", "location", "intake").defer(
        *HEALTH_FIELDS
    )


def appointments_for_staff(staff: Staff):
    """Appointments at the locations the member of staff sees (docs/access.md)."""
    return in_scope(appointments_base(), staff.location_ids)


def in_scope(records, location_ids, *, field: str = "location_id"):
    """`records` at those locations (None: every location), by their `field` naming the location."""
    return records if location_ids is None else records.filter(**{f"{field}__in": location_ids})


def appointment_for_staff(staff: Staff, pk: int) -> Appointment:
    """One appointment the member of staff may see: 404 if there is none or it is at another location, so an id
    from elsewhere looks like one that does not exist."""
    return get_object_or_404(appointments_for_staff(staff), pk=pk)


def _appointment_ids_as_text(location_ids):
    ids = in_scope(Appointment.objects.all(), location_ids)
    return ids.annotate(pk_text=Cast("pk", CharField())).values("pk_text")


@statement(location_ids=list, content_type=int, since=datetime)
def _messages_to_look_at(location_ids, content_type, since):
    repeated = models.Q(status=OutboundMessage.Status.SENT, interrupted_attempts__gt=0, sent_at__gte=since)
    return OutboundMessage.objects.filter(
        models.Q(status=OutboundMessage.Status.FAILED) | repeated,
        content_type=content_type,
        object_id__in=_appointment_ids_as_text(location_ids),
    ).order_by("-updated_at", "-pk")[:FAILED_SHOWN]


def failed_messages(staff: Staff, *, now: datetime) -> list[tuple[OutboundMessage, Appointment]]:
    """Messages the desk should look at, about appointments at the staff member's locations, newest first, each
    with its appointment: failed ones, and ones possibly sent twice in the last week (a worker died mid-send; the
    patient may ask why). One query, and one more for their appointments when there are any."""
    messages = _messages_to_look_at.objects(
        location_ids=staff.location_ids,
        content_type=ContentType.objects.get_for_model(Appointment).pk,
        since=now - REPEATS_SHOWN,
    )
    if not messages:
        return []
    appointments = appointments_base().in_bulk([int(message.object_id) for message in messages])
    return [(message, appointments[int(message.object_id)]) for message in messages]


def messages_of(appointment: Appointment) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.for_subject(appointment).order_by("due_at", "pk"))


def message_for_staff(staff: Staff, pk: int) -> tuple[OutboundMessage, Appointment]:
    """A message about an appointment the member of staff may see (404 otherwise, at another location too)."""
    message = get_object_or_404(OutboundMessage, pk=pk, content_type=ContentType.objects.get_for_model(Appointment))
    appointment = appointment_for_staff(staff, int(message.object_id))
    return message, appointment


def time_off_clashes(staff: Staff, time_off: TimeOff):
    """Held appointments of the therapist during the time off, at the locations the member of staff sees: the desk
    needs to move them (another location's desk moves theirs)."""
    return (
        appointments_for_staff(staff)
        .filter(therapist_id=time_off.therapist_id, status__in=Appointment.HELD)
        .overlapping(time_off.start, time_off.end)
        .order_by("start")
    )


def therapists_for_staff(staff: Staff):
    """Therapists whose hours and time off the member of staff may manage (therapists: only themselves)."""
    therapists = Therapist.objects.filter(is_active=True)
    if staff.is_therapist:
        return therapists.filter(pk=staff.therapist_id)
    if staff.location_ids is not None:
        therapists = therapists.filter(locations__in=staff.location_ids).distinct()
    return therapists


def hours_at(location: Location):
    return (
        WorkingHours.objects.filter(location=location)
        .select_related("therapist")
        .order_by("therapist", "weekday", "start_time")
    )


def time_off_for_staff(staff: Staff, pk: int) -> TimeOff:
    """Time off the member of staff may see: of therapists at their locations (404 otherwise); therapists see
    everyone's, since the schedule shows the whole clinic, but change only their own (desk/views.py)."""
    time_off = TimeOff.objects.select_related("therapist")
    if staff.location_ids is not None:
        time_off = time_off.filter(therapist__locations__in=staff.location_ids).distinct()
    return get_object_or_404(time_off, pk=pk)


def hours_for_staff(staff: Staff, pk: int) -> WorkingHours:
    """Working hours at a location the member of staff sees (404 otherwise)."""
    hours = in_scope(WorkingHours.objects.select_related("therapist", "location"), staff.location_ids)
    return get_object_or_404(hours, pk=pk)


def patients_for_staff(staff: Staff):
    """Patients the member of staff may see: those with an appointment or an intake at their locations
    (docs/access.md), never erased ones' details.

    EXISTS per patient rather than "id IN (every patient seen here)": a search narrows the patients to a few through
    its index first, and checks each of those with the patient_id indexes, instead of hashing every intake of the
    location (50,000 at a busy one) on each keystroke. One EXISTS over a UNION ALL of the two, not two EXISTS joined
    by OR: PostgreSQL may turn each of those into a hash of every id seen here, and did whenever it guessed a few
    hundred names would match (its guess for the trigram operator does not depend on the threshold), 20-50 ms at
    50,000 intakes where checking the 30 names found takes well under a millisecond."""
    patients = Patient.objects.all()
    if staff.location_ids is not None:
        here = {"patient_id": OuterRef("pk"), "location_id__in": staff.location_ids}
        booked, screened = Appointment.objects.filter(**here), Intake.objects.filter(**here)
        patients = patients.filter(Exists(booked.values("pk").union(screened.values("pk"), all=True)))
    return patients


def patient_for_staff(staff: Staff, pk: int) -> Patient:
    """A patient the member of staff may see (404 otherwise, as if there were none), without any health answers."""
    return get_object_or_404(patients_for_staff(staff), pk=pk)


SEARCH_LIMIT = 25
SEARCH_MIN_LENGTH = 2
# pg_trgm's default (0.6) misses a typo in a three-letter surname ("Rau" has half its trigrams in "Rao"): common in
# the clinic's names (Rao, Das, Roy, Lee).
WORD_SIMILARITY = 0.5
# Every trigram of the word: a word similarity is a ratio of two small counts of trigrams, so 1 is the only one
# this high (patient_search's first pass for one word).
WHOLE_WORD = 0.999999


class SearchName(Func):
    """lower(first_name || ' ' || last_name): the patient's whole name as booking's migration 0009 indexes it with
    pg_trgm, written exactly so, or PostgreSQL would not recognise the expression and the index would go unused."""

    template = "LOWER(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


@dataclass(frozen=True, slots=True)
class PatientMatch:
    """A patient as the search lists them, read as plain values: building each as a model instance parsed its phone
    number on reading, and the template's link, date and phone formatting per row cost about as much as the search's
    query (bench/bench_desk.py). Only patients not erased are ever found, so every field is filled in."""

    pk: int
    first_name: str
    last_name: str
    date_of_birth: date
    phone_e164: str  # as stored (E.164 text); `phone` formats it
    email: str
    url: str  # the patient's desk page

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def born(self) -> str:
        """The date of birth as the table shows it, "5 Mar 1980"."""
        return date_format(self.date_of_birth, "j M Y")

    @property
    def phone(self) -> str:
        return international(self.phone_e164)


MATCH_FIELDS = ("pk", "first_name", "last_name", "date_of_birth", "phone_e164", "email")


def _matches(patients, limit: int) -> list[PatientMatch]:
    """The first `limit` of the (ordered) patients as PatientMatch rows: one query, the phone read as stored."""
    url_of = _url_of("desk:patient")
    rows = patients.annotate(phone_e164=_as_stored("phone")).values_list(*MATCH_FIELDS)[:limit]
    return [PatientMatch(*row, url=url_of(row[0])) for row in rows]


def patient_search(staff: Staff, query: str, *, limit: int = SEARCH_LIMIT) -> list[PatientMatch]:
    """Patients matching what the desk typed, within its locations, best match first (PatientMatch). One query; a
    name search sets the operator's threshold first in the same transaction (BEGIN, SET LOCAL, the query, COMMIT: two
    statements inside a test's transaction); a one-word name search may take two passes (four statements, never more).

    An e-mail (anything with "@") matches by containment; four or more digits (with spaces, dashes, a "+") by the
    phone number; otherwise each word must be like a word of the name (pg_trgm's word similarity, `<%`), so typos
    and short forms are forgiven ("Shaw" finds "Shah", "pria" finds "Priya", "Rau" finds "Rao") in either order.
    The conditions are the operator itself over the trigram GIN index of the whole name, so PostgreSQL reads the
    matching patients from the index instead of scoring every patient; the best LIMIT of those are ranked by how like
    the whole query each name is. The operator's threshold is a setting, lowered for this transaction only.

    One word that thousands of names are like (a common surname: "Shah" is like Shaha, Shaik, Shahid...) would
    score each of them. So a one-word search first asks for the names that hold every trigram of the word (the
    threshold at WHOLE_WORD: from the same index, a few rows to check); those are exactly the names ranked 1, the
    highest rank, so when they fill the page they are the page, in the same order, and the scoring pass is skipped.
    Otherwise (a typo, a rare name) the usual pass follows in the same transaction."""
    query = " ".join(query.split())[:100].lower()
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    patients = patients_for_staff(staff).filter(erased_at__isnull=True)
    digits = "".join(ch for ch in query if ch.isdigit())
    if "@" in query:
        patients = patients.annotate(email_lower=Lower("email")).filter(email_lower__contains=query)
        return _matches(patients.order_by("last_name", "first_name", "pk"), limit)
    if len(digits) >= 4 and not any(ch.isalpha() for ch in query):
        patients = patients.annotate(phone_lower=Lower("phone")).filter(phone_lower__contains=digits)
        return _matches(patients.order_by("last_name", "first_name", "pk"), limit)
    words = [word for word in query.split(" ") if len(word) >= SEARCH_MIN_LENGTH][:4]
    if not words:
        return []
    patients = patients.alias(name=SearchName("first_name", "last_name"))
    if connection.vendor != "postgresql":  # a local SQLite run: plain containment
        for word in words:
            patients = patients.filter(name__contains=word)
        return _matches(patients.order_by("last_name", "first_name", "pk"), limit)
    for word in words:
        patients = patients.filter(name__trigram_word_similar=word)
    rank = TrigramWordSimilarity(" ".join(words), "name")
    ranked = patients.annotate(rank=rank).order_by("-rank", "last_name", "first_name", "pk")
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if len(words) == 1:
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [WHOLE_WORD])
            if len(found := _matches(ranked, limit)) == limit:
                return found
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [WORD_SIMILARITY])
        return _matches(ranked, limit)


@dataclass
class PatientRecord:
    """What the patient page shows: appointments at the staff member's locations, the latest screening's outcome
    and validity (never its answers), the messages about those appointments and those to the patient (the screening
    link, whose appointment is None)."""

    upcoming: list[Appointment]
    past: list[Appointment]
    intake: Intake | None
    messages: list[tuple[OutboundMessage, Appointment | None]]


def patient_record(staff: Staff, patient: Patient, *, now: datetime, past_shown: int = 20) -> PatientRecord:
    """Four queries: upcoming appointments, past ones, the latest screening, the messages."""
    appointments = appointments_for_staff(staff).filter(patient=patient)
    upcoming = list(appointments.filter(end__gt=now).order_by("start", "pk"))
    past = list(appointments.filter(end__lte=now).order_by("-start", "-pk")[:past_shown])
    intakes = in_scope(Intake.objects.filter(patient=patient).select_related("location"), staff.location_ids)
    intake = intakes.defer("answers", "results", "review_note", "precautions").order_by("-submitted_at", "-pk").first()
    by_id = {appointment.pk: appointment for appointment in upcoming + past}
    about_appointments = models.Q(
        content_type=ContentType.objects.get_for_model(Appointment), object_id__in=[str(pk) for pk in by_id]
    )
    to_the_patient = models.Q(content_type=ContentType.objects.get_for_model(Patient), object_id=str(patient.pk))
    messages = list(
        OutboundMessage.objects.filter(about_appointments | to_the_patient).order_by("-due_at", "-pk")[:30]
    )
    appointment_type = ContentType.objects.get_for_model(Appointment).pk
    return PatientRecord(
        upcoming,
        past,
        intake,
        [
            (message, by_id[int(message.object_id)] if message.content_type_id == appointment_type else None)
            for message in messages
        ],
    )


def upcoming_time_off(therapist_ids, *, now: datetime):
    return (
        TimeOff.objects.filter(therapist_id__in=list(therapist_ids), end__gt=now)
        .select_related("therapist")
        .order_by("start")
    )


@statement(location_ids=list)
def _reviews_waiting_by_location(location_ids):
    intakes = in_scope(Intake.objects.pending_review(), location_ids)
    return intakes.order_by().values("location_id").annotate(waiting=models.Count("pk"))


def reviews_waiting(staff: Staff) -> int:
    """How many screenings at the staff member's locations wait for a therapist (the navigation's count)."""
    return sum(row["waiting"] for row in _reviews_waiting_by_location.values(location_ids=staff.location_ids))


# --- The time grids (desk/grid.py places them) -------------------------------------------------------------------


GRID_FIELDS = (
    "pk", "start", "end", "status", "therapist_id", "therapist__display_name", "patient__first_name",
    "patient__last_name", "phone", "service__name", "service__needs_screening", "intake__outcome",
    "intake__review_status", "location_id", "intake__valid_until", "intake__confirmed_unchanged_at",
)  # fmt: skip
# A therapist's week shows their appointments at other locations too, with the location's name.
WEEK_FIELDS = (*GRID_FIELDS, "location__name", "location__time_zone")


@dataclass(slots=True)
class GridAppointment:
    """What the grids and the printed day sheet show of an appointment, read as plain values in one query: building
    200 appointments with their patient, service, therapist, location and intake as model instances (and parsing
    every phone number) cost more than the rest of the page. Never any health answers: the screening's outcome."""

    pk: int
    start: datetime
    end: datetime
    status: str
    therapist_id: int
    therapist_name: str
    patient_name: str
    phone_e164: str  # as stored: only the printed day sheet shows it (formatted, see `phone`)
    service_name: str
    location_id: int
    time_label: str  # "09:00–09:30" in the location's zone
    status_label: str
    status_tone: str
    screening: badges.Screening
    url: str
    classes: str  # "appointment-confirmed own": its status, and whether it is the therapist's own looking
    elsewhere: str  # ", Other clinic" when it is at another location than the grid's

    @property
    def phone(self) -> str:
        """As the desk dials it, "+91 98765 43210": only the printed day sheet asks (see `international`)."""
        return international(self.phone_e164)


@functools.lru_cache(maxsize=4096)
def international(e164: str) -> str:
    """A stored (E.164) phone number as the desk dials it, "+91 98765 43210". Parsing a number is about 0.1 ms, so
    each process keeps the last few thousand it formatted: the day sheet of a busy location lists 200, and the
    schedule refreshes every 30 seconds on every desk with the same ones; a search lists 25, and typing on repeats
    most of them. A pure function of the text, so never stale."""
    return PhoneNumber.from_string(e164).as_international if e164 else ""


def _url_of(name: str):
    """Links to the desk's page `name` of one object (its pattern takes the primary key alone, as
    appointments/<int:pk>/ does), reversed once per page rather than once per row: reverse() costs about 60 µs, as
    much as the rest of a grid block or a search result. Only the number changes from one object to the next."""
    marker = "2147483647"
    head, tail = reverse(name, args=[int(marker)]).split(marker)
    return lambda pk: f"{head}{pk}{tail}"


def _as_stored(phone_field: str) -> ExpressionWrapper:
    """A phone number field read as its stored E.164 text: the model field would parse every number on reading
    (about 25 µs each), when only formatting it for the page is needed (`international`, cached)."""
    return ExpressionWrapper(F(phone_field), output_field=CharField())


def _time_label(start: datetime, end: datetime) -> str:
    """The local times as the grid shows them, "09:00–09:30" (two numbers each, quicker than strftime's formatting,
    which ran 400 times a page)."""
    return f"{start.hour:02d}:{start.minute:02d}–{end.hour:02d}:{end.minute:02d}"


def _grid_rows(appointments, fields=GRID_FIELDS):
    """What the grids read of each appointment, as plain values."""
    return appointments.annotate(phone=_as_stored("patient__phone")).values(*fields)


def _grid_appointments(rows, *, staff: Staff, location: Location) -> list[GridAppointment]:
    """The grid's appointments from `rows` of `_grid_rows` (those of the grid's own location need not carry its
    name and zone)."""
    url_of = _url_of("desk:appointment")
    # What 200 appointments share (statuses, screening badges, places), worked out once per page.
    statuses = {status: (status.label, badges.status_tone(status)) for status in Appointment.Status}
    screenings, places, appointments = {}, {location.pk: (location.zone, "")}, []
    for row in rows:
        place = places.get(row["location_id"])
        if place is None:  # another location's (a therapist's week): its name is shown
            place = places[row["location_id"]] = (ZoneInfo(row["location__time_zone"]), f", {row['location__name']}")
        zone, elsewhere = place
        start, end, status = row["start"], row["end"], row["status"]
        status_label, status_tone = statuses[status]
        runs_out = screening_runs_out(
            valid_until=row["intake__valid_until"], confirmed_at=row["intake__confirmed_unchanged_at"], start=start
        )
        screened = (row["intake__outcome"], row["intake__review_status"], row["service__needs_screening"], runs_out)
        if screened not in screenings:
            outcome, review, needed, _ = screened
            screenings[screened] = badges.screening(outcome, review, needs_screening=needed, runs_out=runs_out)
        appointments.append(
            GridAppointment(
                pk=row["pk"],
                start=start,
                end=end,
                status=status,
                therapist_id=row["therapist_id"],
                therapist_name=row["therapist__display_name"],
                patient_name=f"{row['patient__first_name']} {row['patient__last_name']}".strip(),
                phone_e164=row["phone"] or "",
                service_name=row["service__name"],
                location_id=row["location_id"],
                time_label=_time_label(start.astimezone(zone), end.astimezone(zone)),
                screening=screenings[screened],
                url=url_of(row["pk"]),
                status_label=status_label,
                status_tone=status_tone,
                classes=f"appointment-{status}" + (" own" if row["therapist_id"] == staff.therapist_id else ""),
                elsewhere=elsewhere,
            )
        )
    return appointments


@dataclass
class Block:
    column: int
    row: int
    span: int
    label: str = ""
    appointment: GridAppointment | None = None

    @property
    def place(self) -> str:
        """Its CSS classes of column, first row and row span (one string: the template's own number formatting of
        three integers, per block, was a good part of the page's time)."""
        return f"c-{self.column} r-{self.row} s-{self.span}"


@dataclass
class GridColumn:
    column: int  # the CSS grid column (the time labels are column 1)
    heading: str
    subheading: str = ""
    is_own: bool = False
    is_today: bool = False
    therapist_id: int | None = None
    hours: list[Block] = field(default_factory=list)
    off: list[Block] = field(default_factory=list)
    closed: Block | None = None
    appointments: list[Block] = field(default_factory=list)


@dataclass
class Grid:
    frame: grid.Frame
    columns: list[GridColumn]
    now_row: int | None
    now_column: int | None
    appointments: list[GridAppointment]  # in time order: the printed day sheet

    @property
    def hour_lines(self):
        return self.frame.hours()


def _closed_days(location: Location, first: date, last: date) -> dict[date, str]:
    days = {}
    for closure in _closures_between.values(location=location.pk, first=first, last=last):
        for n in range((closure["last_day"] - closure["first_day"]).days + 1):
            days[closure["first_day"] + timedelta(days=n)] = closure["reason"] or "Closed"
    return days


def _build(frame, columns, *, placed_hours, placed_off, placed_appointments, closed, zone) -> None:
    for column in columns:
        for start, end in placed_hours.get(column.column, []):
            if where := frame.place(start, end):
                column.hours.append(Block(column.column, *where))
        for start, end, reason in placed_off.get(column.column, []):
            if where := frame.place(start, end):
                column.off.append(Block(column.column, *where, label=reason or "Time off"))
        if column.column in closed:
            column.closed = Block(column.column, grid.HEADER_ROWS + 1, frame.rows, label=closed[column.column])
        for start, end, appointment in placed_appointments.get(column.column, []):
            if where := frame.place(start, end):
                column.appointments.append(Block(column.column, *where, appointment=appointment))


# The grids' reads, compiled once per process (clinic/core/statements.py): the desk's busiest pages, refreshed every
# 30 seconds on every desk, where compiling them cost more CPU than running them.


@statement(location=int)
def _therapists_at(location):
    return Therapist.objects.filter(locations=location, is_active=True)


def therapists_at(location: Location) -> list[Therapist]:
    """The active therapists of a location, in name order."""
    return _therapists_at.objects(location=location.pk)


@statement(location=int, weekday=int)
def _hours_on(location, weekday):
    return (
        WorkingHours.objects.filter(location=location, weekday=weekday)
        .order_by("start_time")
        .values("therapist_id", "start_time", "end_time")
    )


@statement(location=int, start=datetime, end=datetime)
def _appointments_on(location, start, end):
    return _grid_rows(Appointment.objects.filter(location=location, start__gte=start, start__lt=end)).order_by(
        "start", "pk"
    )


@statement(location=int, start=datetime, end=datetime)
def _time_off_on(location, start, end):
    """Time off over the day of everyone who could have a column: the location's therapists and whoever has an
    appointment there that day (the grid keeps those it shows)."""
    team = Therapist.objects.filter(
        models.Q(locations=location)
        | models.Q(appointments__location=location, appointments__start__gte=start, appointments__start__lt=end)
    )
    return TimeOff.objects.filter(therapist__in=team, start__lt=end, end__gt=start).values(
        "therapist_id", "start", "end", "reason"
    )


@statement(location=int, therapist=int)
def _weekly_hours(location, therapist):
    return (
        WorkingHours.objects.filter(location=location, therapist=therapist)
        .order_by("start_time")
        .values("weekday", "start_time", "end_time")
    )


@statement(location_ids=list, therapist=int, start=datetime, end=datetime)
def _appointments_of(location_ids, therapist, start, end):
    """A therapist's appointments in a window at the locations in scope (their own location's name and zone too)."""
    appointments = Appointment.objects.filter(therapist=therapist, start__gte=start, start__lt=end)
    return _grid_rows(in_scope(appointments, location_ids), WEEK_FIELDS).order_by("start", "pk")


@statement(therapist=int, start=datetime, end=datetime)
def _time_off_of(therapist, start, end):
    return TimeOff.objects.filter(therapist=therapist, start__lt=end, end__gt=start).values("start", "end", "reason")


@statement(location=int, first=date, last=date)
def _closures_between(location, first, last):
    return Closure.objects.filter(location=location, first_day__lte=last, last_day__gte=first).values(
        "first_day", "last_day", "reason"
    )


def day_grid(*, staff: Staff, location: Location, day: date, now: datetime) -> Grid:
    """A location's day: one column per therapist working there that day or with an appointment there; their hours,
    time off and the location's closure shaded; appointments as blocks sized by duration; the now-line.

    Five queries whatever the number of therapists and appointments: therapists, hours, appointments, time off,
    closures."""
    zone, window = location.zone, availability.local_day(day, location.zone)
    names = {therapist.pk: therapist.display_name for therapist in therapists_at(location)}
    hours_by: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for hours in _hours_on.values(location=location.pk, weekday=day.weekday()):
        hours_by[hours["therapist_id"]].append(
            (grid.time_minutes(hours["start_time"]), grid.time_minutes(hours["end_time"]))
        )
    appointments = _grid_appointments(
        _appointments_on.values(location=location.pk, start=window.start, end=window.end),
        staff=staff,
        location=location,
    )
    for appointment in appointments:  # e.g. a therapist no longer at this location
        names.setdefault(appointment.therapist_id, appointment.therapist_name)
    booked = {appointment.therapist_id for appointment in appointments}
    shown = [pk for pk in names if hours_by.get(pk) or pk in booked]
    column_of = {pk: n + 2 for n, pk in enumerate(shown)}
    off_by: dict[int, list] = defaultdict(list)
    for off in _time_off_on.values(location=location.pk, start=window.start, end=window.end):
        if off["therapist_id"] in column_of:
            off_by[column_of[off["therapist_id"]]].append(
                (grid.minutes_on(day, off["start"], zone), grid.minutes_on(day, off["end"], zone), off["reason"])
            )
    closed = _closed_days(location, day, day)
    spans = [span for pk in shown for span in hours_by.get(pk, [])]
    placed_appointments: dict[int, list] = defaultdict(list)
    for appointment in appointments:
        start, end = grid.minutes_on(day, appointment.start, zone), grid.minutes_on(day, appointment.end, zone)
        spans.append((start, end))
        placed_appointments[column_of[appointment.therapist_id]].append((start, end, appointment))
    frame = grid.frame_for(spans)
    columns = [GridColumn(column_of[pk], names[pk], is_own=pk == staff.therapist_id, therapist_id=pk) for pk in shown]
    _build(
        frame,
        columns,
        placed_hours={column_of[pk]: hours_by.get(pk, []) for pk in shown},
        placed_off=off_by,
        placed_appointments=placed_appointments,
        closed={column.column: closed[day] for column in columns} if day in closed else {},
        zone=zone,
    )
    now_row = grid.now_row(frame, day, now, zone)
    return Grid(frame, columns, now_row, None, appointments)


def week_grid(*, staff: Staff, location: Location, therapist: Therapist, day: date, now: datetime) -> Grid:
    """A therapist's week at a location, Monday to Sunday in its zone: hours there, time off, closures, and their
    appointments at the locations the member of staff sees. Four queries: hours, appointments, time off, closures."""
    zone, days = location.zone, grid.week_of(day)
    window_start = availability.local_day(days[0], zone).start
    window_end = availability.local_day(days[-1], zone).end
    column_of = {d: n + 2 for n, d in enumerate(days)}
    hours_by: dict[int, list] = defaultdict(list)
    spans = []
    for hours in _weekly_hours.values(location=location.pk, therapist=therapist.pk):
        span = (grid.time_minutes(hours["start_time"]), grid.time_minutes(hours["end_time"]))
        hours_by[column_of[days[hours["weekday"]]]].append(span)
        spans.append(span)
    appointments = _grid_appointments(
        _appointments_of.values(
            location_ids=staff.location_ids, therapist=therapist.pk, start=window_start, end=window_end
        ),
        staff=staff,
        location=location,
    )
    placed: dict[int, list] = defaultdict(list)
    for appointment in appointments:
        local_day = appointment.start.astimezone(zone).date()
        start, end = (
            grid.minutes_on(local_day, appointment.start, zone),
            grid.minutes_on(local_day, appointment.end, zone),
        )
        spans.append((start, end))
        placed[column_of[local_day]].append((start, end, appointment))
    off_by: dict[int, list] = defaultdict(list)
    for off in _time_off_of.values(therapist=therapist.pk, start=window_start, end=window_end):
        for d in days:
            off_by[column_of[d]].append(
                (grid.minutes_on(d, off["start"], zone), grid.minutes_on(d, off["end"], zone), off["reason"])
            )
    closed = _closed_days(location, days[0], days[-1])
    frame = grid.frame_for(spans)
    today = now.astimezone(zone).date()
    columns = [GridColumn(column_of[d], f"{d:%a} {d.day}", subheading=f"{d:%B}", is_today=d == today) for d in days]
    _build(
        frame,
        columns,
        placed_hours=hours_by,
        placed_off=off_by,
        placed_appointments=placed,
        closed={column_of[d]: reason for d, reason in closed.items()},
        zone=zone,
    )
    now_row = grid.now_row(frame, today, now, zone) if today in column_of else None
    return Grid(frame, columns, now_row, column_of.get(today), appointments)


def appointments_between(staff: Staff, location: Location, first: date, last: date) -> list[Appointment]:
    """A location's appointments from local day `first` to `last` included (the CSV export). One query."""
    start = availability.local_day(first, location.zone).start
    end = availability.local_day(last, location.zone).end
    return list(
        appointments_for_staff(staff)
        .filter(location=location, start__gte=start, start__lt=end)
        .order_by("start", "therapist__display_name", "pk")
    )
