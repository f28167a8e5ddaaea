"""Reads of the desk's waiting list (/desk/waitlist/), scoped by the staff member's locations (docs/access.md): the
wishes waiting, the offers out and the fill rate, each in a fixed number of queries. Nothing about health: wishes
name a service and when, never why."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import get_object_or_404

from booking import availability, selectors
from booking.availability import Interval
from booking.models import WaitlistOffer, WaitlistWish
from clinic.core import parsing
from clinic.core.models import Location

from .selectors import Staff, in_scope

# How far back the fill rate looks, and how many wishes and free times a page lists.
FILL_RATE_DAYS = 30
WISHES_SHOWN = 200
FREE_TIMES_SHOWN = 30
FREE_TIMES_DAYS = 14


def wishes_for_staff(staff: Staff):
    return in_scope(WaitlistWish.objects.all(), staff.location_ids)


def wish_for_staff(staff: Staff, pk: int) -> WaitlistWish:
    """A wish at one of the staff member's locations (404 otherwise, as if there were none)."""
    wishes = wishes_for_staff(staff).select_related("patient", "service", "location", "therapist")
    return get_object_or_404(wishes, pk=pk)


@dataclass(frozen=True)
class FillRate:
    freed: int  # distinct freed times offered from the list
    filled: int  # of those, booked from the list

    @property
    def percent(self) -> int | None:
        return round(100 * self.filled / self.freed) if self.freed else None


@dataclass(frozen=True)
class WaitlistPage:
    wishes: list[WaitlistWish]
    offers: list[WaitlistOffer]
    fill: FillRate


def waitlist_page(*, location: Location, now: datetime) -> WaitlistPage:
    """One location's list (the caller checked the location is the staff member's). Four queries: wishes waiting,
    open offers, freed times offered and those filled in the last FILL_RATE_DAYS."""
    wishes = list(
        WaitlistWish.objects.waiting()
        .filter(location=location, last_day__gte=now.astimezone(location.zone).date())
        .select_related("patient", "service", "therapist", "location")
        .order_by("created_at", "pk")[:WISHES_SHOWN]
    )
    offers = list(
        WaitlistOffer.objects.filter(location=location, status=WaitlistOffer.Status.OPEN)
        .select_related("wish__patient", "service", "therapist", "location")
        .order_by("expires_at", "pk")
    )
    recent = WaitlistOffer.objects.filter(location=location, offered_at__gte=now - timedelta(days=FILL_RATE_DAYS))
    freed = recent.values("therapist_id", "start").distinct().count()
    # A freed time is held once at most (the exclusion constraint), so claimed offers count filled times.
    filled = recent.filter(status=WaitlistOffer.Status.CLAIMED).count()
    return WaitlistPage(wishes=wishes, offers=offers, fill=FillRate(freed=freed, filled=filled))


def free_times_for(wish: WaitlistWish, *, now: datetime) -> list[tuple[availability.Slot, str]]:
    """Free times that suit the wish in its next FREE_TIMES_DAYS (the desk's rules: no online notice), for the desk
    to offer one by hand, each with the value the form posts ("<therapist id>|<start>"). The availability engine's
    four reads."""
    location, zone = wish.location, wish.location.zone
    first = max(wish.first_day, now.astimezone(zone).date())
    days = min(FREE_TIMES_DAYS, (wish.last_day - first).days + 1)
    if days <= 0:
        return []
    window: Interval = selectors.local_window(location, first, days)
    found = selectors.availability_for(
        location=location,
        service=wish.service,
        window=window,
        therapist_ids=None if wish.therapist_id is None else [wish.therapist_id],
        by_staff=True,
    )
    slots = []
    for diary in found.diaries:
        for slot in availability.free_slots(
            diary, zone=zone, rules=found.rules, window=window, now=now, closures=found.closures
        ):
            if wish.wants(slot.start):
                slots.append(slot)
    return [
        (slot, f"{slot.therapist_id}|{parsing.start_param(slot.start)}") for slot in sorted(slots)[:FREE_TIMES_SHOWN]
    ]
