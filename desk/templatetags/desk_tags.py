"""Template filters of the desk: what an appointment allows now, asked of the model (templates never re-derive it)."""

from html import escape

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


# The time grid's cells and the printed day sheet's rows are Python f-strings over values escaped here rather than
# template markup or format_html: the template engine's per-variable cost, then format_html's per-argument escaping
# through Django's lazy-string wrapper, made them most of the page's time (bench/bench_desk.py): 200 appointments,
# and ten columns of headings, hours and hour lines that alone cost 4 ms as template markup. A str.format template
# filled from a dictionary of paths per appointment still cost twice what the f-strings do. Every value is escaped
# exactly as Django's escape() does (html.escape): what a day repeats (services, statuses, badges, times, therapists'
# names) once per loop, what is each appointment's own (its patient, link, place, phone) directly, where remembering
# it would cost more than escaping it.


class _Escaped(dict):
    """Each string's escaped form (django.utils.html.escape's output), worked out once."""

    def __missing__(self, text: str) -> str:
        self[text] = found = escape(text)
        return found


@register.simple_tag
def grid_cells(grid, *, week_url: str = "", location=None, day=None) -> str:
    """Everything inside a time grid (desk/selectors.py: Grid): the column headings (each therapist's linking to
    their week when `week_url` is given), the hour lines, then per column its working hours, time off, closure and
    appointments, and the now-line. Rows, spans and columns are numbers (Block.place), so never escaped."""
    shared, written = _Escaped(), ['<div class="grid-corner c-1 r-1"></div>\n']
    if week_url:
        week_of = f"{escape(week_url)}?location={escape(location.slug)}&amp;therapist={{}}&amp;date={day:%Y-%m-%d}"
    for column in grid.columns:
        heading = escape(column.heading)
        if week_url and column.therapist_id:
            link = week_of.format(column.therapist_id)
            heading = f'<a href="{link}">{heading}<span class="visually-hidden">: week</span></a>'
        marks = (" own" if column.is_own else "") + (" today" if column.is_today else "")
        yours = ' <span class="badge text-bg-primary">Yours</span>' if column.is_own else ""
        sub = f'<span class="small">{escape(column.subheading)}</span>' if column.subheading else ""
        written.append(
            f'<div class="grid-head c-{column.column} r-1{marks}">'
            f'<h3 class="h6 mb-0">{heading}{yours}</h3>{sub}</div>\n'
        )
    written.extend(f'<div class="grid-hour c-1 r-{row} s-12">{label}</div>' for row, label in grid.hour_lines)
    for column in grid.columns:
        written.extend(f'<div class="grid-hours {block.place}"></div>' for block in column.hours)
        written.extend(f'<div class="grid-off {block.place}"><span>Time off</span></div>' for block in column.off)
        if column.closed:
            closed = escape(column.closed.label)
            written.append(f'<div class="grid-closed {column.closed.place}"><span>Closed: {closed}</span></div>')
        written.append("\n")
        written.append(_appointment_blocks(column.appointments, shared))
    if grid.now_row:
        across = f"c-{grid.now_column}" if grid.now_column else "all-cols"
        written.append(
            f'<div class="now-line r-{grid.now_row} {across}"><span class="visually-hidden">Now</span></div>'
        )
    return mark_safe("".join(written))  # every value escaped


def _appointment_blocks(blocks, shared: _Escaped) -> str:
    """A grid column's appointments, each a link sized by its duration (desk/selectors.py: Block); `shared` holds the
    grid's escaped strings."""
    written = []
    for block in blocks:
        appointment, screening = block.appointment, block.appointment.screening
        written.append(
            f'<a class="grid-appt {shared[appointment.classes]} {block.place}" '
            f'href="{escape(appointment.url)}">'
            f'<span class="grid-appt-time">{shared[appointment.time_label]}</span>'
            f'<span class="grid-appt-name">{escape(appointment.patient_name)}</span>'
            f'<span class="grid-appt-more">{shared[appointment.service_name]}{shared[appointment.elsewhere]}</span>'
            f'<span class="grid-appt-badges"><span class="badge status-badge {shared[appointment.status_tone]}">'
            f"{shared[appointment.status_label]}</span> "
            f'<span class="badge {shared[screening.tone]}">{shared[screening.badge]}</span></span></a>\n'
        )
    return "".join(written)


@register.simple_tag
def day_sheet_rows(appointments) -> str:
    """The printed day sheet's rows, one per appointment in time order."""
    shared, written = _Escaped(), []
    for appointment in appointments:
        written.append(
            f"<tr><td>{shared[appointment.time_label]}</td><td>{shared[appointment.therapist_name]}</td>"
            f"<td>{escape(appointment.patient_name)}</td><td>{escape(appointment.phone)}</td>"
            f"<td>{shared[appointment.service_name]}</td><td>{shared[appointment.status_label]}</td>"
            f"<td>{shared[appointment.screening.sheet]}</td></tr>\n"
        )
    return mark_safe("".join(written))  # every value escaped
