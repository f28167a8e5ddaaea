"""Reads of booking that feed the availability arithmetic: one location's diaries for a date range, in a constant
number of queries however many therapists, days and appointments there are."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Subquery

from clinic.core.models import Location

from . import availability
from .availability import Diary, Interval, Rules, WeeklyHours
from .models import Appointment, Closure, Service, ServiceOffering, Therapist, TimeOff, WorkingHours


@dataclass(frozen=True)
class Availability:
    """Everything the pure functions need for one location, service and date range."""

    location: Location
    service: Service
    rules: Rules
    window: Interval
    diaries: list[Diary]
    closures: list[Interval]

    def slots(self, *, now: datetime) -> list[availability.Slot]:
        kwargs = {"zone": self.location.zone, "rules": self.rules, "window": self.window, "now": now}
        return availability.free_slots_any(self.diaries, closures=self.closures, **kwargs)


# Staff at the desk book walk-ins and plan courses of treatment: no online notice, a year ahead at least.
STAFF_HORIZON_DAYS = 365


def rules_for(location: Location, service: Service, *, by_staff: bool = False) -> Rules:
    return Rules(
        duration=service.duration,
        buffer=service.buffer,
        step=timedelta(minutes=location.slot_step_minutes),
        min_notice=timedelta(0) if by_staff else timedelta(minutes=location.min_notice_minutes),
        horizon=timedelta(days=max(location.horizon_days, STAFF_HORIZON_DAYS) if by_staff else location.horizon_days),
    )


def local_window(location: Location, first_day: date, days: int) -> Interval:
    zone = location.zone
    return Interval(
        availability.local_day(first_day, zone).start,
        availability.local_day(first_day + timedelta(days=days - 1), zone).end,
    )


def availability_for(
    *,
    location: Location,
    service: Service,
    window: Interval,
    therapist_ids: list[int] | None = None,
    ignore_appointment_id: int | None = None,
    by_staff: bool = False,
) -> Availability:
    """Diaries of the therapists who offer `service` at `location` (all of them, or those in `therapist_ids`).

    Four queries: working hours (with the therapists' names), time off, closures, held appointments. Appointments at
    any location count, since a therapist cannot be in two clinics at once; they come as tuples, not models, because
    a busy location has thousands. `ignore_appointment_id` leaves one appointment out (the one being moved);
    `by_staff` applies the desk's rules (no minimum notice, a longer horizon) instead of the online ones."""
    hours = WorkingHours.objects.filter(
        location=location,
        therapist__is_active=True,
        therapist__locations=location,
        therapist__services=service,
    )
    if therapist_ids is not None:
        hours = hours.filter(therapist_id__in=therapist_ids)
    rows = list(
        hours.order_by("therapist").values_list(
            "therapist_id", "therapist__display_name", "weekday", "start_time", "end_time"
        )
    )
    names: dict[int, str] = {}
    weekly: dict[int, list[WeeklyHours]] = defaultdict(list)
    for therapist_id, name, weekday, start_time, end_time in rows:
        names.setdefault(therapist_id, name)
        weekly[therapist_id].append(WeeklyHours(weekday, start_time, end_time))

    # A slot's buffer may reach past the window's end, so busy times just after it count too.
    reach = Interval(window.start, window.end + service.buffer)
    busy: dict[int, list[Interval]] = defaultdict(list)
    closures: list[Interval] = []
    if names:
        ids = list(names)
        for therapist_id, start, end in TimeOff.objects.filter(
            therapist_id__in=ids, start__lt=reach.end, end__gt=reach.start
        ).values_list("therapist_id", "start", "end"):
            busy[therapist_id].append(Interval(start, end))
        zone = location.zone
        first_local, last_local = availability.local_dates(reach, zone)[0], availability.local_dates(reach, zone)[-1]
        for first_day, last_day in Closure.objects.filter(
            location=location, first_day__lte=last_local, last_day__gte=first_local
        ).values_list("first_day", "last_day"):
            closures.append(
                Interval(availability.local_day(first_day, zone).start, availability.local_day(last_day, zone).end)
            )
        appointments = Appointment.objects.filter(
            therapist_id__in=ids,
            status__in=Appointment.HELD,
            start__lt=reach.end,
            blocked_until__gt=reach.start,
        )
        if ignore_appointment_id is not None:
            appointments = appointments.exclude(pk=ignore_appointment_id)
        for therapist_id, start, blocked_until in appointments.values_list("therapist_id", "start", "blocked_until"):
            busy[therapist_id].append(Interval(start, blocked_until))

    diaries = [
        Diary(therapist_id, name, tuple(weekly[therapist_id]), tuple(busy[therapist_id]))
        for therapist_id, name in names.items()
    ]
    return Availability(
        location=location,
        service=service,
        rules=rules_for(location, service, by_staff=by_staff),
        window=window,
        diaries=diaries,
        closures=closures,
    )


def therapists_for(location: Location, service: Service):
    """Active therapists who offer `service` at `location`, for the "choose a therapist" step."""
    return Therapist.objects.active().filter(locations=location, services=service)


def therapists_public():
    """Active therapists, for the public profile pages."""
    return Therapist.objects.active().order_by("display_name", "pk")


def services_at(location: Location | None):
    """Active services offered at `location` (each with `price_here`, its price there), or (None) at any active
    location: a service no clinic offers is listed nowhere, since it could only dead-end."""
    services = Service.objects.active()
    if location is not None:
        services = services.filter(locations=location).priced_at(location)
    else:
        services = services.filter(Exists(Location.objects.active().filter(services=OuterRef("pk"))))
    return services.order_by("name")


def locations_offering(service: Service):
    """Active locations offering `service`, each with `price_here`: the service's price there, in its currency."""
    prices = ServiceOffering.objects.filter(service=service, location=OuterRef("pk")).values("price")[:1]
    return Location.objects.active().filter(services=service).annotate(price_here=Subquery(prices)).order_by("name")


def offerings_of(therapist: Therapist):
    """What `therapist` offers at each active clinic they work at, with the price there, by clinic then service."""
    return (
        ServiceOffering.objects.filter(
            location__in=therapist.locations.filter(is_active=True),
            service__in=therapist.services.filter(is_active=True),
        )
        .select_related("service", "location")
        .order_by("location__name", "location__pk", "service__name")
    )


def appointments_of_intake_pending(intake_id: int):
    return appointments_of_intakes_pending([intake_id])


def appointments_of_intakes_pending(intake_ids: list[int]):
    return Appointment.objects.filter(intake_id__in=intake_ids, status=Appointment.Status.PENDING_REVIEW)


def held_overlaps(*, therapist_id: int, start: datetime, blocked_until: datetime, exclude_id: int | None = None):
    """Held appointments of the therapist whose blocked time overlaps [start, blocked_until)."""
    found = Appointment.objects.held().filter(therapist_id=therapist_id).overlapping(start, blocked_until)
    if exclude_id is not None:
        found = found.exclude(pk=exclude_id)
    return found


def approval_clash(appointment: Appointment) -> str:
    """Why confirming a held appointment now would be wrong for its therapist ("" if it would not): it falls in
    their time off, on a day its location is closed, or outside their working hours at its location that day.
    Three queries at most."""
    if (
        TimeOff.objects.filter(therapist_id=appointment.therapist_id)
        .filter(start__lt=appointment.blocked_until, end__gt=appointment.start)
        .exists()
    ):
        return f"It falls in {appointment.therapist.display_name}'s time off."
    local_start, local_end = appointment.local_start, appointment.local_end
    closure = (
        Closure.objects.filter(
            location_id=appointment.location_id, first_day__lte=local_end.date(), last_day__gte=local_start.date()
        )
        .order_by("first_day")
        .first()
    )
    if closure is not None:
        why = f" ({closure.reason})" if closure.reason else ""
        return f"{appointment.location.name} is closed that day{why}."
    inside = WorkingHours.objects.filter(
        therapist_id=appointment.therapist_id,
        location_id=appointment.location_id,
        weekday=local_start.weekday(),
        start_time__lte=local_start.time(),
        end_time__gte=local_end.time(),
    ).exists()
    if not inside or local_end.date() != local_start.date():
        return f"It is outside {appointment.therapist.display_name}'s working hours at {appointment.location.name}."
    return ""
