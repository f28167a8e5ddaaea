"""Template filters of the desk: what an appointment allows now, asked of the model (templates never re-derive it)."""

import html
from operator import attrgetter

from django import template
from django.utils.safestring import mark_safe

from desk import badges

register = template.Library()


@register.filter
def actions_at(appointment, now) -> frozenset[str]:
    """The actions staff may take on `appointment` at `now` (Appointment.allowed_actions)."""
    return appointment.allowed_actions(now=now)


@register.filter
def status_tone(status: str) -> str:
    """The badge colour of an appointment's status (desk/badges.py)."""
    return badges.status_tone(status)


@register.filter
def screening(appointment) -> badges.Screening:
    """The screening badge of an appointment: its intake's outcome only (desk/badges.py)."""
    return badges.screening_of(appointment)


# The two loops of the day page that run once per appointment (200 at a busy location) are plain str.format over
# values escaped here rather than template markup or format_html: the template engine's per-variable cost, then
# format_html's per-argument escaping through Django's lazy-string wrapper, made them most of the page's time
# (bench/bench_desk.py). Every value is escaped exactly as Django's escape() does (html.escape), each distinct
# string once per loop: a day repeats a handful of services, statuses, badges and therapists' names.
APPOINTMENT_BLOCK = (
    '<a class="grid-appt {classes} {place}" href="{url}"><span class="grid-appt-time">{time}</span>'
    '<span class="grid-appt-name">{name}</span><span class="grid-appt-more">{service}{elsewhere}</span>'
    '<span class="grid-appt-badges"><span class="badge status-badge {status_tone}">{status}</span> '
    '<span class="badge {screening_tone}">{screening}</span></span></a>\n'
)
DAY_SHEET_ROW = (
    "<tr><td>{time}</td><td>{therapist}</td><td>{name}</td><td>{phone}</td><td>{service}</td><td>{status}</td>"
    "<td>{screening_sheet}</td></tr>\n"
)


# Where each placeholder's value comes from: a grid block (desk/selectors.py: Block) or an appointment of the sheet.
BLOCK_VALUES = {
    "classes": "appointment.classes",
    "place": "place",
    "url": "appointment.url",
    "time": "appointment.time_label",
    "name": "appointment.patient_name",
    "service": "appointment.service_name",
    "elsewhere": "appointment.elsewhere",
    "status_tone": "appointment.status_tone",
    "status": "appointment.status_label",
    "screening_tone": "appointment.screening.tone",
    "screening": "appointment.screening.badge",
}
SHEET_VALUES = {
    "time": "time_label",
    "therapist": "therapist_name",
    "name": "patient_name",
    "phone": "phone",
    "service": "service_name",
    "status": "status_label",
    "screening_sheet": "screening.sheet",
}


class _Escaped(dict):
    """Each string's escaped form (django.utils.html.escape's output), worked out once."""

    def __missing__(self, text: str) -> str:
        self[text] = found = html.escape(text)
        return found


def _written(template: str, values: dict[str, str], items) -> str:
    """`template` filled in once per item, each placeholder with the item's value at its path, escaped."""
    getters = {name: attrgetter(path) for name, path in values.items()}
    escaped = _Escaped()
    return mark_safe(  # every value escaped
        "".join(template.format_map({name: escaped[get(item)] for name, get in getters.items()}) for item in items)
    )


@register.simple_tag
def appointment_blocks(blocks) -> str:
    """A grid column's appointments, each a link sized by its duration (desk/selectors.py: Block)."""
    return _written(APPOINTMENT_BLOCK, BLOCK_VALUES, blocks)


@register.simple_tag
def day_sheet_rows(appointments) -> str:
    """The printed day sheet's rows, one per appointment in time order."""
    return _written(DAY_SHEET_ROW, SHEET_VALUES, appointments)
