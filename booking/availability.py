"""Free appointment times as pure interval arithmetic: no database and no Django models, only dataclasses.

All instants are aware datetimes in UTC. Working hours are local wall-clock times per weekday; they are turned into
UTC intervals one local day at a time with zoneinfo, so a day with a daylight-saving change gets its real length:

* a wall-clock time that does not exist (the spring-forward gap) starts or ends a block at the moment the clocks
  jump, so a block 00:30-03:00 on the London spring-forward day lasts 1 h 30 min;
* a wall-clock time that happens twice (the fall-back fold) means its first occurrence, so a block 00:30-03:00 on
  the London fall-back day lasts 3 h 30 min and offers both 01:15 BST and 01:15 GMT.

Offered start times sit on the location's wall-clock step boundaries counted from local midnight (09:00, 09:15, ...),
whatever the zone's offset from UTC (Asia/Kolkata is UTC+05:30).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time [start, end) in UTC."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class WeeklyHours:
    """One working block of a therapist at a location: local wall-clock times on a weekday (Monday is 0)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Diary:
    """What one therapist's availability is computed from."""

    therapist_id: int
    therapist_name: str
    hours: tuple[WeeklyHours, ...]
    # Held appointments already extended by their service's buffer, and time off; in UTC, any order.
    busy: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class Rules:
    """The service's length and the location's booking rules."""

    duration: timedelta
    buffer: timedelta = timedelta(0)
    step: timedelta = timedelta(minutes=15)
    min_notice: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(days=60)


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime
    therapist_id: int
    therapist_name: str = field(default="", compare=False)


