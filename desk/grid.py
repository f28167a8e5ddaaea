"""Placing a day (or a week) of a diary on the desk's time grid: pure arithmetic, no database.

The grid has one row per five minutes of local wall-clock time from the hour of the earliest opening or appointment
to the hour of the latest close (08:00-18:00 on a day with neither); a block (an appointment, working hours, time
off) gets a first row and a row span, which the template turns into CSS classes (static/desk/desk-grid.css): the CSP
allows no inline styles."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROW_MINUTES = 5
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 18
HEADER_ROWS = 1  # row 1 holds the column headings


@dataclass(frozen=True)
class Frame:
    """The local hours a grid shows: [first_hour, last_hour)."""

    first_hour: int
    last_hour: int

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // ROW_MINUTES

    def hours(self) -> list[tuple[int, str]]:
        """(row, "09:00") for each hour line."""
        return [(self.row_of_minutes(hour * 60), f"{hour:02d}:00") for hour in range(self.first_hour, self.last_hour)]

    def row_of_minutes(self, minutes: int) -> int:
        """The grid row (1-based, after the header) of a local time in minutes after midnight, clamped to the frame."""
        offset = min(max(minutes - self.first_hour * 60, 0), self.rows * ROW_MINUTES)
        return HEADER_ROWS + 1 + offset // ROW_MINUTES

    def place(self, start_minutes: int, end_minutes: int) -> tuple[int, int] | None:
        """(first row, span) of a local stretch of the day, or None if it lies outside the frame."""
        first, last = self.row_of_minutes(start_minutes), self.row_of_minutes(end_minutes)
        if last <= first:
            return None
        return first, last - first


def minutes_on(day: date, instant: datetime, zone: ZoneInfo) -> int:
    """Minutes after local midnight of `day` (negative before it, past 1440 after it)."""
    local = instant.astimezone(zone)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def frame_for(spans: list[tuple[int, int]]) -> Frame:
    """The whole hours from the earliest start to the latest end of the (start, end) stretches given in local minutes
    (working hours and appointments), within the day; 08:00-18:00 when there are none (a closed day, nobody in), so
    the desk does not scroll past empty hours before opening."""
    if not spans:
        return Frame(DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR)
    first = min(max(start, 0) // 60 for start, _ in spans)
    last = max(min(-(-end // 60), 24) for _, end in spans)
    return Frame(min(first, 23), max(last, min(first, 23) + 1))


def time_minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def now_row(frame: Frame, day: date, now: datetime, zone: ZoneInfo) -> int | None:
    """The row of the now-line on `day`, or None if now is another day or outside the frame."""
    minutes = minutes_on(day, now, zone)
    if not frame.first_hour * 60 <= minutes < frame.last_hour * 60:
        return None
    return frame.row_of_minutes(minutes)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]
