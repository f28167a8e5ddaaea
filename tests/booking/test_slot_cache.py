"""The cached free times (booking/slot_cache.py): the same answer as computing afresh, never older than the last
committed change, because every service that writes diary data bumps the diary version in its transaction."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client

from booking import courses, desk_services, privacy, selectors, services, waitlist
from booking.models import Appointment, Closure, TimeOff, WorkingHours
from clinic.core.models import DataVersion
from clinic.core.selectors import data_version
from clinic.core.services import location_changed
from tests.booking import test_waitlist as waiting
from tests.booking.conftest import NOW
from tests.booking.factories import (
    AppointmentFactory,
    ClosureFactory,
    PatientFactory,
    TimeOffFactory,
    service_admin_form,
    therapist_at,
)
from tests.factories import clinic_admin_user
from tests.intake.factories import IntakeFactory
from tests.support.auth import staff_login
from tests.support.courses import NOW as LONDON_NOW
from tests.support.courses import anchor_of

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2025, 6, 16, 4, 30, tzinfo=UTC)  # 10:00 IST


def starts(client, **params):
    params = {"service": "assessment", "location": "indiranagar", "therapist": "any", "start": "2025-06-16"} | params
    response = client.get("/book/api/slots/", {"days": "1", **params})
    assert response.status_code == 200
    return [slot["start"] for slot in response.json()["slots"]]


def version() -> int:
    return data_version(DataVersion.DIARY)


def test_it_hides_a_time_booked_a_moment_ago_at_once(client, clinic, frozen):
    before = starts(client)  # now cached
    assert "2025-06-16T10:00:00+05:30" in before

    services.appointment_book(
        patient=PatientFactory(),
        service=clinic["assessment"],
        location=clinic["location"],
        therapist=None,
        start=MONDAY_10,
    )

    after = starts(client)
    assert "2025-06-16T10:00:00+05:30" not in after
    assert "2025-06-16T09:00:00+05:30" in after  # the rest of the day is still offered


@pytest.mark.parametrize(
    ("moment", "offset"),
    [
        (NOW, 0),
        (datetime(2025, 6, 16, 4, 40, tzinfo=UTC), 0),  # Monday 10:10 IST: the notice cuts the day in two
        (datetime(2025, 6, 16, 11, 0, tzinfo=UTC), 0),  # Monday 16:30 IST: the day is over
        (datetime(2025, 6, 16, 4, 40, tzinfo=UTC), 59),  # the horizon (60 days) cuts the last day in two
    ],
)
def test_it_gives_the_same_times_as_computing_afresh(client, clinic, moment, offset):
    location, service = clinic["location"], clinic["needling"]
    therapist_at(location, [service], hours=((0, 12, 19), (1, 8, 12), (0, 8, 9)), display_name="Priya Raman")
    AppointmentFactory(therapist=clinic["therapist"], location=location, service=service, start=MONDAY_10)
    TimeOffFactory(
        therapist=clinic["therapist"], start=MONDAY_10 + timedelta(days=1), end=MONDAY_10 + timedelta(days=2)
    )
    ClosureFactory(location=location, first_day=date(2025, 6, 19), last_day=date(2025, 6, 19))
    with time_machine.travel(moment, tick=False):
        first = moment.astimezone(location.zone).date() + timedelta(days=offset)
        for therapist in ("any", str(clinic["therapist"].pk)):
            params = {"service": "dry-needling", "location": "indiranagar", "therapist": therapist, "days": "14"}
            params["start"] = first.isoformat()
            answers = [client.get("/book/api/slots/", params).json() for _ in range(2)]  # computed, then cached
            fresh = selectors.availability_for(
                location=location,
                service=service,
                window=selectors.local_window(location, first, answers[0]["days"]),
                therapist_ids=None if therapist == "any" else [int(therapist)],
            ).slots(now=moment)
            expected = [
                (slot.start.astimezone(location.zone).isoformat(), slot.therapist_id, slot.therapist_name)
                for slot in fresh
            ]
            for answer in answers:
                got = [(slot["start"], slot["therapist"]["id"], slot["therapist"]["name"]) for slot in answer["slots"]]
                assert got == expected
            assert expected or moment.hour == 11


def fresh_starts(clinic, *, first: date, days: int, now: datetime) -> list[str]:
    location = clinic["location"]
    found = selectors.availability_for(
        location=location, service=clinic["assessment"], window=selectors.local_window(location, first, days)
    ).slots(now=now)
    return [slot.start.astimezone(location.zone).isoformat() for slot in found]


def test_it_fills_days_missing_between_cached_ones(client, clinic, frozen):
    """Prevents a regression where days computed in one batch would be stored under the wrong day."""
    AppointmentFactory(
        therapist=clinic["therapist"], location=clinic["location"], service=clinic["assessment"], start=MONDAY_10
    )
    starts(client)  # Monday
    starts(client, start="2025-06-18")  # Wednesday

    week = starts(client, days="5")  # Tuesday, Thursday and Friday computed together, Monday and Wednesday cached

    assert week == fresh_starts(clinic, first=date(2025, 6, 16), days=5, now=NOW)
    assert "2025-06-16T10:00:00+05:30" not in week
    assert "2025-06-17T10:00:00+05:30" in week


def test_it_stops_offering_a_cached_time_once_the_clock_passes_the_notice(client, clinic):
    """A cached answer is only ever kept until the clock alone would change it."""
    moment = datetime(2025, 6, 16, 2, 0, tzinfo=UTC)  # Monday 07:30 IST
    with time_machine.travel(moment, tick=False) as traveller:
        for _ in range(40):  # every 7 minutes until past noon
            today = moment.astimezone(clinic["location"].zone).date()
            assert starts(client, start=today.isoformat()) == fresh_starts(clinic, first=today, days=1, now=moment)
            moment += timedelta(minutes=7)
            traveller.move_to(moment)


# --- Every service that writes diary data bumps the version in its own transaction ---------------------------


@pytest.fixture
def booked(clinic, frozen):
    return services.appointment_book(
        patient=PatientFactory(),
        service=clinic["assessment"],
        location=clinic["location"],
        therapist=clinic["therapist"],
        start=MONDAY_10,
    )


def bumps(change) -> bool:
    before = version()
    change()
    return version() > before


def test_booking_bumps_the_version(clinic, frozen):
    assert bumps(
        lambda: services.appointment_book(
            patient=PatientFactory(),
            service=clinic["assessment"],
            location=clinic["location"],
            therapist=None,
            start=MONDAY_10,
        )
    )


def test_booking_a_course_and_cancelling_it_from_a_session_on_bump_the_version(london, london_now):
    course = None

    def book():
        nonlocal course
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=LONDON_NOW)

    assert bumps(book)
    second = course.sessions.order_by("start")[1]
    assert bumps(lambda: courses.course_cancel_from(appointment=second, now=LONDON_NOW))


def test_moving_a_course_from_a_session_on_bumps_the_version(london, london_now):
    course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=LONDON_NOW)
    second = course.sessions.order_by("start")[1]
    assert bumps(lambda: courses.course_move_from(appointment=second, start=second.start + timedelta(hours=2)))


def test_an_offer_made_by_hand_and_one_declined_bump_the_version(clinic, frozen):
    wish = waiting.wish(clinic)
    offer = None

    def offer_it():
        nonlocal offer
        offer = waitlist.offer_by_hand(wish=wish, therapist=clinic["therapist"], start=MONDAY_10, actor=None, now=NOW)

    assert bumps(offer_it)
    assert bumps(lambda: waitlist.offer_decline(offer=offer, now=NOW))


def test_an_offer_the_sweep_ends_bumps_the_version(clinic, frozen):
    waiting.wish(clinic)
    waiting.cancel(waiting.booked(clinic))  # the freed time is offered, held for 30 minutes
    assert bumps(lambda: waitlist.offers_expire(now=NOW + timedelta(minutes=31)))


def test_a_refused_booking_leaves_the_version_alone(clinic, frozen, booked):
    before = version()
    with pytest.raises(services.SlotTaken):
        services.appointment_book(
            patient=PatientFactory(),
            service=clinic["assessment"],
            location=clinic["location"],
            therapist=clinic["therapist"],
            start=MONDAY_10,
        )
    assert version() == before


def test_rescheduling_bumps_the_version(booked):
    assert bumps(lambda: services.appointment_reschedule(appointment=booked, start=MONDAY_10 + timedelta(hours=2)))


def test_cancelling_bumps_the_version(booked):
    assert bumps(lambda: services.appointment_cancel(appointment=booked))


def test_a_review_decision_bumps_the_version(clinic, frozen):
    intake = IntakeFactory(location=clinic["location"])
    AppointmentFactory(
        patient=intake.patient,
        intake=intake,
        therapist=clinic["therapist"],
        location=clinic["location"],
        service=clinic["needling"],
        start=MONDAY_10,
        status=Appointment.Status.PENDING_REVIEW,
    )
    assert bumps(lambda: services.appointments_decide_for_intake(intake=intake, decision="declined"))


def test_desk_transitions_and_finishing_bump_the_version(clinic, booked):
    admin = clinic_admin_user()
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        assert bumps(
            lambda: desk_services.appointment_transition(appointment_id=booked.pk, action="check_in", actor=admin)
        )
        assert bumps(lambda: services.appointment_complete(appointment=booked, actor=admin))


def test_a_no_show_bumps_the_version(clinic, booked):
    with time_machine.travel(MONDAY_10 + timedelta(minutes=20), tick=False):
        assert bumps(
            lambda: desk_services.appointment_transition(
                appointment_id=booked.pk, action="no_show", actor=clinic_admin_user()
            )
        )


def test_a_staff_cancellation_bumps_the_version(booked):
    assert bumps(
        lambda: desk_services.appointment_cancel_by_staff(
            appointment_id=booked.pk, reason="", actor=clinic_admin_user()
        )
    )


def test_erasing_a_patient_with_a_future_appointment_bumps_the_version(booked):
    """Erasure cancels the patient's future appointments; their times must be offered again at once."""
    patient = booked.patient
    assert bumps(
        lambda: privacy.patient_erase(
            patient=patient,
            actor=clinic_admin_user(),
            confirmation=patient.full_name,
            reason="The patient asked us to forget them.",
        )
    )


