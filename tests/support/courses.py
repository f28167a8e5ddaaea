"""A London clinic for the tests of courses of treatment (tests/booking/test_courses.py, tests/desk/,
tests/browser/): Europe/London, so a course of a few weeks crosses the spring clock change."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.models import Appointment
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory, ServiceFactory, therapist_at
from tests.factories import LocationFactory

# Monday 10 March 2025, 09:00 in London (GMT). British Summer Time starts on Sunday 30 March.
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)  # 10:00 GMT
LONDON_WEEKDAYS = tuple((day, 9, 17) for day in range(6))


@pytest.fixture
def london_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def london(db):
    location = LocationFactory(
        slug="london", name="London Bridge", time_zone="Europe/London", country="GB", phone="+44 20 7946 0000"
    )
    needling = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15)
    therapist = therapist_at(location, [needling], hours=LONDON_WEEKDAYS, display_name="Hannah Shaw")
    patient = PatientFactory()
    intake = IntakeFactory(patient=patient, location=location, submitted_at=NOW - timedelta(days=1))
    return {"location": location, "needling": needling, "therapist": therapist, "patient": patient, "intake": intake}


def anchor_of(london, *, start=TUESDAY_10, patient=None, **kwargs) -> Appointment:
    return AppointmentFactory(
        patient=patient or london["patient"],
        therapist=london["therapist"],
        location=london["location"],
        service=london["needling"],
        intake=kwargs.pop("intake", london["intake"]),
        start=start,
        **kwargs,
    )
