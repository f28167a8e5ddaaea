"""Fixtures of the desk tests: the booking tests' clinic at a frozen time."""

from tests.booking.conftest import clinic, frozen  # noqa: F401
from tests.support.courses import london, london_now  # noqa: F401 (courses of treatment)
