"""The slots API: its JSON, its 400s, its cap, and a constant number of queries however busy the clinic is."""

from datetime import UTC, date, datetime, timedelta

import pytest

from booking.models import Appointment
from clinic.core.services import location_changed
from tests.booking.conftest import WEEKDAYS
from tests.booking.factories import AppointmentFactory, ClosureFactory, PatientFactory, TimeOffFactory, therapist_at

pytestmark = pytest.mark.django_db

URL = "/book/api/slots/"


def get(client, **params):
    params = {"service": "dry-needling", "location": "indiranagar", "therapist": "any", **params}
    return client.get(URL, params)


def test_it_lists_free_slots_with_offsets_and_therapists(client, clinic, frozen):
    response = get(client, start="2025-06-16", days=1)

    assert response.status_code == 200
    data = response.json()
    assert data["time_zone"] == "Asia/Kolkata"
    first = data["slots"][0]
    assert first == {
        "start": "2025-06-16T09:00:00+05:30",
        "end": "2025-06-16T09:45:00+05:30",
        "therapist": {"id": clinic["therapist"].pk, "name": "Arjun Menon"},
    }
    assert data["slots"][-1]["start"] == "2025-06-16T16:15:00+05:30"  # ends 17:00


def test_it_leaves_out_held_appointments_time_off_and_closures(client, clinic, frozen):
    therapist, location = clinic["therapist"], clinic["location"]
    AppointmentFactory(
        therapist=therapist,
        location=location,
        service=clinic["needling"],
        start=datetime(2025, 6, 16, 4, 30, tzinfo=UTC),  # 10:00 IST, blocked to 11:00 with the buffer
    )
    AppointmentFactory(  # cancelled ones free their time
        therapist=therapist,
        location=location,
        service=clinic["needling"],
        start=datetime(2025, 6, 16, 7, 30, tzinfo=UTC),
        status=Appointment.Status.CANCELLED,
    )
    TimeOffFactory(
        therapist=therapist, start=datetime(2025, 6, 16, 9, 30, tzinfo=UTC), end=datetime(2025, 6, 16, 12, tzinfo=UTC)
    )
    ClosureFactory(location=location, first_day=date(2025, 6, 17), last_day=date(2025, 6, 17))

    slots = get(client, start="2025-06-16", days=2).json()["slots"]
    times = [slot["start"][11:16] for slot in slots]

    assert "09:00" in times  # 09:00-09:45 + 15 min buffer ends exactly at 10:00: back to back
    assert not {"09:15", "09:30", "09:45", "10:00", "10:15", "10:30"} & set(times)
    assert "11:00" in times
    assert "13:00" in times  # the cancelled appointment's time is free
    assert max(times) == "14:00"  # time off from 15:00 IST: 14:00 + 45 min + 15 min buffer ends at 15:00
    assert all(slot["start"].startswith("2025-06-16") for slot in slots)  # closed on the 17th


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"service": "nope"}, "service"),
        ({"service": ""}, "service"),
        ({"location": "nowhere"}, "location"),
        ({"therapist": "abc"}, "therapist"),
        ({"therapist": "999999"}, "therapist"),
        ({"start": "16/06/2025"}, "start"),
        ({"days": "many"}, "days"),
        ({"days": "0"}, "days"),
    ],
)
def test_it_answers_bad_parameters_with_a_400_naming_them(client, clinic, frozen, params, parameter):
    response = get(client, **params)

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert response.json()["error"]


def test_it_caps_days_and_stops_at_the_horizon(client, clinic, frozen):
    assert get(client, days=365).json()["days"] == 14

    clinic["location"].horizon_days = 5
    clinic["location"].save()
    location_changed()  # what the admin's save calls: the cached free times are recomputed
    data = get(client, days=14).json()
    assert data["days"] == 6  # today and the five days after
    assert max(slot["start"] for slot in data["slots"]) < "2025-06-19"
    assert get(client, start="2025-08-01").json()["slots"] == []


