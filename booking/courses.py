"""Courses of treatment: a series of sessions planned from one appointment (every N days or weeks, K more sessions,
the same weekday and local time), checked as a whole and booked in one transaction or not at all
(docs/design.md, "Courses of treatment").

Planning reads the therapist's diary once for the whole span of the course (booking.selectors.availability_for:
four queries, whatever the number of sessions) and judges every session with the pure availability functions, so
twelve sessions cost what four do. A session that is not free is listed with the nearest free times of the same
therapist; nothing is booked until the person at the desk has picked one for each.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent
from intake.models import Intake

from . import availability, selectors, services, waitlist
from .availability import Interval, Slot
from .models import Appointment, Course

MAX_SESSIONS = Course.MAX_SESSIONS
MAX_EVERY_DAYS = Course.MAX_EVERY_DAYS
# Alternatives to a session that is not free come from this many days either side of it, nearest first.
ALTERNATIVE_DAYS = 3
ALTERNATIVE_COUNT = 3
# A screening that runs out before a later session: the patient is asked to re-confirm it this long before it
# expires (the returning-patient link), and the desk sees the session flagged until they have.
RECONFIRM_LEAD = timedelta(days=14)

KIND_COURSE_CONFIRMATION = "booking.course_confirmation"
# "Your sessions have moved": every session's time now, after the patient moved a session and the later ones.
KIND_COURSE_MOVED = "booking.course_moved"


class CourseClash(services.BookingError):
    """Some sessions of the course are not free: `plan` lists every session, the clashing ones with alternatives."""

    def __init__(self, plan: list[Session]):
        taken = [session for session in plan if session.problem]
        super().__init__(
            f"{len(taken)} of the {len(plan)} sessions cannot be booked at the usual time. "
            "Pick another time for each of them; nothing has been booked yet."
        )
        self.plan = plan


@dataclass(frozen=True)
class Session:
    """One session of a planned course: the regular time, the time that will be booked, and why not if not free."""

    number: int  # 1 is the first new session after the one the course is planned from
    regular: datetime
    start: datetime
    problem: str = ""
    alternatives: tuple[Slot, ...] = ()
    screening_expires: bool = False  # the patient's screening runs out before this session

    @property
    def moved(self) -> bool:
        return self.start != self.regular


# --- The arithmetic (no database) --------------------------------------------------------------------------------


def regular_times(first: datetime, *, zone, every_days: int, count: int) -> list[datetime]:
    """The `count` instants (UTC) after `first` at the same local wall-clock time every `every_days` days: across
    a clock change the local time stays and the UTC time moves (a time in the spring-forward gap becomes the moment
    the clocks jump, as working hours do)."""
    local = first.astimezone(zone)
    return [
        availability.wall_clock_instant(local.date() + timedelta(days=every_days * n), local.time(), zone)
        for n in range(1, count + 1)
    ]


def check_numbers(*, every_days: int, count: int) -> None:
    """The course's shape, in words for the desk (the form checks it too; the service never trusts a form)."""
    if not 1 <= count <= MAX_SESSIONS:
        raise services.BookingError(f"A course books 1 to {MAX_SESSIONS} more sessions at a time.")
    if not 1 <= every_days <= MAX_EVERY_DAYS:
        raise services.BookingError(f"Sessions of a course are 1 day to {MAX_EVERY_DAYS // 7} weeks apart.")


def _why_not_free(start: datetime, *, diary, found, now: datetime) -> str:
    """Why `start` is not a free time of the therapist, in the desk's words ("" when it is free)."""
    zone, rules = found.location.zone, found.rules
    if availability.is_free(diary, start, zone=zone, rules=rules, now=now, closures=found.closures):
        return ""
    end = start + rules.duration
    if start <= now:
        return "That time has already passed."
    if start >= now + rules.horizon:
        return f"Bookings open {rules.horizon.days} days ahead."
    if any(closure.overlaps(Interval(start, end + rules.buffer)) for closure in found.closures):
        return f"{found.location.name} is closed that day."
    hours = availability.working_intervals(diary.hours, zone, Interval(start, end))
    if not any(block.contains(Interval(start, end)) for block in hours):
        return f"It is outside {diary.therapist_name}'s working hours."
    return f"{diary.therapist_name} has another appointment or time off then."


