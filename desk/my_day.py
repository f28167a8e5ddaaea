"""Reads of a therapist's day (/desk/my-day/): their appointments on one local day, each with what the page shows,
in a fixed number of queries however many there are (docs/access.md: health details only with the permission)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from booking.models import Appointment, Therapist
from clinic.core.models import Location
from intake.selectors import screening_reasons

from .selectors import Staff, appointments_for_staff, therapists_for_staff

# Local days of locations anywhere on Earth fall within this much of the UTC day.
WIDEST_OFFSET = timedelta(hours=14)


@dataclass
class DayRow:
    appointment: Appointment
    actions: frozenset[str]  # Appointment.allowed_actions, or nothing for someone who may not change it
    reasons: list[dict]  # why the screening was flagged: empty without the health-answers permission


def therapists_of_day(staff: Staff) -> list[Therapist]:
    """Whose day the member of staff may open: therapists their own; the desk those of its locations; admins any."""
    return list(therapists_for_staff(staff))


def home_location(therapist: Therapist) -> Location | None:
    """The first location the therapist works at: whose calendar says what "today" is."""
    return therapist.locations.filter(is_active=True).order_by("name", "pk").first()


def therapist_day(staff: Staff, therapist: Therapist, day: date, *, now: datetime, health: bool) -> list[DayRow]:
    """The therapist's appointments whose local date (at their own location) is `day`, at the locations the member
    of staff sees, soonest first. One query; the intake's reasons and precautions are read only with `health`."""
    appointments = appointments_for_staff(staff)
    if health:  # the selector leaves every health field out; the answers themselves are never needed here
        appointments = appointments.defer(None).defer("intake__answers")
    first = datetime(day.year, day.month, day.day, tzinfo=UTC) - WIDEST_OFFSET
    found = appointments.filter(
        therapist=therapist, start__gte=first, start__lt=first + timedelta(days=1) + 2 * WIDEST_OFFSET
    ).order_by("start", "pk")
    return [
        DayRow(
            appointment=appointment,
            actions=appointment.allowed_actions(now=now) if staff.may_change(appointment) else frozenset(),
            reasons=screening_reasons(appointment.intake) if health and appointment.intake else [],
        )
        for appointment in found
        if appointment.local_start.date() == day
    ]
