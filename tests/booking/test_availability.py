"""Availability arithmetic without a database: properties checked by hypothesis, and daylight-saving days by hand."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from booking.availability import (
    Diary,
    Interval,
    Rules,
    WeeklyHours,
    align_up,
    free_slots,
    free_slots_any,
    local_day,
    nearest,
    next_boundary,
    wall_clock_instant,
    working_intervals,
)

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
ZONES = ["Europe/London", "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe", "UTC"]
# Days next to clock changes, so hypothesis spends its time where schedulers go wrong.
INTERESTING_DAYS = [
    date(2025, 3, 30),  # London springs forward
    date(2025, 10, 26),  # London falls back
    date(2025, 3, 9),  # New York springs forward
    date(2025, 11, 2),  # New York falls back
    date(2025, 4, 6),  # Lord Howe Island falls back 30 minutes
    date(2025, 10, 5),  # Lord Howe Island springs forward 30 minutes
    date(2025, 6, 16),  # an ordinary Monday
]
NO_NOTICE = Rules(duration=timedelta(minutes=45), min_notice=timedelta(0), horizon=timedelta(days=400))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_times(slots, zone):
    return [slot.start.astimezone(zone).strftime("%H:%M %Z") for slot in slots]


# --- Strategies -------------------------------------------------------------------------------------------------
quarter_hours = st.integers(min_value=0, max_value=24 * 4 - 1).map(lambda q: time(q // 4, (q % 4) * 15))


@st.composite
def weekly_hours(draw):
    blocks = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        a, b = draw(quarter_hours), draw(quarter_hours)
        if a != b:
            blocks.append(WeeklyHours(draw(st.integers(min_value=0, max_value=6)), min(a, b), max(a, b)))
    return tuple(blocks)


@st.composite
def scenarios(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    first_day = draw(st.sampled_from(INTERESTING_DAYS)) + timedelta(days=draw(st.integers(min_value=-2, max_value=1)))
    window = Interval(local_day(first_day, zone).start, local_day(first_day + timedelta(days=2), zone).end)
    span_minutes = int((window.end - window.start).total_seconds() // 60)

    def intervals(max_size):
        def build(pair):
            offset, length = pair
            start = window.start + timedelta(minutes=offset - 120)
            return Interval(start, start + timedelta(minutes=length))

        pairs = st.tuples(
            st.integers(min_value=0, max_value=span_minutes + 240), st.integers(min_value=1, max_value=600)
        )
        return st.lists(pairs.map(build), max_size=max_size)

    rules = Rules(
        duration=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90]))),
        buffer=timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15]))),
        step=timedelta(minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60]))),
        min_notice=timedelta(minutes=draw(st.integers(min_value=0, max_value=600))),
        horizon=timedelta(hours=draw(st.integers(min_value=1, max_value=80))),
    )
    now = window.start + timedelta(minutes=draw(st.integers(min_value=-600, max_value=span_minutes)))
    diaries = [
        Diary(n, f"Therapist {n}", draw(weekly_hours()), tuple(draw(intervals(6))))
        for n in range(1, draw(st.integers(min_value=1, max_value=3)) + 1)
    ]
    closures = tuple(draw(intervals(2)))
    return {"zone": zone, "window": window, "rules": rules, "now": now, "diaries": diaries, "closures": closures}


def compute(s, diary):
    return free_slots(
        diary, zone=s["zone"], rules=s["rules"], window=s["window"], now=s["now"], closures=s["closures"]
    )


# At least 300 examples each; `make test-deep` (the "deep" profile, see tests/conftest.py) raises that many times over.
PROPERTY_SETTINGS = settings(
    max_examples=max(300, settings.default.max_examples), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Found by test_it_offers_every_time_that_is_free: on the London spring-forward day a block 00:00-02:30 with a
# 45-minute step must offer 02:15 BST; the walk stepped 45 minutes in UTC from 00:45 GMT, landed on 02:30 BST and
# jumped over it.
SPRING_FORWARD_45_MINUTE_STEP = {
    "zone": LONDON,
    "window": Interval(local_day(date(2025, 3, 30), LONDON).start, local_day(date(2025, 3, 31), LONDON).end),
    "rules": Rules(duration=timedelta(minutes=15), step=timedelta(minutes=45), min_notice=timedelta(0)),
    "now": datetime(2025, 3, 29, 12, tzinfo=UTC),
    "diaries": [Diary(1, "Therapist 1", (WeeklyHours(6, time(0), time(2, 30)),))],
    "closures": (),
}


# --- Properties -------------------------------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(scenarios())
def test_it_never_offers_a_slot_that_overlaps_a_held_appointment_time_off_or_closure(s):
    rules = s["rules"]
    for diary in s["diaries"]:
        for slot in compute(s, diary):
            with_buffer = Interval(slot.start, slot.end + rules.buffer)
            assert not any(with_buffer.overlaps(busy) for busy in diary.busy)
            assert not any(with_buffer.overlaps(closure) for closure in s["closures"])


@PROPERTY_SETTINGS
@given(scenarios())
def test_it_offers_slots_only_inside_working_hours(s):
    zone, rules = s["zone"], s["rules"]
    for diary in s["diaries"]:
        blocks = working_intervals(diary.hours, zone, s["window"])
        for slot in compute(s, diary):
            assert slot.end - slot.start == rules.duration
            assert any(block.contains(Interval(slot.start, slot.end)) for block in blocks)
            # And, read independently on the wall clock: start and end fall in one (merged) block of that weekday.
            start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
            assert end.date() == start.date()
            if start.fold or end.fold:
                # In the hour repeated when clocks go back, wall-clock times run backwards: a block from 01:15 to
                # 02:00 lasts from the first 01:15 to the 02:00 after the change, so it includes the second 01:00
                # to 01:15. The real-time containment above is the check there.
                continue
            assert any(lo <= start.time() and end.time() <= hi for lo, hi in wall_clock_blocks(diary, start.weekday()))


def wall_clock_blocks(diary, weekday):
    """The weekday's blocks with touching or overlapping ones joined, as (start, end) wall-clock times."""
    joined = []
    for block in sorted((b.start, b.end) for b in diary.hours if b.weekday == weekday):
        if joined and block[0] <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], block[1]))
        else:
            joined.append(block)
    return joined


