"""Writes of the front-desk workspace that booking/services.py does not already have: moving an appointment along
its life at the desk (check in, finish, no show, a staff cancel that notices a stale page) and therapists' working
hours and time off. Booking, moving and cancelling themselves stay in booking/services.py."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, Location

from . import services
from .models import Appointment, Therapist, TimeOff, WorkingHours

Status = Appointment.Status


class StaleAppointment(services.BookingError):
    """The page the person acted on is out of date: someone changed the appointment in the meantime."""


class InvalidTransition(services.BookingError):
    pass


# What each desk action needs, and where it takes the appointment.
TRANSITIONS = {
    "check_in": ({Status.CONFIRMED}, Status.CHECKED_IN),
    "finish": ({Status.CHECKED_IN}, Status.COMPLETED),
    "no_show": ({Status.CONFIRMED}, Status.NO_SHOW),
}

_WHY_NOT = {
    ("check_in", Status.PENDING_REVIEW): "Its screening still waits for a therapist's review, so it is not confirmed.",
    ("finish", Status.CONFIRMED): "The patient has not been checked in yet. Check them in first.",
    ("finish", Status.PENDING_REVIEW): "Its screening still waits for a therapist's review.",
    ("no_show", Status.CHECKED_IN): "The patient is checked in, so they came.",
    ("no_show", Status.PENDING_REVIEW): "Its screening still waits for a therapist's review; cancel it instead.",
}


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
    """Check in, finish or mark a no show (`action` is a key of TRANSITIONS), audited. Finishing takes the
    therapist's follow-up plan in weeks (or None).

    `seen_status` is the status the person was looking at: a second click, or a colleague's change in between, is
    answered with what happened instead of being applied."""
    now = now or timezone.now()
    allowed_from, to = TRANSITIONS[action]
    appointment = _locked(appointment_id)
    _check_seen(appointment, seen_status)
    if appointment.status not in allowed_from:
        why = _WHY_NOT.get((action, appointment.status), "")
        label = {"check_in": "checked in", "finish": "finished", "no_show": "marked as a no show"}[action]
        raise InvalidTransition(
            f"This appointment is {appointment.get_status_display().lower()}, so it cannot be {label}. {why}".strip()
        )
    if action == "no_show" and now < appointment.start:
        local = appointment.start.astimezone(appointment.location.zone)
        raise InvalidTransition(f"A no show can only be recorded after the start time ({local:%H:%M} {local:%Z}).")
    if action == "finish":
        # Booking's own service: it also owes the aftercare advice and stops the reminders.
        return services.appointment_complete(
            appointment=appointment, actor=actor, follow_up_weeks=follow_up_weeks, request=request, now=now
        )
    previous = appointment.status
    appointment.status = to
    appointment.save(update_fields=["status", "updated_at"])
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.APPOINTMENT_CHANGE,
        obj=appointment,
        patient_id=appointment.patient_id,
        request=request,
        detail={"change": action, "from": previous, "to": to},
    )
    services.diary_changed()  # a no show frees the rest of its time
    return appointment


@transaction.atomic
def appointment_cancel_by_staff(
    *, appointment_id: int, reason: str, actor, seen_status: str | None = None, request=None
) -> Appointment:
    """Staff cancel any held appointment, any time; booking's cancel service frees the time, cancels the messages
    still owed and audits it. A page that is out of date is told what happened instead."""
    appointment = _locked(appointment_id)
    _check_seen(appointment, seen_status)
    if not appointment.is_held:
        raise InvalidTransition(
            f"This appointment is {appointment.get_status_display().lower()}, so there is nothing to cancel."
        )
    return services.appointment_cancel(
        appointment=appointment, reason=reason, actor=actor, by_patient=False, request=request
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