def _alternatives(wanted: datetime, *, diary, found, now: datetime) -> tuple[Slot, ...]:
    zone = found.location.zone
    day = wanted.astimezone(zone).date()
    window = selectors.local_window(found.location, day - timedelta(days=ALTERNATIVE_DAYS), 2 * ALTERNATIVE_DAYS + 1)
    slots = availability.free_slots(
        diary, zone=zone, rules=found.rules, window=window, now=now, closures=found.closures
    )
    return tuple(availability.nearest(slots, wanted, count=ALTERNATIVE_COUNT))


def plan_sessions(
    regular: list[datetime], *, found, picks: dict[int, datetime], now: datetime, intake: Intake | None
) -> list[Session]:
    """Judge every session against one diary read (`found`: the therapist's hours, time off, closures and held
    appointments over the whole course). A picked time replaces the regular one; each chosen session then counts
    as busy for the ones after it, so two sessions of one course never overlap either."""
    if not found.diaries:  # no hours here for this service: nothing can be free
        return [Session(n, start, start, "The therapist no longer offers this service here.") for n, start in
                enumerate(regular, 1)]  # fmt: skip
    diary = found.diaries[0]
    rules = found.rules
    plan = []
    for number, wanted in enumerate(regular, 1):
        start = picks.get(number, wanted)
        if abs(start - wanted) > timedelta(days=ALTERNATIVE_DAYS):
            # Only times near the regular one were read from the diary (and offered): nothing else can be judged.
            problem = f"Pick a time within {ALTERNATIVE_DAYS} days of the usual one."
        else:
            problem = _why_not_free(start, diary=diary, found=found, now=now)
        alternatives = _alternatives(wanted, diary=diary, found=found, now=now) if problem else ()
        expires = intake is not None and intake.valid_until <= start
        plan.append(Session(number, wanted, start, problem, alternatives, expires))
        if not problem:
            busy = Interval(start, start + rules.duration + rules.buffer)
            diary = availability.Diary(diary.therapist_id, diary.therapist_name, diary.hours, (*diary.busy, busy))
    return plan


def screening_runs_out(*, valid_until: datetime | None, confirmed_at: datetime | None, start: datetime) -> bool:
    """Whether a session's screening runs out before it and the patient has not re-confirmed it since we asked
    (RECONFIRM_LEAD before it runs out): the desk flags such a session (desk/badges.py)."""
    if valid_until is None or valid_until > start:
        return False
    return confirmed_at is None or confirmed_at < valid_until - RECONFIRM_LEAD


# --- Reads and writes --------------------------------------------------------------------------------------------


def _diary_over(anchor: Appointment, regular: list[datetime]):
    """The therapist's diary from a few days before the first session to a few days after the last (four queries)."""
    zone = anchor.location.zone
    first = regular[0].astimezone(zone).date() - timedelta(days=ALTERNATIVE_DAYS)
    days = (regular[-1].astimezone(zone).date() - first).days + ALTERNATIVE_DAYS + 1
    return selectors.availability_for(
        location=anchor.location,
        service=anchor.service,
        window=selectors.local_window(anchor.location, first, days),
        therapist_ids=[anchor.therapist_id],
        by_staff=True,
    )


def _screening(anchor: Appointment, *, now: datetime) -> tuple[Intake | None, str]:
    """The screening the sessions rest on and the status they start in (services.booking_status's rules)."""
    if not anchor.service.needs_screening:
        return None, Appointment.Status.CONFIRMED
    intake = Intake.objects.current_of(anchor.patient, at=now)
    status = services.booking_status(
        service=anchor.service, intake=intake, now=now, patient=anchor.patient, by_staff=True
    )
    return intake, status


def _check_anchor(anchor: Appointment) -> None:
    if anchor.status not in Appointment.HELD:
        raise services.BookingError(
            f"This appointment is {anchor.get_status_display().lower()}, so no course can be planned from it."
        )


