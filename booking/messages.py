"""Booking's outbox message kinds (registered in apps.py). No health details; links carry only a signed token."""

from django.template.loader import render_to_string
from django.utils import timezone

from clinic.core import outbox

from .calendar import WHAT_TO_WEAR, appointment_ics, manage_url
from .models import Appointment
from .services import manage_token


def _appointment(message) -> Appointment | None:
    appointment = message.subject_object
    return appointment if isinstance(appointment, Appointment) else None


def render_confirmation(message) -> outbox.RenderedMessage | None:
    appointment = _appointment(message)
    if appointment is None:
        return None
    # The token is made at sending time, so its lifetime counts from when the patient receives it.
    token = manage_token(appointment)
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "location": appointment.location,
        "manage_url": manage_url(token),
        "what_to_wear": WHAT_TO_WEAR,
    }
    local = appointment.local_start
    return outbox.RenderedMessage(
        to=[appointment.patient.email],
        subject=f"Booked: {appointment.service.name} on {local:%A %-d %B at %H:%M} ({local:%Z})",
        text=render_to_string("booking/email/confirmation.txt", context),
        html=render_to_string("booking/email/confirmation.html", context),
        attachments=[("appointment.ics", appointment_ics(appointment, token=token), "text/calendar")],
    )


def confirmation_still_due(message) -> bool:
    appointment = _appointment(message)
    return (
        appointment is not None
        and appointment.status == Appointment.Status.CONFIRMED
        and appointment.end > timezone.now()
    )


def register() -> None:
    from .services import KIND_CONFIRMATION

    outbox.register_kind(KIND_CONFIRMATION, render=render_confirmation, still_due=confirmation_still_due)
