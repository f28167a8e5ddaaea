"""The desk books and moves outside working hours only with an explicit override and a reason (issue 13): booking's
service enforces it, audits the reason, never lets it override another appointment (the exclusion constraint still
stands beneath), and moves an appointment to another therapist at the same location with the same engine."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from booking import services
from booking.models import Appointment
from clinic.core.models import AuditEvent, OutboundMessage
from tests.booking.conftest import NOW, WEEKDAYS
from tests.booking.factories import (
    AppointmentFactory,
    ClosureFactory,
    IntakeFactory,
    TimeOffFactory,
    therapist_at,
)
from tests.factories import LocationFactory, front_desk_user

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)  # 09:00 IST, inside the hours
MONDAY_8 = datetime(2025, 6, 16, 2, 30, tzinfo=UTC)  # 08:00 IST, before them
SUNDAY_10 = datetime(2025, 6, 15, 4, 30, tzinfo=UTC)  # nobody works on Sundays


def book(clinic, start, *, therapist="therapist", source=Appointment.Source.DESK, **kwargs):
    return services.appointment_book(
        patient=IntakeFactory(location=clinic["location"]).patient,
        service=clinic["assessment"],
        location=clinic["location"],
        therapist=clinic[therapist] if therapist else None,
        start=start,
        source=source,
        created_by=kwargs.pop("created_by", None),
        now=NOW,
        **kwargs,
    )


@pytest.mark.parametrize("start", [MONDAY_8, SUNDAY_10])
def test_outside_hours_needs_a_reason(clinic, frozen, start):
    with pytest.raises(services.OutsideHours, match="tick “Outside working hours”"):
        book(clinic, start)
    assert not Appointment.objects.exists()


def test_with_a_reason_it_books_and_audits_the_reason(clinic, frozen):
    desk = front_desk_user()
    appointment = book(clinic, MONDAY_8, override_reason="  Only free before work  ", created_by=desk)

    assert (appointment.start, appointment.therapist) == (MONDAY_8, clinic["therapist"])
    event = AuditEvent.objects.get(action=AuditEvent.Action.APPOINTMENT_CREATE)
    assert event.detail["override"] == "outside_hours"
    assert event.detail["override_reason"] == "Only free before work"


def test_a_reason_for_a_time_that_needs_none_is_not_recorded_as_an_override(clinic, frozen):
    book(clinic, MONDAY_9, override_reason="just in case")
    assert "override" not in AuditEvent.objects.get().detail


def test_time_off_and_closures_can_be_overridden_too(clinic, frozen):
    TimeOffFactory(therapist=clinic["therapist"], start=MONDAY_9, end=datetime(2025, 6, 16, 6, 0, tzinfo=UTC))
    ClosureFactory(location=clinic["location"], first_day=date(2025, 6, 17), last_day=date(2025, 6, 17))
    tuesday_9 = datetime(2025, 6, 17, 3, 30, tzinfo=UTC)
    for start in (MONDAY_9, tuesday_9):
        with pytest.raises(services.OutsideHours):
            book(clinic, start)
        assert book(clinic, start, override_reason="urgent").start == start


def test_no_override_books_over_another_appointment(clinic, frozen):
    AppointmentFactory(location=clinic["location"], therapist=clinic["therapist"], start=MONDAY_8)
    with pytest.raises(services.SlotTaken):
        book(clinic, MONDAY_8, override_reason="double-book them")
    assert Appointment.objects.count() == 1


def test_online_bookings_and_any_therapist_never_override(clinic, frozen):
    with pytest.raises(services.BookingError, match="Only the front desk"):
        book(clinic, MONDAY_8, source=Appointment.Source.ONLINE, override_reason="please")
    with pytest.raises(services.SlotTaken):  # "any therapist": the override names one
        book(clinic, MONDAY_8, therapist=None, override_reason="urgent")
    with pytest.raises(services.BookingError, match="under 200 characters"):
        book(clinic, MONDAY_8, override_reason="x" * 201)
    assert not Appointment.objects.exists()


def test_a_therapist_who_does_not_offer_the_service_here_is_not_overridden(clinic, frozen):
    elsewhere = LocationFactory(slug="elsewhere")
    clinic["stranger"] = therapist_at(elsewhere, [clinic["assessment"]], hours=WEEKDAYS)
    with pytest.raises(services.SlotTaken):
        book(clinic, MONDAY_8, therapist="stranger", override_reason="urgent")


# --- Moving ----------------------------------------------------------------------------------------------------


@pytest.fixture
def booked(clinic):
    clinic["colleague"] = therapist_at(clinic["location"], [clinic["assessment"]], hours=WEEKDAYS,
                                       display_name="Bea Colleague")  # fmt: skip
    return book(clinic, MONDAY_9)


def test_the_desk_moves_to_another_therapist_and_the_patient_is_told(clinic, booked, frozen):
    OutboundMessage.objects.all().delete()
    later = datetime(2025, 6, 16, 5, 30, tzinfo=UTC)

    moved = services.appointment_reschedule(
        appointment=booked, start=later, therapist=clinic["colleague"], by_patient=False, now=NOW
    )

    moved.refresh_from_db()
    assert (moved.therapist, moved.start) == (clinic["colleague"], later)
    assert OutboundMessage.objects.filter(kind=services.KIND_RESCHEDULED).exists()
    detail = AuditEvent.objects.filter(detail__change="reschedule").get().detail
    assert (detail["therapist_from"], detail["therapist_to"]) == (clinic["therapist"].pk, clinic["colleague"].pk)


def test_a_move_outside_hours_needs_the_reason_and_patients_cannot_change_therapist(clinic, booked, frozen):
    with pytest.raises(services.OutsideHours):
        services.appointment_reschedule(appointment=booked, start=MONDAY_8, by_patient=False, now=NOW)
    with pytest.raises(services.BookingError, match="call the clinic"):
        services.appointment_reschedule(appointment=booked, start=MONDAY_9, therapist=clinic["colleague"], now=NOW)
    with pytest.raises(services.BookingError, match="Only the front desk"):
        services.appointment_reschedule(appointment=booked, start=MONDAY_8, override_reason="x", now=NOW)
    booked.refresh_from_db()
    assert (booked.start, booked.therapist) == (MONDAY_9, clinic["therapist"])

    moved = services.appointment_reschedule(
        appointment=booked, start=MONDAY_8, override_reason="before work", by_patient=False, now=NOW
    )
    assert moved.start == MONDAY_8
    assert AuditEvent.objects.filter(detail__override_reason="before work").exists()


def test_a_move_to_the_same_time_with_another_therapist_is_a_move(clinic, booked, frozen):
    moved = services.appointment_reschedule(
        appointment=booked, start=MONDAY_9, therapist=clinic["colleague"], by_patient=False, now=NOW
    )
    moved.refresh_from_db()
    assert moved.therapist == clinic["colleague"]


@pytest.mark.django_db(transaction=True)
def test_two_overrides_into_one_time_at_once_book_once(clinic):
    """Two desks override into the same out-of-hours time at the same moment: the therapist lock serialises them,
    and the second is told the time is taken (the exclusion constraint would refuse it anyway)."""
    patients = [IntakeFactory(location=clinic["location"]).patient for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def attempt(patient):
        try:
            barrier.wait()
            services.appointment_book(patient=patient, service=clinic["assessment"], location=clinic["location"],
                                      therapist=clinic["therapist"], start=MONDAY_8, source=Appointment.Source.DESK,
                                      override_reason="urgent", now=NOW)  # fmt: skip
            outcomes.append("booked")
        except services.SlotTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(patient,)) for patient in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "taken"]
    assert Appointment.objects.count() == 1
