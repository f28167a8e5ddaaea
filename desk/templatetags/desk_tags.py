"""Template filters of the desk: what an appointment allows now, asked of the model (templates never re-derive it)."""

from django import template

register = template.Library()


@register.filter
def actions_at(appointment, now) -> frozenset[str]:
    """The actions staff may take on `appointment` at `now` (Appointment.allowed_actions)."""
    return appointment.allowed_actions(now=now)