def course_plan(
    *, anchor: Appointment, every_days: int, count: int, picks: dict[int, datetime] | None = None, now=None
) -> list[Session]:
    """The sessions a course from `anchor` would book, each judged (no writes). Five queries with needling (four
    for the diary, one for the screening), four without."""
    now = now or timezone.now()
    check_numbers(every_days=every_days, count=count)
    _check_anchor(anchor)
    regular = regular_times(anchor.start, zone=anchor.location.zone, every_days=every_days, count=count)
    _check_horizon(anchor, regular, now=now)
    intake, _ = _screening(anchor, now=now)
    return plan_sessions(regular, found=_diary_over(anchor, regular), picks=picks or {}, now=now, intake=intake)


def _check_horizon(anchor: Appointment, regular: list[datetime], *, now: datetime) -> None:
    horizon = now + timedelta(days=max(anchor.location.horizon_days, selectors.STAFF_HORIZON_DAYS))
    if regular[-1] >= horizon:
        last = regular[-1].astimezone(anchor.location.zone)
        raise services.BookingError(
            f"The last session would be on {last:%-d %B %Y}, but bookings open only "
            f"{selectors.STAFF_HORIZON_DAYS} days ahead. Book fewer sessions or closer together."
        )


def course_book(
    *,
    anchor: Appointment,
    every_days: int,
    count: int,
    picks: dict[int, datetime] | None = None,
    actor,
    request=None,
    now: datetime | None = None,
) -> Course:
    """Book `count` more sessions of `anchor`'s service with its therapist, every `every_days` days at its local
    time (or at the time picked for a session), all in one transaction or none.

    Under the therapist's lock every session is checked against their hours, time off, closures and appointments
    and the patient's screening; any that is not free raises CourseClash with the whole plan and alternatives, and
    nothing is written. The exclusion constraint stays the last word: if it fires, the same. Then one insert makes
    the sessions, one the audit events, one the messages: the course's confirmation (every date, one calendar file)
    and each session's reminders; a screening that runs out before a later session owes the patient the
    returning-patient link before it does.

    Queries, whatever `count` is: therapist lock, anchor lock, diary (4), screening (needling), course, sessions
    (in a savepoint), anchor's course, audit events, messages, diary version."""
    now = now or timezone.now()
    check_numbers(every_days=every_days, count=count)
    with transaction.atomic():
        services.lock_therapists([anchor.therapist_id])
        anchor = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("location", "service", "therapist", "patient")
            .get(pk=anchor.pk)
        )
        _check_anchor(anchor)
        location, service = anchor.location, anchor.service
        regular = regular_times(anchor.start, zone=location.zone, every_days=every_days, count=count)
        _check_horizon(anchor, regular, now=now)
        intake, status = _screening(anchor, now=now)
        plan = plan_sessions(regular, found=_diary_over(anchor, regular), picks=picks or {}, now=now, intake=intake)
        if any(session.problem for session in plan):
            raise CourseClash(plan)
        course = Course.objects.create(
            patient=anchor.patient,
            therapist=anchor.therapist,
            location=location,
            service=service,
            every_days=every_days,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            created_at=now,
        )
        sessions = [
            Appointment(
                patient=anchor.patient,
                therapist=anchor.therapist,
                location=location,
                service=service,
                intake=intake,
                course=course,
                start=session.start,
                end=session.start + service.duration,
                blocked_until=session.start + service.duration + service.buffer,
                status=status,
                source=Appointment.Source.DESK,
                created_by=course.created_by,
                notify_email=anchor.notify_email,
                notify_sms=anchor.notify_sms,
                created_at=now,
            )
            for session in plan
        ]
        try:
            with transaction.atomic():
                Appointment.objects.bulk_create(sessions)
        except IntegrityError:  # the exclusion constraint: someone got in without our lock (cannot, but if)
            raise CourseClash(plan_sessions(regular, found=_diary_over(anchor, regular), picks=picks or {}, now=now,
                                            intake=intake)) from None  # fmt: skip
        if anchor.course_id is None:  # the session it was planned from is the course's first
            Appointment.objects.filter(pk=anchor.pk).update(course=course, updated_at=now)
        _audit(course, sessions, anchor=anchor, actor=actor, request=request)
        _owe_course_messages(course, sessions, anchor=anchor, intake=intake, now=now)
        services.diary_changed()
    return course