@PROPERTY_SETTINGS
@given(scenarios())
def test_it_respects_minimum_notice_horizon_and_step(s):
    zone, rules, now = s["zone"], s["rules"], s["now"]
    for diary in s["diaries"]:
        slots = compute(s, diary)
        assert slots == sorted(set(slots))
        for slot in slots:
            assert slot.start >= now + rules.min_notice
            assert slot.start < now + rules.horizon
            local = slot.start.astimezone(zone)
            assert (local.hour * 60 + local.minute) % int(rules.step.total_seconds() // 60) == 0
            assert local.second == 0


@PROPERTY_SETTINGS
@given(scenarios())
@example(SPRING_FORWARD_45_MINUTE_STEP)
def test_it_offers_every_time_that_is_free(s):
    """Completeness: a brute-force walk over every five minutes finds no free, aligned time the function missed."""
    zone, rules, now = s["zone"], s["rules"], s["now"]
    step_minutes = int(rules.step.total_seconds() // 60)
    for diary in s["diaries"][:1]:
        offered = {slot.start for slot in compute(s, diary)}
        blocks = working_intervals(diary.hours, zone, s["window"])
        blocked = [*diary.busy, *s["closures"]]
        t = s["window"].start
        while t < s["window"].end:
            local = t.astimezone(zone)
            candidate = Interval(t, t + rules.duration)
            if (
                (local.hour * 60 + local.minute) % step_minutes == 0
                and now + rules.min_notice <= t < now + rules.horizon
                and any(block.contains(candidate) for block in blocks)
                and not any(Interval(t, candidate.end + rules.buffer).overlaps(b) for b in blocked)
            ):
                assert t in offered
            t += timedelta(minutes=5)


@PROPERTY_SETTINGS
@given(scenarios())
def test_it_makes_any_therapist_the_union_of_each_therapist(s):
    kwargs = {
        "zone": s["zone"],
        "rules": s["rules"],
        "window": s["window"],
        "now": s["now"],
        "closures": s["closures"],
    }
    each = {diary.therapist_id: compute(s, diary) for diary in s["diaries"]}
    any_slots = free_slots_any(s["diaries"], **kwargs)

    union = {(slot.start, slot.end) for slots in each.values() for slot in slots}
    assert [(slot.start, slot.end) for slot in any_slots] == sorted(union)
    for slot in any_slots:  # the therapist attached is really free then
        assert slot in each[slot.therapist_id]


@settings(max_examples=max(200, settings.default.max_examples), deadline=None)
@given(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),  # noqa: DTZ001
    st.sampled_from([5, 15, 30, 45, 60]),
)
def test_it_aligns_to_the_next_local_step_boundary(zone_name, naive, step_minutes):
    zone, instant = ZoneInfo(zone_name), naive.replace(tzinfo=UTC)
    aligned = align_up(instant, zone, timedelta(minutes=step_minutes))
    local = aligned.astimezone(zone)
    assert aligned >= instant
    assert aligned - instant < timedelta(minutes=step_minutes) + timedelta(hours=1)
    assert (local.hour * 60 + local.minute) % step_minutes == 0
    assert local.second == local.microsecond == 0


# --- Daylight saving, by hand -----------------------------------------------------------------------------------
def test_it_keeps_nine_oclock_local_on_the_london_spring_forward_day():
    diary = Diary(1, "A", (WeeklyHours(6, time(9), time(11)),))  # Sunday 30 March 2025
    window = local_day(date(2025, 3, 30), LONDON)

    slots = free_slots(diary, zone=LONDON, rules=NO_NOTICE, window=window, now=utc(2025, 1, 1))

    assert slots[0].start == utc(2025, 3, 30, 8, 0)  # 09:00 BST
    assert local_times(slots, LONDON) == ["09:00 BST", "09:15 BST", "09:30 BST", "09:45 BST", "10:00 BST", "10:15 BST"]


def test_it_skips_the_missing_hour_on_the_london_spring_forward_day():
    diary = Diary(1, "A", (WeeklyHours(6, time(0, 30), time(3)),))
    window = local_day(date(2025, 3, 30), LONDON)
    rules = Rules(duration=timedelta(minutes=30), step=timedelta(minutes=30), min_notice=timedelta(0))

    slots = free_slots(diary, zone=LONDON, rules=rules, window=window, now=utc(2025, 3, 1))

    # 00:30 GMT, then the clocks jump from 01:00 GMT to 02:00 BST: the block is 1 h 30 min long, not 2 h 30 min.
    assert local_times(slots, LONDON) == ["00:30 GMT", "02:00 BST", "02:30 BST"]
    assert wall_clock_instant(date(2025, 3, 30), time(1, 30), LONDON) == utc(2025, 3, 30, 1, 0)


def test_it_offers_the_first_boundary_after_the_spring_forward_jump_with_a_45_minute_step():
    s = SPRING_FORWARD_45_MINUTE_STEP

    slots = compute(s, s["diaries"][0])

    # 01:30 does not exist that night; the next boundary counted from midnight is 02:15 BST, fifteen real minutes
    # after the jump and fifteen before the block ends.
    assert local_times(slots, LONDON) == ["00:00 GMT", "00:45 GMT", "02:15 BST"]


def test_it_finds_the_next_boundary_across_a_clock_change_in_either_direction():
    step = timedelta(minutes=45)
    # Spring forward: from 00:45 GMT the next boundary is 02:15 BST (01:15 UTC), not 03:00 BST.
    assert next_boundary(utc(2025, 3, 30, 0, 45), LONDON, step) == utc(2025, 3, 30, 1, 15)
    # Fall back: from 01:40 BST (00:40 UTC) the wall clock goes back an hour at 01:00 UTC and shows 01:30 GMT at
    # 01:30 UTC, a boundary the UTC walk must not skip.
    assert next_boundary(utc(2025, 10, 26, 0, 40), LONDON, step) == utc(2025, 10, 26, 1, 30)


def test_it_offers_the_repeated_hour_twice_on_the_london_fall_back_day():
    diary = Diary(1, "A", (WeeklyHours(6, time(0, 30), time(3)),))  # Sunday 26 October 2025
    window = local_day(date(2025, 10, 26), LONDON)
    rules = Rules(duration=timedelta(minutes=30), step=timedelta(minutes=30), min_notice=timedelta(0))

    slots = free_slots(diary, zone=LONDON, rules=rules, window=window, now=utc(2025, 10, 1))

    assert local_times(slots, LONDON) == [
        "00:30 BST",
        "01:00 BST",
        "01:30 BST",
        "01:00 GMT",
        "01:30 GMT",
        "02:00 GMT",
        "02:30 GMT",
    ]
    assert len({slot.start for slot in slots}) == 7  # seven different instants, none repeated
    assert local_day(date(2025, 10, 26), LONDON).end - local_day(date(2025, 10, 26), LONDON).start == timedelta(
        hours=25
    )


def test_it_keeps_nine_oclock_local_on_the_london_fall_back_day():
    diary = Diary(1, "A", (WeeklyHours(6, time(9), time(10)),))
    slots = free_slots(
        diary, zone=LONDON, rules=NO_NOTICE, window=local_day(date(2025, 10, 26), LONDON), now=utc(2025, 1, 1)
    )
    assert slots[0].start == utc(2025, 10, 26, 9, 0)  # 09:00 GMT
    assert local_times(slots, LONDON)[0] == "09:00 GMT"


def test_it_steps_on_kolkata_wall_clock_boundaries():
    diary = Diary(1, "A", (WeeklyHours(0, time(9), time(10, 30)),))  # Monday 16 June 2025
    rules = Rules(
        duration=timedelta(minutes=45),
        step=timedelta(minutes=45),
        min_notice=timedelta(0),
        horizon=timedelta(days=400),
    )

    slots = free_slots(
        diary, zone=KOLKATA, rules=rules, window=local_day(date(2025, 6, 16), KOLKATA), now=utc(2025, 1, 1)
    )

    assert slots[0].start == utc(2025, 6, 16, 3, 30)  # 09:00 IST is 03:30 UTC
    assert local_times(slots, KOLKATA) == ["09:00 IST", "09:45 IST"]


def test_it_puts_a_monday_block_on_the_local_monday_not_the_utc_one():
    """Prevents the weekday-off-by-one of schedulers that read weekdays in UTC: 02:00 IST Monday is Sunday in UTC."""
    diary = Diary(1, "A", (WeeklyHours(0, time(2), time(3)),))
    window = Interval(utc(2025, 6, 14), utc(2025, 6, 18))
    slots = free_slots(diary, zone=KOLKATA, rules=NO_NOTICE, window=window, now=utc(2025, 1, 1))
    assert {slot.start.astimezone(KOLKATA).date() for slot in slots} == {date(2025, 6, 16)}
    assert slots[0].start == utc(2025, 6, 15, 20, 30)


def test_it_lets_appointments_sit_back_to_back_but_keeps_the_buffer():
    diary = Diary(
        1,
        "A",
        (WeeklyHours(0, time(9), time(12)),),
        busy=(Interval(utc(2025, 6, 16, 4, 30), utc(2025, 6, 16, 5, 30)),),
    )  # busy 10:00-11:00 IST (a 45 min appointment + 15 min buffer)
    rules = Rules(
        duration=timedelta(minutes=45),
        buffer=timedelta(minutes=15),
        min_notice=timedelta(0),
        horizon=timedelta(days=400),
    )

    slots = free_slots(
        diary, zone=KOLKATA, rules=rules, window=local_day(date(2025, 6, 16), KOLKATA), now=utc(2025, 1, 1)
    )

    assert local_times(slots, KOLKATA) == ["09:00 IST", "11:00 IST", "11:15 IST"]


def test_it_hides_times_inside_the_minimum_notice_and_beyond_the_horizon():
    diary = Diary(1, "A", tuple(WeeklyHours(d, time(9), time(17)) for d in range(7)))
    rules = Rules(duration=timedelta(minutes=60), min_notice=timedelta(hours=2), horizon=timedelta(days=1))
    now = utc(2025, 6, 16, 5, 7)  # 10:37 IST
    window = Interval(local_day(date(2025, 6, 16), KOLKATA).start, local_day(date(2025, 6, 18), KOLKATA).end)

    slots = free_slots(diary, zone=KOLKATA, rules=rules, window=window, now=now)

    assert local_times(slots, KOLKATA)[0] == "12:45 IST"
    assert slots[-1].start < now + timedelta(days=1)


@pytest.mark.parametrize(
    ("wanted_minute", "expected"), [(0, ["09:00", "09:15", "09:30"]), (50, ["09:30", "09:45", "10:00"])]
)
def test_it_finds_the_nearest_free_times(wanted_minute, expected):
    diary = Diary(1, "A", (WeeklyHours(0, time(9), time(12)),))
    slots = free_slots(
        diary, zone=UTC_ZONE, rules=NO_NOTICE, window=local_day(date(2025, 6, 16), UTC_ZONE), now=utc(2025, 1, 1)
    )
    found = nearest(slots, utc(2025, 6, 16, 9, wanted_minute))
    assert [slot.start.strftime("%H:%M") for slot in found] == expected


UTC_ZONE = ZoneInfo("UTC")
