"""Template filters of the desk: what an appointment allows now, asked of the model (templates never re-derive it)."""

from django import template
from django.utils.html import format_html_join

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


# The two loops of the day page that run once per appointment (200 at a busy location) are written with format_html
# rather than template markup: the template engine's per-variable cost made them most of the page's time
# (bench/bench_desk.py). Everything is escaped as in a template; the values come ready from GridAppointment.
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


@register.simple_tag
def appointment_blocks(blocks) -> str:
    """A grid column's appointments, each a link sized by its duration (desk/selectors.py: Block)."""
    return format_html_join(
        "", APPOINTMENT_BLOCK, ({"place": block.place, **_shown(block.appointment)} for block in blocks)
    )


@register.simple_tag
def day_sheet_rows(appointments) -> str:
    """The printed day sheet's rows, one per appointment in time order."""
    return format_html_join("", DAY_SHEET_ROW, (_shown(appointment) for appointment in appointments))


def _shown(appointment) -> dict:
    return {
        "classes": appointment.classes,
        "url": appointment.url,
        "time": appointment.time_label,
        "therapist": appointment.therapist_name,
        "name": appointment.patient_name,
        "phone": appointment.phone,
        "service": appointment.service_name,
        "elsewhere": appointment.elsewhere,
        "status_tone": appointment.status_tone,
        "status": appointment.status_label,
        "screening_tone": appointment.screening.tone,
        "screening": appointment.screening.badge,
        "screening_sheet": appointment.screening.sheet,
    }