def wall_clock_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which clocks in `zone` show `at` on `day`, or pass it if `at` falls in a gap."""
    naive = datetime.combine(day, at)  # the local wall-clock reading; the zone is applied below
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first  # exists (and, in a fold, this is its first occurrence)
    # In the gap: fold=1 reads the time with the offset after the change, landing before the jump; fold=0 with the
    # offset before, landing after it. The jump is between the two; find it to the second.
    low, high = naive.replace(tzinfo=zone, fold=1).astimezone(UTC), first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high


def local_day(day: date, zone: ZoneInfo) -> Interval:
    """The whole local `day` in UTC (23, 24 or 25 hours long)."""
    return Interval(wall_clock_instant(day, time(0), zone), wall_clock_instant(day + timedelta(days=1), time(0), zone))


def local_dates(window: Interval, zone: ZoneInfo) -> list[date]:
    """Every local date the window touches."""
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if interval.end <= interval.start:
            continue
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def working_intervals(hours: Iterable[WeeklyHours], zone: ZoneInfo, window: Interval) -> list[Interval]:
    """The working blocks within the window, as UTC intervals, merged and clipped to the window."""
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for block in hours:
        by_weekday.setdefault(block.weekday, []).append(block)
    found = []
    for day in local_dates(window, zone):
        for block in by_weekday.get(day.weekday(), ()):
            start, end = wall_clock_instant(day, block.start, zone), wall_clock_instant(day, block.end, zone)
            start, end = max(start, window.start), min(end, window.end)
            if start < end:
                found.append(Interval(start, end))
    return merge(found)


def align_up(instant: datetime, zone: ZoneInfo, step: timedelta) -> datetime:
    """The earliest instant at or after `instant` whose local wall-clock time is a whole number of steps after
    local midnight."""
    step_us = _microseconds(step)
    while True:
        local = instant.astimezone(zone)
        remainder = _microseconds(local - local.replace(hour=0, minute=0, second=0, microsecond=0)) % step_us
        if remainder == 0:
            return instant
        # Between clock changes the wall clock moves with real time, so the boundary is `step - remainder` ahead.
        # A clock change on the way moves the wall clock by more (or less) than that: stop at the change and look
        # again from there, or a spring-forward jump would carry the walk past a boundary just after the gap.
        ahead = instant + timedelta(microseconds=step_us - remainder)
        if ahead.astimezone(zone).utcoffset() != local.utcoffset():
            ahead = _next_clock_change(instant, ahead, zone)
        instant = ahead


def next_boundary(instant: datetime, zone: ZoneInfo, step: timedelta) -> datetime:
    """The first local step boundary strictly after `instant` (see align_up)."""
    return align_up(instant + timedelta(microseconds=1), zone, step)


def _microseconds(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _next_clock_change(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (low, high] whose UTC offset in `zone` differs from low's (one exists)."""
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def free_slots(
    diary: Diary,
    *,
    zone: ZoneInfo,
    rules: Rules,
    window: Interval,
    now: datetime,
    closures: Sequence[Interval] = (),
) -> list[Slot]:
    """Start times a patient may book with this therapist, in order.

    A slot [start, start + duration) lies inside one working block; it and the buffer after it, [start, start +
    duration + buffer), overlap no busy interval and no closure; it starts on a local step boundary, at least the
    minimum notice after `now` and before the horizon.
    """
    earliest = max(window.start, now + rules.min_notice)
    latest_start = now + rules.horizon  # exclusive
    if earliest >= min(window.end, latest_start):
        return []
    blocked = merge([*diary.busy, *closures])
    # Integer seconds since the epoch from here on: this loop runs for every candidate time of every therapist,
    # and int arithmetic is several times faster than datetime objects and zone conversions.
    # Rounded outwards, so a busy time never shrinks.
    blocked_starts = [math.floor(interval.start.timestamp()) for interval in blocked]
    blocked_ends = [math.ceil(interval.end.timestamp()) for interval in blocked]
    duration, needed = int(rules.duration.total_seconds()), int((rules.duration + rules.buffer).total_seconds())
    step = int(rules.step.total_seconds())
    latest = latest_start.timestamp()
    slots = []
    for block in working_intervals(diary.hours, zone, window):
        offset = block.start.astimezone(zone).utcoffset()
        if (block.end - timedelta(microseconds=1)).astimezone(zone).utcoffset() != offset:
            slots.extend(
                _slots_across_clock_change(
                    block, blocked, zone=zone, rules=rules, earliest=earliest, latest_start=latest_start, diary=diary
                )
            )
            continue
        # No clock change inside this block: local step boundaries are UTC instants shifted by one fixed offset.
        shift = int(offset.total_seconds())
        end = int(block.end.timestamp())

        def aligned(instant: float, shift=shift) -> int:
            local = math.ceil(instant) + shift
            return -(-local // step) * step - shift  # rounded up to a whole step of local time

        candidate = aligned(max(block.start, earliest).timestamp())
        while candidate + duration <= end and candidate < latest:
            # The first blocked interval that ends after the candidate starts is the only one that can clash.
            index = bisect.bisect_right(blocked_ends, candidate)
            if index < len(blocked_starts) and blocked_starts[index] < candidate + needed:
                candidate = aligned(blocked_ends[index])
                continue
            start = datetime.fromtimestamp(candidate, UTC)
            slots.append(Slot(start, start + rules.duration, diary.therapist_id, diary.therapist_name))
            candidate += step
    return slots


def _slots_across_clock_change(block, blocked, *, zone, rules, earliest, latest_start, diary) -> list[Slot]:
    """The slow, obviously right walk for a working block that contains a clock change: from each candidate to the
    next wall-clock boundary (never `candidate + step` in UTC, which jumps over 02:15 BST after a spring-forward)."""
    blocked_ends = [interval.end for interval in blocked]
    needed = rules.duration + rules.buffer
    slots = []
    candidate = align_up(max(block.start, earliest), zone, rules.step)
    while candidate + rules.duration <= block.end and candidate < latest_start:
        index = bisect.bisect_right(blocked_ends, candidate)
        if index < len(blocked) and blocked[index].start < candidate + needed:
            candidate = align_up(blocked[index].end, zone, rules.step)
            continue
        slots.append(Slot(candidate, candidate + rules.duration, diary.therapist_id, diary.therapist_name))
        candidate = next_boundary(candidate, zone, rules.step)
    return slots


def free_slots_any(diaries: Sequence[Diary], **search) -> list[Slot]:
    """ "Any therapist": every time at which at least one therapist is free, once, with the first free therapist
    (in the order given) attached. `search` is free_slots' keyword arguments, the same for every therapist."""
    chosen: dict[datetime, Slot] = {}
    for diary in diaries:
        for slot in free_slots(diary, **search):
            chosen.setdefault(slot.start, slot)
    return [chosen[start] for start in sorted(chosen)]


def is_free(
    diary: Diary,
    start: datetime,
    *,
    zone: ZoneInfo,
    rules: Rules,
    now: datetime,
    closures: Sequence[Interval] = (),
) -> bool:
    """Whether `start` is one of the therapist's free slots."""
    window = Interval(start, start + rules.duration)
    slots = free_slots(diary, zone=zone, rules=rules, window=window, now=now, closures=closures)
    return any(slot.start == start for slot in slots)


def nearest(slots: Sequence[Slot], wanted: datetime, *, count: int = 3) -> list[Slot]:
    """The `count` free slots closest in time to the one wanted, in time order (for "that time was just taken")."""
    closest = sorted(slots, key=lambda slot: (abs(slot.start - wanted), slot.start))[:count]
    return sorted(closest)
