"""The desk stays fast (issue: 10 therapists, 200 appointments a day, 50,000 patients): the day grid, the week grid
and the patient search run the same, listed number of queries at two data sizes. bench/bench_desk.py times them."""

from datetime import UTC, datetime, time, timedelta

import pytest

from desk import selectors
from tests.booking.factories import AppointmentFactory, ServiceFactory, TherapistFactory, TimeOffFactory
from tests.factories import LocationFactory, front_desk_user
from tests.intake.factories import IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 13, 6, 0, tzinfo=UTC)
DAY_START = datetime(2025, 6, 13, 2, 30, tzinfo=UTC)  # 08:00 in Bengaluru


@pytest.fixture
def desk():
    location = LocationFactory(slug="bench", time_zone="Asia/Kolkata")
    service = ServiceFactory(duration_minutes=30, locations=[location])
    user = front_desk_user()
    return {"location": location, "service": service, "staff": selectors.staff_for(user), "therapists": []}


def grow(desk, *, therapists: int, per_therapist: int, patients: int) -> None:
    """Add therapists with hours and time off, a day of appointments each, and patients with intakes there."""
    from booking.models import WorkingHours

    location, service = desk["location"], desk["service"]
    while len(desk["therapists"]) < therapists:
        therapist = TherapistFactory(locations=[location], services=[service])
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, location=location, weekday=d, start_time=time(8), end_time=time(20))
            for d in range(7)
        )
        TimeOffFactory(therapist=therapist, start=DAY_START + timedelta(days=1), end=DAY_START + timedelta(days=2))
        desk["therapists"].append(therapist)
    for therapist in desk["therapists"]:
        have = therapist.appointments.count()
        for n in range(have, per_therapist):
            AppointmentFactory(
                therapist=therapist, location=location, service=service, start=DAY_START + timedelta(minutes=30 * n)
            )
    for n in range(patients):
        IntakeFactory(location=location, patient=PatientFactory(last_name=f"Shah{n}"))


@pytest.mark.parametrize("size", [(2, 3, 3), (10, 20, 30)], ids=["small", "large"])
def test_the_grids_and_the_search_run_a_fixed_number_of_queries(desk, django_assert_num_queries, size):
    therapists, per_therapist, patients = size
    grow(desk, therapists=therapists, per_therapist=per_therapist, patients=patients)
    staff, location, day = desk["staff"], desk["location"], DAY_START.date()

    # therapists at the location, their hours that weekday, the day's appointments (patient, service, therapist,
    # location and intake joined), time off over the day, the location's closures.
    with django_assert_num_queries(5):
        grid = selectors.day_grid(staff=staff, location=location, day=day, now=NOW)
    assert len(grid.appointments) == therapists * per_therapist
    assert sum(len(column.off) for column in grid.columns) == 0  # the time off is tomorrow

    # the therapist's hours at the location, their week's appointments (joined as above), time off, closures.
    with django_assert_num_queries(4):
        week = selectors.week_grid(staff=staff, location=location, therapist=desk["therapists"][0], day=day, now=NOW)
    assert len(week.appointments) == per_therapist
    # Saturday 08:00 to Sunday 08:00: shaded on Saturday; Sunday's part lies before the grid's first hour.
    assert sum(len(column.off) for column in week.columns) == 1

    # one query: the patients in the desk's scope, ranked by trigram similarity.
    with django_assert_num_queries(1):
        found = selectors.patient_search(staff, "shah")
    assert len(found) == min(patients, selectors.SEARCH_LIMIT)