def _audit(course: Course, sessions: list[Appointment], *, anchor, actor, request) -> None:
    core_services.audit_record_many(
        actor=actor,
        action=AuditEvent.Action.APPOINTMENT_CREATE,
        objects=[(session, session.patient_id) for session in sessions],
        request=request,
        detail_of=lambda session: {
            "status": session.status,
            "source": session.source,
            "therapist_id": session.therapist_id,
            "course_id": course.pk,
            "planned_from": anchor.pk,
        },
    )


def _owe_course_messages(course: Course, sessions: list[Appointment], *, anchor, intake, now: datetime) -> None:
    owed = [(course, KIND_COURSE_CONFIRMATION, channel, now) for channel in anchor.channels]
    if sessions[0].status == Appointment.Status.CONFIRMED:  # held ones get theirs when a therapist approves
        for session in sessions:
            for kind, before in services.reminder_kinds().items():
                if session.start - before > now:
                    owed += [(session, kind, channel, session.start - before) for channel in session.channels]
    core_services.messages_queue_new(owed=owed)
    if intake is not None and any(intake.valid_until <= session.start for session in sessions):
        # The returning-patient link (intake's own message): "nothing changed" before the screening runs out.
        due = max(now, intake.valid_until - RECONFIRM_LEAD)
        core_services.message_queue(subject=intake, kind="intake.returning_link", channel="email", due_at=due,
                                    again=True)  # fmt: skip


# --- The patient's later sessions --------------------------------------------------------------------------------


def later_sessions(appointment: Appointment, *, now: datetime):
    """The held sessions of `appointment`'s course after it that the patient may still change (none outside a
    course)."""
    if appointment.course_id is None:
        return Appointment.objects.none()
    return (
        Appointment.objects.held()
        .filter(course_id=appointment.course_id, start__gt=appointment.start)
        .exclude(pk=appointment.pk)
        .select_related("location")
        .order_by("start")
    )


