"""Free times for the slots API, cached under the diary version (README, "Speed and scale").

Every write to appointments, working hours, time off, closures, services, therapists or locations bumps the
diary version (a row in PostgreSQL) in its own transaction, and every entry here is keyed by the version the
request read first. So a cached answer is never older than the last committed change: a booking made a moment ago
has bumped the version before anyone can read it, and the next request computes afresh. A version read before a
commit at worst stores fresher data under an older key, never older data under a newer one. The cache is only
ever a shortcut: booking itself re-checks the diary under a lock and the exclusion constraint is the final guard.

Two levels, both per location, service and local day:

* a therapist's day: the free start times of that therapist (UTC seconds), computed without the minimum notice
  and the horizon, which depend on the clock; they are applied when answering, which gives the same times
  because every offered start sits on the same local step grid;
* a day's answer for "any therapist" or one therapist: those start times merged (the first free therapist in
  name order, as availability.free_slots_any does) with each slot's JSON already written;

and the whole JSON answer to a query, kept only until the clock alone would change it (a time coming within the
minimum notice, the horizon reaching a new time, a new local day), so the usual request is one indexed read of
the version and one cache read.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache, caches

from clinic.core.models import DataVersion, Location
from clinic.core.selectors import data_version

from . import availability, selectors
from .models import Service, Therapist, WorkingHours

TIMEOUT = 24 * 3600
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")  # SlugField's characters and length


def version() -> int:
    return data_version(DataVersion.DIARY)


@dataclass(frozen=True)
class DayAnswer:
    starts: tuple[int, ...]  # UTC seconds, ascending
    items: tuple[str, ...]  # the JSON of each slot, in the same order


def _key(*parts) -> str:
    return "slots:" + ":".join(str(part) for part in parts)


def location_and_service(location_slug: str, service_slug: str, *, at: int) -> tuple[Location | None, Service | None]:
    """The active location and the active service offered there, by slug (None for either one not found; what
    is not a slug at all is not looked up)."""
    key = _key(at, "lookup", location_slug, service_slug)
    found = cache.get(key) if SLUG.fullmatch(location_slug) and SLUG.fullmatch(service_slug) else None
    if found is None:
        location = (
            Location.objects.active().filter(slug=location_slug).first() if SLUG.fullmatch(location_slug) else None
        )
        service = None
        if location is not None and SLUG.fullmatch(service_slug):
            service = selectors.services_at(location).filter(slug=service_slug).first()
        found = (location, service)
        if service is not None:  # only what exists is kept, so made-up slugs cannot fill the cache
            cache.set(key, found, TIMEOUT)
    return found


def team(location: Location, service: Service, *, at: int) -> list[tuple[int, str]]:
    """(id, name) of the therapists with hours at `location` who offer `service` there, in the order
    availability_for gives their diaries (name, then id)."""
    key = _key(at, "team", location.pk, service.pk)
    found = cache.get(key)
    if found is None:
        rows = (
            WorkingHours.objects.filter(
                location=location,
                therapist__is_active=True,
                therapist__locations=location,
                therapist__services=service,
            )
            .order_by("therapist")
            .values_list("therapist_id", "therapist__display_name")
        )
        found = list(dict.fromkeys(rows))
        cache.set(key, found, TIMEOUT)
    return found


def _therapist_days(location, service, therapist_ids, days: list[date], *, at: int) -> dict[tuple[int, date], tuple]:
    """Free start times (UTC seconds) of each therapist on each day, from the cache or computed together."""
    keys = {
        (t, day): _key(at, "diary", location.pk, service.pk, t, day.isoformat()) for t in therapist_ids for day in days
    }
    cached = cache.get_many(list(keys.values()))
    found = {pair: cached[key] for pair, key in keys.items() if key in cached}
    missing = [pair for pair in keys if pair not in found]
    if missing:
        first, last = min(day for _, day in missing), max(day for _, day in missing)
        span_days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        computed = selectors.availability_for(
            location=location,
            service=service,
            window=selectors.local_window(location, first, len(span_days)),
            therapist_ids=sorted({t for t, _ in missing}),
        )
        zone, span = location.zone, computed.window
        # Without the clock's part (notice, horizon): applied per request in `answer`.
        rules = dataclasses.replace(
            computed.rules, min_notice=timedelta(0), horizon=span.end - span.start + timedelta(days=1)
        )
        # One pass per therapist over the whole span, then cut into local days: working blocks never cross
        # midnight (an end time is on the same day as its start), so this equals a pass per day.
        bounds = [int(availability.local_day(day, zone).start.timestamp()) for day in span_days]
        fresh = dict.fromkeys(missing, ())
        for diary in computed.diaries:
            slots = availability.free_slots(
                diary, zone=zone, rules=rules, window=span, now=span.start, closures=computed.closures
            )
            per_day: dict[date, list[int]] = {}
            for slot in slots:
                start = int(slot.start.timestamp())
                day = span_days[bisect.bisect_right(bounds, start) - 1]
                per_day.setdefault(day, []).append(start)
            for day in span_days:
                if (diary.therapist_id, day) in fresh:
                    fresh[(diary.therapist_id, day)] = tuple(per_day.get(day, ()))
        cache.set_many({keys[pair]: starts for pair, starts in fresh.items()}, TIMEOUT)
        found |= fresh
    return found


@dataclass(frozen=True)
class Asked:
    """Whose free times are asked for: `members`, the therapists (id, name) at `location` offering `service`, in
    name order; `selection` names them in cache keys ("any" or a therapist's id)."""

    location: Location
    service: Service
    members: list[tuple[int, str]]
    selection: str


def _day_answers(asked: Asked, days, *, at: int) -> dict:
    location, service, members = asked.location, asked.service, asked.members
    keys = {day: _key(at, "day", location.pk, service.pk, asked.selection, day.isoformat()) for day in days}
    cached = cache.get_many(list(keys.values()))
    answers = {day: cached[key] for day, key in keys.items() if key in cached}
    missing = [day for day in days if day not in answers]
    if missing:
        per_therapist = _therapist_days(location, service, [t for t, _ in members], missing, at=at)
        zone, length = location.zone, int(service.duration.total_seconds())
        fresh = {}
        for day in missing:
            chosen: dict[int, tuple[int, str]] = {}
            for therapist_id, name in members:  # the first free therapist in name order takes the time
                for start in per_therapist[(therapist_id, day)]:
                    chosen.setdefault(start, (therapist_id, name))
            starts = tuple(sorted(chosen))
            items = tuple(
                json.dumps(
                    {
                        "start": datetime.fromtimestamp(start, zone).isoformat(),
                        "end": datetime.fromtimestamp(start + length, zone).isoformat(),
                        "therapist": {"id": chosen[start][0], "name": chosen[start][1]},
                    }
                )
                for start in starts
            )
            fresh[day] = DayAnswer(starts, items)
        cache.set_many({keys[day]: answer for day, answer in fresh.items()}, TIMEOUT)
        answers |= fresh
    return answers


def answer(asked: Asked, *, first_day: date, days: int, now: datetime, at: int) -> tuple[list[str], float]:
    """The JSON of each free slot over `days` local days from `first_day`, as availability_for(...).slots(now=now)
    would give them for the therapists `asked` for, and until when (UTC seconds) the same list stays right without
    any write: until the first time offered falls within the minimum notice, or the horizon reaches the next time
    not offered yet."""
    never = float("inf")
    if not asked.members or days <= 0:
        return [], never
    wanted = [first_day + timedelta(days=n) for n in range(days)]
    rules, bounded = _bookable(asked, wanted, now=now, at=at)
    notice, horizon = rules.min_notice.total_seconds(), rules.horizon.total_seconds()
    items: list[str] = []
    first_kept, first_beyond = never, never
    for _day, found, low, high in bounded:
        items.extend(found.items[low:high])
        if low < high:
            first_kept = min(first_kept, found.starts[low])
        if high < len(found.starts):
            first_beyond = min(first_beyond, found.starts[high])
    return items, min(first_kept - notice, first_beyond - horizon)


def free_by_day(
    asked: Asked, *, first_day: date, days: int, now: datetime, at: int
) -> dict[date, list[tuple[int, str]]]:
    """The same free slots as `answer`, kept by local day as (UTC seconds, JSON) pairs: what the time picker's
    date strip counts and its chosen day lists, from the same cached day answers (no query when they are kept)."""
    wanted = [first_day + timedelta(days=n) for n in range(max(days, 0))]
    if not asked.members or not wanted:
        return {day: [] for day in wanted}
    _rules, bounded = _bookable(asked, wanted, now=now, at=at)
    return {
        day: list(zip(found.starts[low:high], found.items[low:high], strict=True)) for day, found, low, high in bounded
    }


def _bookable(asked: Asked, wanted: list[date], *, now: datetime, at: int):
    """The location's booking rules, and each wanted day's cached answer with the bounds (low, high) of its times
    that can be booked at `now`: past the minimum notice and within the horizon."""
    answers = _day_answers(asked, wanted, at=at)
    rules = selectors.rules_for(asked.location, asked.service)
    earliest, latest = (now + rules.min_notice).timestamp(), (now + rules.horizon).timestamp()
    bounded = []
    for day in wanted:
        found = answers[day]
        bounded.append(
            (day, found, bisect.bisect_left(found.starts, earliest), bisect.bisect_left(found.starts, latest))
        )
    return rules, bounded


def response_key(params, *, at: int) -> str | None:
    """Where a whole answer to these query parameters is kept (None for parameters too odd to keep)."""
    values = [params.get(name, "") for name in ("location", "service", "therapist", "start", "days")]
    if any(len(value) > 50 or not (value.isascii() and value.isprintable()) for value in values):
        return None
    return _key(at, "answer", *(value.replace(":", "") for value in values))


def response_get(key: str, *, now: datetime) -> bytes | None:
    """A whole answer still right at `now`: from this process's memory, else from the shared cache."""
    found = caches["local"].get(key)
    if found is None:
        found = cache.get(key)
        if found is not None:
            caches["local"].set(key, found, max(1, int(found[0] - now.timestamp())))
    if found is not None and now.timestamp() < found[0]:
        return found[1]
    return None


def response_set(key: str, body: bytes, *, valid_until: float, now: datetime) -> None:
    seconds = min(TIMEOUT, valid_until - now.timestamp())
    if seconds >= 1:
        for store in (caches["local"], cache):
            store.set(key, (valid_until, body), int(seconds))


def therapist_offers(location: Location, service: Service, therapist_id: int) -> bool:
    return Therapist.objects.active().filter(pk=therapist_id, locations=location, services=service).exists()