def test_it_respects_the_minimum_notice(client, clinic):
    with pytest.MonkeyPatch.context():
        import time_machine

        with time_machine.travel(datetime(2025, 6, 16, 4, 40, tzinfo=UTC), tick=False):  # Monday 10:10 IST
            times = [slot["start"][11:16] for slot in get(client, days=1).json()["slots"]]
    assert times[0] == "12:15"


def test_it_offers_one_therapist_when_asked(client, clinic, frozen):
    other = therapist_at(clinic["location"], [clinic["needling"]], hours=((0, 13, 14),), display_name="Priya Raman")

    slots = get(client, therapist=str(other.pk), start="2025-06-16", days=1).json()["slots"]

    assert [slot["start"][11:16] for slot in slots] == ["13:00", "13:15"]
    assert {slot["therapist"]["name"] for slot in slots} == {"Priya Raman"}


def _busy_clinic(clinic, therapists: int):
    """5,000 held appointments over the next 60 days among ten therapists, `therapists` of whom offer the service
    (a single therapist cannot hold 5,000 appointments in 60 days without overlaps)."""
    location, service = clinic["location"], clinic["needling"]
    offering = [clinic["therapist"]] + [
        therapist_at(location, [service], hours=WEEKDAYS) for _ in range(therapists - 1)
    ]
    others = [therapist_at(location, [clinic["assessment"]], hours=WEEKDAYS) for _ in range(10 - therapists)]
    patient = PatientFactory()
    first = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)  # 09:00 IST
    rows = [
        Appointment(
            patient=patient,
            therapist=therapist,
            location=location,
            service=service,
            start=first + timedelta(days=day, hours=hour),
            end=first + timedelta(days=day, hours=hour, minutes=45),
            blocked_until=first + timedelta(days=day, hours=hour, minutes=60),
            status=Appointment.Status.CONFIRMED if hour % 4 else Appointment.Status.PENDING_REVIEW,
        )
        for therapist in offering + others
        for day in range(60)
        for hour in (0, 1, 3, 4, 6, 7, 8, 9, 10, 11)  # free at 11:00 and 14:00 IST
    ][:5000]
    Appointment.objects.bulk_create(rows)
    assert Appointment.objects.held().count() == 5000


@pytest.mark.parametrize("therapists", [1, 10])
def test_it_uses_the_same_queries_however_busy(client, clinic, frozen, therapists, django_assert_num_queries):
    """Prevents an N+1 over therapists, days or appointments (the Easy!Appointments failure)."""
    _busy_clinic(clinic, therapists)
    ClosureFactory(location=clinic["location"], first_day=date(2025, 7, 1), last_day=date(2025, 7, 1))

    # Nothing cached (the suite clears the cache before each test):
    # 1 core_dataversion: the diary's version, which keys the cached answers
    # 2 core_location: the location, by its slug
    # 3 booking_service: the service, by its slug
    # 4 booking_workinghours: the team, therapists with hours there who offer it (names joined)
    # 5 booking_workinghours: their working hours, with the therapists' names joined
    # 6 booking_timeoff: their time off in the window
    # 7 booking_closure: the location's closures in the window
    # 8 booking_appointment: the appointments that hold time in the window
    with django_assert_num_queries(8):
        response = get(client, start="2025-06-16", days=14)
    assert response.status_code == 200
    assert response.json()["slots"]
    # Other days (location, service and team now cached):
    # 1 core_dataversion: the diary's version
    # 2 booking_workinghours: working hours with therapists' names
    # 3 booking_timeoff: time off in the new window
    # 4 booking_closure: closures in the new window
    # 5 booking_appointment: appointments holding time in the new window
    with django_assert_num_queries(5):
        get(client, start="2025-08-01", days=14)
    # The same days again, the answer from the cache:
    # 1 core_dataversion: the diary's version, unchanged, so the cached answer stands
    with django_assert_num_queries(1):
        assert get(client, start="2025-06-16", days=14).json() == response.json()
