"""Times as a patient should read them: in the location's own zone, with the zone named."""

from django import template

register = template.Library()


@register.filter
def local_when(value, location) -> str:
    """'Monday 16 June 2025, 09:00 IST'"""
    local = value.astimezone(location.zone)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local:%Z}"


@register.filter
def local_time(value, location) -> str:
    return f"{value.astimezone(location.zone):%H:%M}"


@register.filter
def zone_label(value, location) -> str:
    """'IST, Asia/Kolkata time'"""
    return f"{value.astimezone(location.zone):%Z}, {location.time_zone} time"
