"""Fixtures of the booking tests: a clinic with a needling service and one therapist, at a frozen time."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.booking.factories import ServiceFactory, therapist_at
from tests.factories import LocationFactory
from tests.support.courses import london, london_now  # noqa: F401 (courses of treatment)

# Friday 13 June 2025, 11:30 in Bengaluru. The Monday after is 16 June.
NOW = datetime(2025, 6, 13, 6, 0, tzinfo=UTC)
WEEKDAYS = tuple((day, 9, 17) for day in range(6))  # Monday to Saturday, 09:00-17:00 local


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(db):
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    needling = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15)
    assessment = ServiceFactory(
        name="Initial assessment", slug="assessment", duration_minutes=60, locations=[location]
    )
    therapist = therapist_at(location, [needling, assessment], hours=WEEKDAYS, display_name="Arjun Menon")
    return {"location": location, "needling": needling, "assessment": assessment, "therapist": therapist}
