"""At the desk (issue 13): move an appointment to any day, time and therapist at its location from the appointment
page, and book or move outside working hours only with the override ticked and a reason, audited."""

from datetime import UTC, datetime

import pytest

from booking.models import Appointment
from booking.services import KIND_RESCHEDULED
from clinic.core.models import AuditEvent, OutboundMessage
from tests.booking.conftest import WEEKDAYS
from tests.booking.factories import AppointmentFactory, IntakeFactory, therapist_at
from tests.desk.test_desk import AFTERNOON, booking, desk_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
MONDAY_8 = datetime(2025, 6, 16, 2, 30, tzinfo=UTC)  # 08:00 IST, before the hours


@pytest.fixture
def appointment(clinic):
    """Today 14:00 with Arjun, as in the other desk tests."""
    intake = IntakeFactory(location=clinic["location"])
    return AppointmentFactory(patient=intake.patient, intake=intake, therapist=clinic["therapist"],
                              location=clinic["location"], service=clinic["needling"], start=AFTERNOON)  # fmt: skip


@pytest.fixture
def colleague(clinic):
    return therapist_at(clinic["location"], [clinic["needling"], clinic["assessment"]], hours=WEEKDAYS,
                        display_name="Bea Colleague")  # fmt: skip


def test_the_move_page_offers_every_therapists_free_times_on_a_chosen_day(client, clinic, appointment, colleague,
                                                                          frozen):  # fmt: skip
    staff_login(client, desk_user(clinic["location"]))

    page = client.get(f"/desk/appointments/{appointment.pk}/reschedule/", {"date": "2025-06-16"}).content.decode()

    assert "Bea Colleague" in page
    assert "Arjun Menon" in page
    assert f'name="therapist" value="{colleague.pk}"' in page
    assert 'value="20250616T0330Z"' in page
    # One therapist chosen: only their times.
    page = client.get(f"/desk/appointments/{appointment.pk}/reschedule/",
                      {"date": "2025-06-16", "therapist": colleague.pk}).content.decode()  # fmt: skip
    assert 'id="free-' + str(clinic["therapist"].pk) + '"' not in page


def test_the_desk_moves_to_another_therapist_and_the_patient_is_told(client, clinic, appointment, colleague,
                                                                     frozen):  # fmt: skip
    staff_login(client, desk_user(clinic["location"]))

    response = client.post(f"/desk/appointments/{appointment.pk}/move/",
                           {"start": "20250616T0330Z", "therapist": colleague.pk})  # fmt: skip

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.therapist, appointment.start) == (colleague, datetime(2025, 6, 16, 3, 30, tzinfo=UTC))
    assert OutboundMessage.objects.filter(kind=KIND_RESCHEDULED).exists()
    assert "with Bea Colleague" in client.get(response["Location"]).content.decode()


def test_a_therapist_moves_only_within_their_own_diary(client, clinic, appointment, colleague, frozen):
    staff_login(client, clinic["therapist"].user)

    client.post(f"/desk/appointments/{appointment.pk}/move/", {"start": "20250616T0330Z", "therapist": colleague.pk})

    appointment.refresh_from_db()
    assert (appointment.therapist, appointment.start) == (clinic["therapist"], AFTERNOON)


def test_a_typed_time_outside_hours_moves_only_with_the_override_and_a_reason(client, clinic, appointment,
                                                                              frozen):  # fmt: skip
    staff_login(client, desk_user(clinic["location"]))
    url = f"/desk/appointments/{appointment.pk}/move/"
    typed = {"therapist": clinic["therapist"].pk, "date": "2025-06-16", "time": "08:00"}

    refused = client.get(client.post(url, typed)["Location"]).content.decode()
    assert "That time is outside the therapist" in refused
    no_reason = client.get(client.post(url, typed | {"outside_hours": "on"})["Location"]).content.decode()
    assert "Say why this time is booked outside working hours." in no_reason
    appointment.refresh_from_db()
    assert appointment.start == AFTERNOON

    client.post(url, typed | {"outside_hours": "on", "override_reason": "Only free before work"})

    appointment.refresh_from_db()
    assert appointment.start == MONDAY_8
    event = AuditEvent.objects.get(detail__change="reschedule")
    assert event.detail["override_reason"] == "Only free before work"


def test_the_desk_books_a_typed_time_outside_hours_with_the_override(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))
    response = client.get("/desk/book/other-time/", {"location": "indiranagar", "service": clinic["assessment"].slug,
                                                      "therapist": clinic["therapist"].pk, "date": "2025-06-16",
                                                      "time": "08:00"})  # fmt: skip
    assert response.status_code == 302
    details = client.get(response["Location"]).content.decode()
    assert 'name="outside_hours"' in details

    without = client.post("/desk/book/confirm/", booking(clinic, start="20250616T0230Z"))
    assert without.status_code == 409
    assert 'name="outside_hours"' in without.content.decode()  # offered where it was missing
    assert not Appointment.objects.exists()

    client.post("/desk/book/confirm/", booking(clinic, start="20250616T0230Z", outside_hours="on",
                                               override_reason="Urgent, before work"))  # fmt: skip

    assert Appointment.objects.get().start == MONDAY_8
    event = AuditEvent.objects.get(action=AuditEvent.Action.APPOINTMENT_CREATE)
    assert event.detail["override_reason"] == "Urgent, before work"


def test_the_override_without_a_reason_keeps_what_was_typed(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))
    response = client.post("/desk/book/confirm/", booking(clinic, start="20250616T0230Z", outside_hours="on"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why this time is booked outside working hours." in page
    assert 'value="ravi@example.com"' in page
    assert not Appointment.objects.exists()


def test_a_bad_typed_time_goes_back_with_a_message(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))
    response = client.get("/desk/book/other-time/", {"location": "indiranagar", "service": clinic["assessment"].slug,
                                                      "therapist": clinic["therapist"].pk, "date": "2025-06-16",
                                                      "time": "25:99"}, follow=True)  # fmt: skip
    assert "That time could not be used" in response.content.decode()
