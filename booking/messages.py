"""Booking's outbox message kinds (registered in apps.py): how each renders, and whether it is still due when the
sweep reaches it.

Every message names the service, the therapist, the place and the time in the location's own zone (zone named), and
nothing about the patient's health: no screening outcome, no answers, no reasons for a cancellation. The only
personal link is the signed self-service token; the others are public pages, by URL path (booking does not import
the education app).
"""

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.core import outbox
from clinic.core.models import OutboundMessage

from . import services
from .calendar import WHAT_TO_WEAR, appointment_ics, manage_url
from .models import Appointment
from .services import manage_token

# A reminder may go this much before its planned time (sweeps run every minute, clocks differ a little), never more:
# anything earlier means the appointment moved later and this row was not moved with it.
REMINDER_EARLY_GRACE = timedelta(minutes=5)
# Aftercare that could not go out for days (a long outage) is no longer "the first two days" advice.
AFTERCARE_STALE_AFTER = timedelta(days=2)

# Public pages the messages link to, by path only.
LEARN_PATHS = {
    "aftercare": "/learn/aftercare/",
    "safety": "/learn/safety/",
    "faq": "/learn/faq/",
    "what_to_expect": "/learn/what-to-expect/",
    "how_many_sessions": "/learn/how-many-sessions/",
}


def _appointment(message) -> Appointment | None:
    appointment = message.subject_object
    return appointment if isinstance(appointment, Appointment) else None


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _rendered(
    message, appointment: Appointment, template: str, subject: str, *, ics_token: str | None = None, **extra
) -> outbox.RenderedMessage:
    """E-mail (text and HTML, with the .ics when given a token) or a short SMS, from booking/email/<template>.*"""
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "location": appointment.location,
        "what_to_wear": WHAT_TO_WEAR,
        "book_url": _site(
            reverse("booking:start")
            + "?"
            + urlencode({"service": appointment.service.slug, "location": appointment.location.slug})
        ),
        "learn": {name: _site(path) for name, path in LEARN_PATHS.items()},
        **extra,
    }
    if message.channel == OutboundMessage.Channel.SMS:
        phone = appointment.patient.phone
        # Stored validated by the phone number field; an empty or broken one leaves nobody to text (skipped).
        to = [phone.as_e164] if phone and phone.is_valid() else []
        text = " ".join(render_to_string(f"booking/email/{template}.sms.txt", context).split())
        return outbox.RenderedMessage(to=to, text=text)
    attachments = []
    if ics_token is not None:
        attachments.append(("appointment.ics", appointment_ics(appointment, token=ics_token), "text/calendar"))
    return outbox.RenderedMessage(
        to=[appointment.patient.email] if appointment.patient.email else [],
        subject=subject,
        text=render_to_string(f"booking/email/{template}.txt", context),
        html=render_to_string(f"booking/email/{template}.html", context),
        attachments=attachments,
    )


def _when(appointment: Appointment) -> str:
    """'Monday 16 June at 09:00 (India time)' for subject lines."""
    local = appointment.local_start
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({appointment.location.zone_name})"


def _is_ahead(appointment: Appointment | None, *statuses: str) -> bool:
    return appointment is not None and appointment.status in statuses and appointment.end > timezone.now()


# --- Confirmation and "moved" notice ---------------------------------------------------------------------------


def _renderer(
    template: str, subject: Callable[[Appointment], str], context: Callable[[Appointment], dict] = lambda _: {}
):
    """The renderer of a kind: none once its appointment is gone; `context` gives what the template needs beyond the
    appointment, made at sending time."""

    def render(message) -> outbox.RenderedMessage | None:
        appointment = _appointment(message)
        if appointment is None:
            return None
        return _rendered(message, appointment, template, subject(appointment), **context(appointment))

    return render


def _calendar(appointment: Appointment) -> dict:
    """The time with a calendar file and the self-service link (confirmation, held and moved notices). The token is
    made at sending time, so its lifetime counts from when the patient receives it."""
    token = manage_token(appointment)
    return {"ics_token": token, "manage_url": manage_url(token)}


