"""Template filters of the desk's course page."""

from django import template

from booking import courses
from clinic.core import parsing

register = template.Library()


@register.filter
def start_param(value) -> str:
    """A start time as forms carry it (clinic.core.parsing.START_FORMAT, UTC), whatever zone the page is in."""
    return parsing.start_param(value)


@register.filter
def runs_out_before(intake, appointment) -> bool:
    """Whether `intake` (the patient's latest screening, already read) is the one `appointment` rests on and runs out
    before it without a re-confirmation: the patient page flags the session, without a query per appointment."""
    return (
        intake is not None
        and appointment.intake_id == intake.pk
        and courses.screening_runs_out(
            valid_until=intake.valid_until, confirmed_at=intake.confirmed_unchanged_at, start=appointment.start
        )
    )
