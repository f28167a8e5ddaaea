"""Hooks booking gives the intake: its list of services, and what a review decision does to appointments.
No logic here: each calls a selector or a service."""

from django.urls import reverse

from intake.catalogue import HeldAppointment, ServiceOption

from . import selectors, services
from .templatetags.booking_tags import local_when


def service_options(location) -> list[ServiceOption]:
    return [
        ServiceOption(
            slug=service.slug,
            name=service.name,
            needs_screening=service.needs_screening,
            uses_electrical_stimulation=service.uses_electrical_stimulation,
        )
        for service in selectors.services_at(location)
    ]


def held_appointments(intake) -> list[HeldAppointment]:
    """The appointments waiting for this screening's review, each with what approving it would clash with."""
    held = selectors.appointments_of_intake_pending(intake.pk).select_related("location", "therapist")
    return [
        HeldAppointment(
            when=local_when(appointment.start, appointment.location),
            location=appointment.location.name,
            therapist=appointment.therapist.display_name,
            clash=selectors.approval_clash(appointment),
            # By URL name only: the desk sits above booking.
            move_url=reverse("desk:reschedule", args=[appointment.pk]),
        )
        for appointment in held.order_by("start")
    ]


def on_intake_reviewed(sender, *, intake, decision, actor=None, **kwargs):
    services.appointments_decide_for_intake(intake=intake, decision=decision, actor=actor)
