"""Writes of the front-desk workspace that booking/services.py does not already have: moving an appointment along
its life at the desk (check in, finish, no show, undo, a staff cancel that notices a stale page) and therapists'
working hours and time off. Booking, moving and cancelling themselves stay in booking/services.py."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, Location

from . import services
from .models import Appointment, Therapist, TimeOff, WorkingHours

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
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.APPOINTMENT_CHANGE,
        obj=appointment,
        patient_id=appointment.patient_id,
        request=request,
        detail={"change": action, "from": previous, "to": appointment.status},
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
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.APPOINTMENT_CHANGE,
        obj=locked,
        patient_id=locked.patient_id,
        request=request,
        detail={"change": "undo", "from": previous, "to": locked.status},
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


def _audit_setup(*, actor, action: str, obj, change: str, request=None, **detail) -> None:
    core_services.audit_record(
        actor=actor, action=action, obj=obj, request=request, detail={"change": change, "via": "desk", **detail}
    )


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
    hours.full_clean()
    hours.save()
    _audit_setup(
        actor=actor,
        action=AuditEvent.Action.HOURS_CHANGE,
        obj=hours,
        change=change,
        request=request,
        therapist_id=therapist.pk,
        location_id=location.pk,
    )
    services.diary_changed()
    return hours


@transaction.atomic
def working_hours_delete(*, hours: WorkingHours, actor=None, request=None) -> None:
    _audit_setup(
        actor=actor,
        action=AuditEvent.Action.HOURS_CHANGE,
        obj=hours,
        change="delete",
        request=request,
        therapist_id=hours.therapist_id,
        location_id=hours.location_id,
    )
    hours.delete()
    services.diary_changed()


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
    not touched: the desk is shown them to move."""
    change = "add" if time_off is None else "change"
    time_off = time_off or TimeOff()
    time_off.therapist, time_off.start, time_off.end, time_off.reason = therapist, start, end, reason.strip()
    time_off.full_clean()
    time_off.save()
    _audit_setup(
        actor=actor,
        action=AuditEvent.Action.TIME_OFF_CHANGE,
        obj=time_off,
        change=change,
        request=request,
        therapist_id=therapist.pk,
        start=start.isoformat(),
        end=end.isoformat(),
    )
    services.diary_changed()
    return time_off


@transaction.atomic
def time_off_delete(*, time_off: TimeOff, actor=None, request=None) -> None:
    _audit_setup(
        actor=actor,
        action=AuditEvent.Action.TIME_OFF_CHANGE,
        obj=time_off,
        change="delete",
        request=request,
        therapist_id=time_off.therapist_id,
    )
    time_off.delete()
    services.diary_changed()
