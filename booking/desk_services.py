"""Writes of the front-desk workspace that booking/services.py does not already have: moving an appointment along
its life at the desk (check in, finish, no show, undo, a staff cancel that notices a stale page) and therapists'
working hours and time off, and the clinic admin's merge of duplicate patient records. Booking, moving and cancelling
themselves stay in booking/services.py."""

from copy import copy
from datetime import datetime, time

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, Location
from intake.models import Patient

from . import services, waitlist
from .models import Appointment, Therapist, TimeOff, WorkingHours
from .patient_merge import move_patient_records

Status = Appointment.Status
Action = Appointment.Action


class StaleAppointment(services.BookingError):
    """The page the person acted on is out of date: someone changed the appointment in the meantime."""


class InvalidTransition(services.BookingError):
    pass


def _describe_change(appointment: Appointment) -> str:
    """'checked in by Sam Staff at 10:42 IST': the latest audited change, for a stale page's message."""
    event = (
        AuditEvent.objects.filter(object_type=appointment._meta.label_lower, object_id=str(appointment.pk))
        .select_related("actor")
        .first()
    )
    status = appointment.get_status_display().lower()
    if event is None:
        return status
    who = (event.actor.get_full_name() or event.actor.get_username()) if event.actor else "someone"
    local = event.at.astimezone(appointment.location.zone)
    return f"{status} (last changed by {who} at {local:%H:%M} {local:%Z})"


def _locked(appointment_id: int) -> Appointment:
    return Appointment.objects.select_for_update(of=("self",)).select_related("location").get(pk=appointment_id)


def _check_seen(appointment: Appointment, seen_status: str | None) -> None:
    if seen_status is not None and appointment.status != seen_status:
        raise StaleAppointment(
            f"Nothing was changed: this appointment is already {_describe_change(appointment)}. "
            "The page you used was out of date."
        )


def _refuse_unless_allowed(appointment: Appointment, action: str, now: datetime) -> None:
    why_not = appointment.why_not(action, now=now)
    if why_not is not None:
        raise InvalidTransition(why_not)


@transaction.atomic
def appointment_transition(
    *,
    appointment_id: int,
    action: str,
    actor,
    seen_status: str | None = None,
    follow_up_weeks: int | None = None,
    request=None,
    now: datetime | None = None,
) -> Appointment:
    """Check in, finish or mark a no show, as the appointment's own rules allow at `now`
    (Appointment.why_not), audited. Finishing takes the therapist's follow-up plan in weeks (or None).

    `seen_status` is the status the person was looking at: a second click, or a colleague's change in between, is
    answered with what happened instead of being applied."""
    now = now or timezone.now()
    if action not in (Action.CHECK_IN, Action.FINISH, Action.NO_SHOW):
        raise InvalidTransition("That is not something the desk can do to an appointment.")
    appointment = _locked(appointment_id)
    _check_seen(appointment, seen_status)
    _refuse_unless_allowed(appointment, action, now)
    if action == Action.FINISH:
        # Booking's own service: it also owes the aftercare advice and stops the reminders.
        return services.appointment_complete(
            appointment=appointment, actor=actor, follow_up_weeks=follow_up_weeks, request=request, now=now
        )
    previous = appointment.status
    appointment.status = Appointment.ACTION_TO[action]
    appointment.save(update_fields=["status", "updated_at"])
    services.appointment_audit(
        appointment, {"change": action, "from": previous, "to": appointment.status}, actor=actor, request=request
    )
    services.diary_changed()  # a no show frees the rest of its time
    return appointment


