"""Template filters of the desk's course page."""

from django import template

from clinic.core import parsing

register = template.Library()


@register.filter
def start_param(value) -> str:
    """A start time as forms carry it (clinic.core.parsing.START_FORMAT, UTC), whatever zone the page is in."""
    return parsing.start_param(value)
