"""Parsing of values from query strings, paths and hidden fields, before they reach the database or arithmetic.

Each function returns the parsed value or None; the caller decides what a missing or bad value means (the step
before, a 400, the form with a message). Python's own parsers accept more than we want: `"²".isdigit()` is true and
`int("²")` fails, `int("٣")` is 3, `date.fromisoformat("9999-12-31")` parses and overflows at the next day, and a NUL
byte reaches PostgreSQL, which refuses it with an error.
"""

import re
from datetime import UTC, date, datetime

_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Dates people book or look at: far enough for any birth date and any diary, near enough for date arithmetic.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def whole_number(value, *, low: int = 0, high: int = 2**31 - 1) -> int | None:
    """An integer written with ASCII digits only, within [low, high]."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def slug(value, *, max_length: int = 100) -> str | None:
    """A slug as Django's SlugField stores them (ASCII letters, digits, hyphens, underscores)."""
    if not isinstance(value, str) or len(value) > max_length or not _SLUG.fullmatch(value):
        return None
    return value


def iso_date(value, *, low: date = EARLIEST_DATE, high: date = LATEST_DATE) -> date | None:
    """A date written YYYY-MM-DD, within [low, high]."""
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if low <= parsed <= high else None


def utc_instant(value, fmt: str, *, low: date = EARLIEST_DATE, high: date = LATEST_DATE) -> datetime | None:
    """A UTC instant written in `fmt` (ASCII only), on a date within [low, high]."""
    if not isinstance(value, str) or len(value) > 40 or not value.isascii():
        return None
    try:
        parsed = datetime.strptime(value, fmt).replace(tzinfo=UTC)
    except ValueError:
        return None
    return parsed if low <= parsed.date() <= high else None


# How links and forms of the booking flow and the desk carry a start time: UTC, compact and URL-safe (20250616T0330Z).
START_FORMAT = "%Y%m%dT%H%MZ"


def start_time(value) -> datetime | None:
    """A start time as links and forms carry it (START_FORMAT), or None (also for a far date no diary can hold)."""
    return utc_instant(value, START_FORMAT)


def start_param(value: datetime) -> str:
    """A start time as links and forms carry it: the inverse of `start_time`."""
    return value.astimezone(UTC).strftime(START_FORMAT)


def is_clean_text(value: str) -> bool:
    """No NUL byte (PostgreSQL refuses it) and no lone surrogate (it cannot be encoded)."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def lockout_username(request, credentials: dict | None) -> str:
    """The user name django-axes counts failed logins under, cut to what a user name can be (150 characters): a
    2,048-character one would not fit its table and fail the login page instead of failing the login."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "")
    return str(value)[:150]