@transaction.atomic
def appointment_undo(
    *, appointment_id: int, actor, seen_status: str | None = None, request=None, now: datetime | None = None
) -> Appointment:
    """Step back a check-in, a no show or a finish made by mistake, on the day of the visit, audited.

    Undoing a finish takes back the aftercare advice and the follow-up nudge not yet sent; undoing a no show holds
    the time again, so it is refused if someone was booked into it meanwhile."""
    now = now or timezone.now()
    locked = _locked(appointment_id)
    _check_seen(locked, seen_status)
    _refuse_unless_allowed(locked, Action.UNDO, now)
    if locked.status == Status.NO_SHOW:
        services.lock_therapists([locked.therapist_id])
        if (
            Appointment.objects.held()
            .filter(therapist_id=locked.therapist_id)
            .overlapping(locked.start, locked.blocked_until)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise InvalidTransition(
                "Nothing was changed: the time of this no show has been booked for someone else since."
            )
    previous = locked.status
    locked.status = Appointment.UNDONE_TO[previous]
    fields = ["status", "updated_at"]
    if previous == Status.COMPLETED:
        locked.completed_at, locked.follow_up_weeks = None, None
        fields += ["completed_at", "follow_up_weeks"]
        core_services.message_cancel(subject=locked, kinds=[services.KIND_AFTERCARE, services.KIND_FOLLOW_UP])
    locked.save(update_fields=fields)
    services.appointment_audit(
        locked, {"change": "undo", "from": previous, "to": locked.status}, actor=actor, request=request
    )
    services.diary_changed()
    return locked


@transaction.atomic
def appointment_cancel_by_staff(
    *, appointment_id: int, reason: str, actor, seen_status: str | None = None, request=None, now=None
) -> Appointment:
    """Staff cancel what has not happened yet (Appointment.why_not); booking's cancel service frees the time,
    cancels the messages still owed and audits it. A page that is out of date is told what happened instead."""
    now = now or timezone.now()
    appointment = _locked(appointment_id)
    _check_seen(appointment, seen_status)
    _refuse_unless_allowed(appointment, Action.CANCEL, now)
    return services.appointment_cancel(
        appointment=appointment, reason=reason, actor=actor, by_patient=False, request=request, now=now
    )


# --- Working hours and time off ------------------------------------------------------------------------------


# What a change to each kind of set-up record is audited as.
_SETUP_ACTIONS = {WorkingHours: AuditEvent.Action.HOURS_CHANGE, TimeOff: AuditEvent.Action.TIME_OFF_CHANGE}


def _audit_setup(record: WorkingHours | TimeOff, change: str, *, actor, request, **detail) -> None:
    """Audit a change to a therapist's working hours or time off: ids and times only (time off's reason may be
    private)."""
    core_services.audit_record(
        actor=actor,
        action=_SETUP_ACTIONS[type(record)],
        obj=record,
        request=request,
        detail={"change": change, "via": "desk", "therapist_id": record.therapist_id, **detail},
    )


def _setup_save(record: WorkingHours | TimeOff, change: str, *, actor, request, then=None, **detail):
    """`then`: what the change owes before the diary version's bump (the last write), such as waiting-list offers."""
    record.full_clean()
    record.save()
    _audit_setup(record, change, actor=actor, request=request, **detail)
    if then is not None:
        then(record)
    services.diary_changed()
    return record


def _setup_delete(record: WorkingHours | TimeOff, *, actor, request, then=None, **detail) -> None:
    _audit_setup(record, "delete", actor=actor, request=request, **detail)
    record.delete()
    if then is not None:
        then(record)
    services.diary_changed()


@transaction.atomic
def working_hours_save(
    *,
    hours: WorkingHours | None = None,
    therapist: Therapist,
    location: Location,
    weekday: int,
    start_time: time,
    end_time: time,
    actor=None,
    request=None,
) -> WorkingHours:
    """Add a block of a therapist's week (or change `hours`), audited."""
    change = "add" if hours is None else "change"
    hours = hours or WorkingHours()
    hours.therapist, hours.location = therapist, location
    hours.weekday, hours.start_time, hours.end_time = weekday, start_time, end_time
    return _setup_save(
        hours,
        change,
        actor=actor,
        request=request,
        # New working time is offered to the waiting list (docs/design.md, "The waiting list").
        then=lambda saved: waitlist.offers_for_hours(hours=saved),
        location_id=location.pk,
    )


@transaction.atomic
def working_hours_delete(*, hours: WorkingHours, actor=None, request=None) -> None:
    _setup_delete(hours, actor=actor, request=request, location_id=hours.location_id)


@transaction.atomic
def time_off_save(
    *,
    time_off: TimeOff | None = None,
    therapist: Therapist,
    start: datetime,
    end: datetime,
    reason: str = "",
    actor=None,
    request=None,
) -> TimeOff:
    """Add (or change) time off, audited (without its reason, which may be private). Held appointments inside it are
    not touched: the desk is shown them to move. What a change frees (time off shortened, moved or given to another
    therapist) is offered to the waiting list, as a removal's is: the free times inside the old span, which the old
    time off blocked, are the ones freed."""
    change = "add" if time_off is None else "change"
    stored = copy(time_off)  # None for new time off
    time_off = time_off or TimeOff()
    time_off.therapist, time_off.start, time_off.end, time_off.reason = therapist, start, end, reason.strip()
    return _setup_save(
        time_off,
        change,
        actor=actor,
        request=request,
        then=None if stored is None else lambda _: waitlist.offers_for_lifted_time_off(stored),
        start=start.isoformat(),
        end=end.isoformat(),
    )


@transaction.atomic
def time_off_delete(*, time_off: TimeOff, actor=None, request=None) -> None:
    # What it blocked is offered to the waiting list (docs/design.md).
    _setup_delete(time_off, actor=actor, request=request, then=waitlist.offers_for_lifted_time_off)


# --- Duplicate patients --------------------------------------------------------------------------------------


class MergeRefused(services.BookingError):
    pass


@transaction.atomic
def patients_merge(*, keep: Patient, duplicate: Patient, actor, request=None) -> Patient:
    """Merge `duplicate` into `keep` (a clinic admin's decision at the desk): `keep` takes over its screenings,
    appointments, messages and admin history (booking/patient_merge.py, as migration booking.0006 did), the merge is
    audited as that migration's were (so a patient's export follows it), and `duplicate` is deleted. `keep`'s own
    name and contact details stay. Both rows are locked in id order, so two merges of the same pair cannot cross."""
    if keep.pk == duplicate.pk:
        raise MergeRefused("A record cannot be merged into itself. Choose the other record.")
    locked = {
        p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
    }
    if len(locked) != 2:
        raise MergeRefused("One of the two records no longer exists: it may have been merged a moment ago.")
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.is_erased or duplicate.is_erased:
        raise MergeRefused("An erased record cannot be merged.")
    moved = move_patient_records(apps, keep=keep, other=duplicate)
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.PATIENT_CHANGE,
        object_type=duplicate._meta.label_lower,
        object_id=str(duplicate.pk),
        patient_id=keep.pk,
        request=request,
        detail=moved.audit_detail(keep.pk),
    )
    duplicate.delete()
    return keep


@transaction.atomic
def therapist_calendar_feed_reset(*, therapist: Therapist, actor, request=None) -> Therapist:
    """A new calendar feed link for the therapist: the version in the link goes up, so the old link stops working
    at once (a lost phone, a shared calendar). Audited without the link itself."""
    locked = Therapist.objects.select_for_update().get(pk=therapist.pk)
    locked.calendar_feed_version += 1
    locked.save(update_fields=["calendar_feed_version"])
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.CALENDAR_FEED_RESET,
        obj=locked,
        request=request,
        detail={"version": locked.calendar_feed_version},
    )
    return locked
