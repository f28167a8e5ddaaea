"""Hooks booking gives the intake: its list of services, and what a review decision does to appointments.
No logic here: each calls a selector or a service."""

from intake.catalogue import ServiceOption

from . import selectors, services


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


def on_intake_reviewed(sender, *, intake, decision, actor=None, **kwargs):
    services.appointments_decide_for_intake(intake=intake, decision=decision, actor=actor)