def test_saving_and_deleting_working_hours_bump_the_version(client, clinic, frozen):
    starts(client)
    hours = WorkingHours.objects.get(therapist=clinic["therapist"], weekday=0)
    assert bumps(
        lambda: desk_services.working_hours_save(
            hours=hours,
            therapist=clinic["therapist"],
            location=clinic["location"],
            weekday=0,
            start_time=time(9),
            end_time=time(10),
        )
    )
    assert starts(client) == ["2025-06-16T09:00:00+05:30"]
    assert bumps(lambda: desk_services.working_hours_delete(hours=hours))
    assert starts(client) == []


def test_saving_and_deleting_time_off_bump_the_version(client, clinic, frozen):
    starts(client)
    monday = selectors.local_window(clinic["location"], date(2025, 6, 16), 1)
    assert bumps(
        lambda: desk_services.time_off_save(therapist=clinic["therapist"], start=monday.start, end=monday.end)
    )
    assert starts(client) == []
    assert bumps(lambda: desk_services.time_off_delete(time_off=TimeOff.objects.get()))
    assert starts(client)


def test_changing_a_location_or_a_service_bumps_the_version(clinic, frozen):
    assert bumps(location_changed)
    assert bumps(services.service_catalogue_changed)


def test_admin_edits_of_closures_time_off_therapists_services_and_locations_bump_the_version(clinic, frozen):
    admin = Client()
    staff_login(admin, clinic_admin_user(is_superuser=True))
    location = clinic["location"]
    closure = {"location": location.pk, "first_day": "2025-06-16", "last_day": "2025-06-16", "reason": "Holiday"}
    assert bumps(lambda: admin.post("/admin/booking/closure/add/", closure))
    assert Closure.objects.filter(reason="Holiday").exists()
    closure_id = Closure.objects.get().pk
    assert bumps(lambda: admin.post(f"/admin/booking/closure/{closure_id}/delete/", {"post": "yes"}))
    assert not Closure.objects.exists()
    off = {"therapist": clinic["therapist"].pk, "start_0": "2025-06-16", "start_1": "09:00", "end_0": "2025-06-16"}
    assert bumps(lambda: admin.post("/admin/booking/timeoff/add/", off | {"end_1": "10:00"}))
    assert TimeOff.objects.exists()
    service = clinic["assessment"]
    form = service_admin_form(service, duration_minutes=30)
    assert bumps(lambda: admin.post(f"/admin/booking/service/{service.pk}/change/", form))
    service.refresh_from_db()
    assert service.duration_minutes == 30


@pytest.mark.parametrize("parameter", ["location", "service"])
def test_it_answers_a_mangled_slug_with_a_400_naming_it(client, clinic, frozen, parameter):
    response = client.get(
        "/book/api/slots/",
        {"service": "assessment", "location": "indiranagar"} | {parameter: "indira nagar²/" + "x" * 60},
    )
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    # A NUL byte never gets this far: the request guard answers it first (clinic/core/request_guard.py).
    nul = client.get("/book/api/slots/", {"service": "assessment", "location": "indiranagar"} | {parameter: "a\x00"})
    assert nul.status_code == 400
