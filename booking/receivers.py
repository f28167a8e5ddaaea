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


def held_appointments(intakes, *, check_clash: bool = False) -> dict[int, list[HeldAppointment]]:
    """The appointments waiting for these screenings' review, by intake id (one query), each with what approving it
    would clash with when `check_clash` (three queries each: the review page of one screening)."""
    held = (
        selectors.appointments_of_intakes_pending([intake.pk for intake in intakes])
        .select_related("location", "therapist")
        .order_by("start", "pk")
    )
    found: dict[int, list[HeldAppointment]] = {}
    for appointment in held:
        found.setdefault(appointment.intake_id, []).append(
            HeldAppointment(
                when=local_when(appointment.start, appointment.location),
                location=appointment.location.name,
                therapist=appointment.therapist.display_name,
                clash=selectors.approval_clash(appointment) if check_clash else "",
                # By URL name only: the desk sits above booking.
                move_url=reverse("desk:reschedule", args=[appointment.pk]),
                location_id=appointment.location_id,
            )
        )
    return found


def on_intake_reviewed(sender, *, intake, decision, actor=None, **kwargs):
    services.appointments_decide_for_intake(intake=intake, decision=decision, actor=actor)