def course_cancel_from(
    *, appointment: Appointment, reason: str = "", request=None, now: datetime | None = None
) -> Appointment:
    """The patient cancels a session and every later one of its course through their link, each before its
    cut-off. One cancellation notice (for the session on the link); the later ones' messages are cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        cancelled = services.appointment_cancel(appointment=appointment, reason=reason, request=request, now=now)
        later = list(later_sessions(cancelled, now=now).select_for_update(of=("self",)))
        for session in later:
            if not session.patient_may_change(now=now):
                raise services.TooLateToChange(
                    "A later session of your course can no longer be cancelled online. Please call the clinic."
                )
            session.status = Appointment.Status.CANCELLED
            session.cancelled_at = now
            session.cancellation_reason = reason[:250]
            session.link_version += 1
            session.save(update_fields=["status", "cancelled_at", "cancellation_reason", "link_version", "updated_at"])
            core_services.message_cancel(subject=session)
            services.appointment_audit(
                session, {"change": "cancel", "by_patient": True, "with_course_from": cancelled.pk}, actor=None,
                request=request,
            )  # fmt: skip
        if later:  # their times are free again, for the waiting list (docs/design.md, "The waiting list")
            freed = [Interval(session.start, session.blocked_until) for session in later]
            waitlist.offers_for_freed(
                therapist_id=cancelled.therapist_id, location=cancelled.location, windows=freed, now=now
            )
        services.diary_changed()
    return cancelled


def later_times(appointment: Appointment, later: list[Appointment], start: datetime) -> list[datetime]:
    """Where the later sessions go when `appointment` moves to `start`: each keeps its distance in days from it and
    takes the new local time (a Tuesday-10:00 course moved to Wednesday 11:00 stays a Wednesday-11:00 course)."""
    zone = appointment.location.zone
    days = start.astimezone(zone).date() - appointment.start.astimezone(zone).date()
    at = start.astimezone(zone).time()
    return [
        availability.wall_clock_instant(session.start.astimezone(zone).date() + days, at, zone) for session in later
    ]


def _without(found, sessions: list[Appointment]):
    """The diary without the sessions being moved (each of their blocked times once), so they do not clash with
    themselves."""
    own = [Interval(session.start, session.blocked_until) for session in sessions]
    diaries = []
    for diary in found.diaries:
        busy = list(diary.busy)
        for interval in own:
            if interval in busy:
                busy.remove(interval)
        diaries.append(availability.Diary(diary.therapist_id, diary.therapist_name, diary.hours, tuple(busy)))
    return dataclasses.replace(found, diaries=diaries)


def course_move_from(*, appointment: Appointment, start: datetime, request=None, now: datetime | None = None):
    """The patient moves a session to `start` through its link and every later session of its course with it
    (later_times), each before its cut-off and each to a free time by the online rules, or nothing moves.

    One diary read for all of them. Each session gets a new link version and its reminders re-planned; the patient
    gets one message with every new time and a calendar file that updates the same entries (stable UIDs)."""
    now = now or timezone.now()
    seen = appointment
    with transaction.atomic():
        services.lock_therapists([appointment.therapist_id])
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("location", "service", "therapist", "patient")
            .get(pk=appointment.pk)
        )
        if appointment.link_version != seen.link_version:
            raise services.LinkWasReplaced
        if start == appointment.start:
            return appointment  # "moved" to the time it has: nothing changes, nobody is told
        later = list(later_sessions(appointment, now=now).select_for_update(of=("self",)))
        sessions = [appointment, *later]
        if any(not session.patient_may_change(now=now) for session in sessions):
            raise services.TooLateToChange("A session of your course can no longer be changed online.")
        location, service = appointment.location, appointment.service
        starts = [start, *later_times(appointment, later, start)]
        for when in starts:
            services._check_time(location=location, start=when, now=now)
        zone = location.zone
        first = min(starts).astimezone(zone).date()
        found = selectors.availability_for(
            location=location,
            service=service,
            window=selectors.local_window(location, first, (max(starts).astimezone(zone).date() - first).days + 1),
            therapist_ids=[appointment.therapist_id],
        )
        plan = plan_sessions(starts, found=_without(found, sessions), picks={}, now=now, intake=None)
        for session, planned in zip(sessions, plan, strict=True):
            if planned.problem:
                local = planned.start.astimezone(zone)
                raise services.BookingError(
                    f"Your session of {session.local_start:%-d %B} cannot move to {local:%A %-d %B at %H:%M}: that "
                    "time is not free. Nothing was moved: move only this session, or call the clinic."
                )
        previous = {session.pk: session.start for session in sessions}
        for session, when in zip(sessions, starts, strict=True):
            session.start, session.end = when, when + service.duration
            session.blocked_until = session.end + service.buffer
            session.link_version += 1
            session.updated_at = now
        try:
            with transaction.atomic():
                Appointment.objects.bulk_update(
                    sessions, ["start", "end", "blocked_until", "link_version", "updated_at"]
                )
        except IntegrityError:
            raise services.SlotTaken([]) from None
        for session in sessions:
            services._plan_reminders(session, now=now)
            services.appointment_audit(
                session,
                {"change": "reschedule", "from": previous[session.pk].isoformat(), "to": session.start.isoformat(),
                 "with_course_from": appointment.pk},
                actor=None,
                request=request,
            )  # fmt: skip
        for channel in appointment.channels:
            core_services.message_queue(
                subject=appointment.course, kind=KIND_COURSE_MOVED, channel=channel, again=True
            )
        # The times left behind are free again, for the waiting list (those the moved sessions took are not).
        freed = [Interval(previous[s.pk], previous[s.pk] + (s.blocked_until - s.start)) for s in sessions]
        waitlist.offers_for_freed(
            therapist_id=appointment.therapist_id, location=appointment.location, windows=freed, now=now
        )
        services.diary_changed()
    return appointment