def _change_link(appointment: Appointment) -> dict:
    return {
        "manage_url": manage_url(manage_token(appointment)),
        "can_change": services.can_patient_change(appointment),
    }


render_confirmation = _renderer("confirmation", lambda a: f"Booked: {a.service.name} on {_when(a)}", _calendar)
render_held = _renderer("held", lambda a: f"Held for you: {a.service.name} on {_when(a)}", _calendar)
render_rescheduled = _renderer("rescheduled", lambda a: f"Moved: {a.service.name} is now on {_when(a)}", _calendar)


def confirmation_still_due(message) -> bool:
    return _is_ahead(_appointment(message), Appointment.Status.CONFIRMED)


def held_still_due(message) -> bool:
    """Only while it waits for the therapist: once decided, the confirmation or the cancellation says so."""
    return _is_ahead(_appointment(message), Appointment.Status.PENDING_REVIEW)


def rescheduled_still_due(message) -> bool:
    return _is_ahead(_appointment(message), Appointment.Status.CONFIRMED)


# --- Reminders ---------------------------------------------------------------------------------------------------


render_reminder = _renderer("reminder", lambda a: f"Reminder: {a.service.name} on {_when(a)}", _change_link)


def reminder_still_due(before: timedelta):
    """Still confirmed (a pending appointment gets its reminders when approved, so none are owed before), still
    ahead, and this reminder's time by the appointment's current start has come: a moved appointment's reminder
    was moved with it, and one that was somehow left behind is not sent early."""

    def still_due(message) -> bool:
        appointment = _appointment(message)
        if appointment is None or appointment.status != Appointment.Status.CONFIRMED:
            return False
        now = timezone.now()
        return appointment.start - before - REMINDER_EARLY_GRACE <= now < appointment.start

    return still_due


# --- Cancellation ------------------------------------------------------------------------------------------------


render_cancellation = _renderer("cancellation", lambda a: f"Cancelled: {a.service.name} on {_when(a)}")


def cancellation_still_due(message) -> bool:
    appointment = _appointment(message)
    return appointment is not None and appointment.status == Appointment.Status.CANCELLED


# --- After the session ---------------------------------------------------------------------------------------------


render_aftercare = _renderer("aftercare", lambda _: "After your session today: what helps")


def aftercare_still_due(message) -> bool:
    appointment = _appointment(message)
    return (
        appointment is not None
        and appointment.status == Appointment.Status.COMPLETED
        and appointment.completed_at is not None
        and timezone.now() < appointment.completed_at + AFTERCARE_STALE_AFTER
    )


render_follow_up = _renderer("follow_up", lambda _: "Time to book your next session")


def follow_up_still_due(message) -> bool:
    """Not when the patient already booked a later appointment (any service, any location) that still holds."""
    appointment = _appointment(message)
    if appointment is None or appointment.status != Appointment.Status.COMPLETED or not appointment.follow_up_weeks:
        return False
    booked_again = (
        Appointment.objects.held()
        .filter(patient_id=appointment.patient_id, start__gt=appointment.start)
        .exclude(pk=appointment.pk)
        .exists()
    )
    return not booked_again


def register() -> None:
    """Register every kind booking queues; the reminders follow BOOKING_REMINDER_OFFSETS_HOURS."""
    outbox.register_kind(services.KIND_CONFIRMATION, render=render_confirmation, still_due=confirmation_still_due)
    outbox.register_kind(services.KIND_HELD, render=render_held, still_due=held_still_due)
    outbox.register_kind(services.KIND_RESCHEDULED, render=render_rescheduled, still_due=rescheduled_still_due)
    outbox.register_kind(services.KIND_CANCELLATION, render=render_cancellation, still_due=cancellation_still_due)
    outbox.register_kind(services.KIND_AFTERCARE, render=render_aftercare, still_due=aftercare_still_due)
    outbox.register_kind(services.KIND_FOLLOW_UP, render=render_follow_up, still_due=follow_up_still_due)
    for kind, before in services.reminder_kinds().items():
        outbox.register_kind(kind, render=render_reminder, still_due=reminder_still_due(before))
    from . import waitlist_messages  # the waiting list's offer (it builds on booking's services)

    waitlist_messages.register()
