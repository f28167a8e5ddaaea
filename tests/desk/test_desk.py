"""The front-desk workspace (/desk/) through the test client: who may open and change what (anonymous, front desk at
their own and at another location, therapist, clinic admin), the desk's transitions valid and invalid, the audit
trail, stale pages, time off clashes, resending messages and the schedule's query budget."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Appointment, TimeOff, WorkingHours
from booking.services import KIND_CONFIRMATION
from clinic.core.models import AuditEvent, OutboundMessage, StaffProfile
from clinic.core.services import message_queue
from intake.models import Patient
from tests.booking.conftest import NOW
from tests.booking.factories import (
    AppointmentFactory,
    IntakeFactory,
    PatientFactory,
    TherapistFactory,
    TimeOffFactory,
    therapist_at,
)
from tests.factories import LocationFactory, UserFactory, clinic_admin_user, front_desk_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 13)  # Friday, in Bengaluru
# Today 14:00 and 09:00 IST (NOW is 11:30 IST).
AFTERNOON = datetime(2025, 6, 13, 8, 30, tzinfo=UTC)
MORNING = datetime(2025, 6, 13, 3, 30, tzinfo=UTC)
MONDAY_9 = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)


def desk_user(*locations):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set(locations)
    return user


@pytest.fixture
def other_location(db):
    return LocationFactory(slug="london", name="London – Angel", time_zone="Europe/London", country="GB")


@pytest.fixture
def appointment(clinic):
    intake = IntakeFactory(location=clinic["location"])
    return AppointmentFactory(
        patient=intake.patient,
        intake=intake,
        therapist=clinic["therapist"],
        location=clinic["location"],
        service=clinic["needling"],
        start=AFTERNOON,
    )


def roles(clinic, other_location):
    """role name -> a logged-in user of that role (or None for anonymous)."""
    return {
        "anonymous": lambda: None,
        "desk_here": lambda: desk_user(clinic["location"]),
        "desk_elsewhere": lambda: desk_user(other_location),
        "therapist": lambda: clinic["therapist"].user,
        "other_therapist": lambda: TherapistFactory(locations=[other_location]).user,
        "clinic_admin": clinic_admin_user,
        "not_staff": lambda: UserFactory(),
    }


def login(client, user):
    if user is not None:
        staff_login(client, user)


# --- Who may open what --------------------------------------------------------------------------------------------

PAGES = {
    # name: role -> status (GET). 302* is the login redirect.
    "home": {"desk_here": 200, "desk_elsewhere": 200, "therapist": 200, "other_therapist": 200, "clinic_admin": 200},
    # Another location's ids answer 404, like ids that do not exist (docs/access.md).
    "appointment": {"desk_here": 200, "desk_elsewhere": 404, "therapist": 200, "other_therapist": 200,
                    "clinic_admin": 200},
    "reschedule": {"desk_here": 200, "desk_elsewhere": 404, "therapist": 200, "other_therapist": 403,
                   "clinic_admin": 200},
    "book": {"desk_here": 200, "desk_elsewhere": 200, "therapist": 200, "other_therapist": 200, "clinic_admin": 200},
    "hours": {"desk_here": 200, "desk_elsewhere": 200, "therapist": 200, "other_therapist": 200, "clinic_admin": 200},
    "hours_add": {"desk_here": 200, "desk_elsewhere": 200, "therapist": 403, "other_therapist": 403,
                  "clinic_admin": 200},
    "time_off_add": {"desk_here": 200, "desk_elsewhere": 200, "therapist": 200, "other_therapist": 200,
                     "clinic_admin": 200},
}  # fmt: skip


def page_url(name, appointment):
    return {
        "home": "/desk/",
        "appointment": f"/desk/appointments/{appointment.pk}/",
        "reschedule": f"/desk/appointments/{appointment.pk}/reschedule/",
        "book": "/desk/book/",
        "hours": "/desk/hours/",
        "hours_add": "/desk/hours/add/",
        "time_off_add": "/desk/time-off/add/",
    }[name]


@pytest.mark.parametrize("role", ["anonymous", "not_staff", "desk_here", "desk_elsewhere", "therapist",
                                  "other_therapist", "clinic_admin"])  # fmt: skip
@pytest.mark.parametrize("name", list(PAGES))
def test_it_gives_each_role_the_right_access(client, clinic, other_location, appointment, frozen, name, role):
    login(client, roles(clinic, other_location)[role]())

    response = client.get(page_url(name, appointment))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif role == "not_staff":
        assert response.status_code == 403
        assert b"You do not have access to this page" in response.content
    else:
        assert response.status_code == PAGES[name][role]


ACTIONS = ["check-in", "finish", "no-show", "cancel", "move"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("not_staff", 403), ("desk_elsewhere", 404), ("other_therapist", 403)],
)
def test_it_refuses_changes_from_people_without_the_right(client, clinic, other_location, appointment, frozen,
                                                           action, role, expected):  # fmt: skip
    login(client, roles(clinic, other_location)[role]())

    response = client.post(
        f"/desk/appointments/{appointment.pk}/{action}/",
        {"seen_status": "confirmed", "reason": "x", "start": "20250616T0330Z"},
    )

    assert response.status_code == expected
    appointment.refresh_from_db()
    assert (appointment.status, appointment.start) == ("confirmed", AFTERNOON)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_are_post_only(client, clinic, appointment, action):
    staff_login(client, desk_user(clinic["location"]))
    assert client.get(f"/desk/appointments/{appointment.pk}/{action}/").status_code == 405


def test_it_answers_404_for_an_appointment_that_does_not_exist(client, clinic):
    staff_login(client, desk_user(clinic["location"]))
    assert client.get("/desk/appointments/999999/").status_code == 404
    assert client.post("/desk/appointments/999999/check-in/", {"seen_status": "confirmed"}).status_code == 404


# --- The day schedule -----------------------------------------------------------------------------------------


def test_it_shows_the_day_per_therapist_with_outcome_and_contact_but_no_health_answers(client, clinic, frozen):
    location = clinic["location"]
    cleared = IntakeFactory(location=location)
    review = IntakeFactory(location=location, needs_review=True)
    AppointmentFactory(patient=cleared.patient, intake=cleared, therapist=clinic["therapist"], location=location,
                       service=clinic["needling"], start=MORNING)  # fmt: skip
    AppointmentFactory(patient=review.patient, intake=review, therapist=clinic["therapist"], location=location,
                       service=clinic["needling"], start=AFTERNOON, status="pending_review")  # fmt: skip
    staff_login(client, desk_user(location))

    response = client.get("/desk/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Friday 13 June 2025 (today)" in page
    assert "Times are India time." in page
    assert "Arjun Menon" in page
    assert "09:00–09:45" in page
    assert "14:00–14:45" in page
    assert cleared.patient.full_name in page
    assert "+91 98765 43210" in page
    assert "Screening: cleared" in page
    assert "Screening: needs review (pending)" in page
    assert "Pending review" in page
    # Health answers never reach the desk.
    assert "Tight calf" not in page
    assert "diabetes" not in page.lower()


def test_it_defaults_to_the_first_of_the_users_locations_and_shows_no_other(client, clinic, other_location, frozen):
    there = AppointmentFactory(location=other_location, start=AFTERNOON, patient=PatientFactory(first_name="Zara"))
    staff_login(client, desk_user(clinic["location"]))

    page = client.get("/desk/").content.decode()

    assert clinic["location"].name in page
    assert there.patient.full_name not in page
    assert other_location.name not in page.split("<footer")[0]
    assert client.get("/desk/?location=london").status_code == 404


def test_a_user_without_a_profile_sees_every_active_location(client, clinic, other_location, frozen):
    user = front_desk_user()
    staff_login(client, user)

    page = client.get("/desk/?location=london").content.decode()

    assert "London – Angel" in page


def test_it_shows_a_chosen_day_in_the_locations_zone(client, clinic, frozen):
    AppointmentFactory(location=clinic["location"], therapist=clinic["therapist"], start=MONDAY_9)
    staff_login(client, desk_user(clinic["location"]))

    page = client.get("/desk/?location=indiranagar&date=2025-06-16").content.decode()

    assert "Monday 16 June 2025" in page
    assert "09:00–09:45" in page


def test_a_therapist_sees_their_own_appointments_highlighted(client, clinic, appointment, frozen):
    colleague = therapist_at(clinic["location"], [clinic["assessment"]], hours=((4, 9, 17),))
    AppointmentFactory(location=clinic["location"], therapist=colleague, start=MORNING)
    staff_login(client, clinic["therapist"].user)

    page = client.get("/desk/").content.decode()

    assert page.count(">Yours<") == 1
    assert colleague.display_name in page


def test_the_schedule_runs_the_same_queries_for_3_and_30_appointments(client, clinic, frozen):
    """Prevents an N+1 on the day schedule: patients, services, therapists and intakes are joined."""
    location = clinic["location"]
    therapists = [clinic["therapist"], *(therapist_at(location, [clinic["needling"]], hours=((4, 8, 20),))
                                         for _ in range(2))]  # fmt: skip

    def add_appointments(first, last):
        for n in range(first, last):
            intake = IntakeFactory(location=location)
            AppointmentFactory(
                patient=intake.patient, intake=intake, location=location, service=clinic["needling"],
                therapist=therapists[n % 3], start=datetime(2025, 6, 13, 0, tzinfo=UTC) + timedelta(minutes=20 * n),
            )  # fmt: skip

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/desk/")
        return response.content.decode().count('class="grid-appt '), len(queries)

    add_appointments(0, 3)
    failed_message(Appointment.objects.first())
    staff_login(client, desk_user(location))
    client.get("/desk/")  # content types cached, as in a running server
    shown_3, queries_3 = count_queries()
    add_appointments(3, 30)
    shown_30, queries_30 = count_queries()

    assert (shown_3, shown_30) == (3, 30)
    # session, user (with their permissions, groups, devices, therapist row and staff profile's locations:
    # desk.auth.StaffBackend), the user's two-factor device, active locations, therapists, working hours,
    # appointments, time off, closures, failed messages, their appointments, screenings waiting for review (the
    # staff navigation).
    assert queries_3 == queries_30 == 12


# --- Transitions ----------------------------------------------------------------------------------------------


def post(client, appointment, action, **data):
    return client.post(f"/desk/appointments/{appointment.pk}/{action}/", {"seen_status": "confirmed", **data})


def test_it_checks_in_and_finishes_with_an_audit_of_ids_only(client, clinic, appointment, frozen):
    user = desk_user(clinic["location"])
    staff_login(client, user)

    response = post(client, appointment, "check-in")
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"

    frozen.move_to(AFTERNOON + timedelta(minutes=50))  # a session is finished after its start
    staff_login(client, user)  # hours later: the first session has idled out
    response = post(client, appointment, "finish", seen_status="checked_in", next="/desk/?date=2025-06-13")
    assert response["Location"] == "/desk/?date=2025-06-13"
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    # Booking's completion service owes the aftercare advice of a needling session.
    assert OutboundMessage.objects.for_subject(appointment).filter(kind="booking.aftercare").exists()

    events = list(AuditEvent.objects.order_by("at", "pk").values("actor", "action", "object_id", "detail"))
    assert events == [
        {"actor": user.pk, "action": "appointment_change", "object_id": str(appointment.pk),
         "detail": {"change": "check_in", "from": "confirmed", "to": "checked_in"}},
        {"actor": user.pk, "action": "appointment_change", "object_id": str(appointment.pk),
         "detail": {"change": "complete", "follow_up_weeks": None}},
    ]  # fmt: skip


def test_it_records_the_follow_up_plan_when_finishing(client, clinic, appointment, frozen):
    user = desk_user(clinic["location"])
    staff_login(client, user)
    post(client, appointment, "check-in")
    page = client.get(f"/desk/appointments/{appointment.pk}/").content.decode()
    assert 'name="follow_up_weeks"' not in page  # not before the start

    frozen.move_to(AFTERNOON + timedelta(minutes=50))
    staff_login(client, user)
    page = client.get(f"/desk/appointments/{appointment.pk}/").content.decode()
    assert 'name="follow_up_weeks"' in page
    post(client, appointment, "finish", seen_status="checked_in", follow_up_weeks="4")

    appointment.refresh_from_db()
    assert appointment.status == "completed"
    assert appointment.follow_up_weeks == 4
    assert OutboundMessage.objects.for_subject(appointment).filter(kind="booking.follow_up").exists()


def test_a_second_click_on_a_stale_page_says_what_happened(client, clinic, appointment, frozen):
    user = desk_user(clinic["location"])
    staff_login(client, user)
    post(client, appointment, "check-in")

    response = post(client, appointment, "check-in", next="/desk/")
    page = client.get(response["Location"]).content.decode()

    assert "Nothing was changed: this appointment is already checked in (last changed by" in page
    assert user.get_full_name() in page
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("confirmed", "finish", "The patient has not been checked in yet"),
        ("checked_in", "no-show", "The patient is checked in, so they came"),
        ("cancelled", "check-in", "This appointment is cancelled, so it cannot be checked in"),
        ("pending_review", "check-in", "still waits for a therapist"),
        ("completed", "cancel", "This appointment is completed, so it cannot be cancelled"),
    ],
)
def test_it_refuses_invalid_transitions_with_a_clear_message(client, clinic, appointment, frozen, status, action,
                                                              message):  # fmt: skip
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    staff_login(client, desk_user(clinic["location"]))

    response = post(client, appointment, action, seen_status=status, reason="Unwell")
    page = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert message in page
    appointment.refresh_from_db()
    assert appointment.status == status
    assert not AuditEvent.objects.exists()


def test_no_show_only_after_the_start(client, clinic, appointment, frozen):
    staff_login(client, desk_user(clinic["location"]))

    page = client.get(post(client, appointment, "no-show")["Location"]).content.decode()
    assert "It can be marked as a no show only after the start time (14:00 IST)" in page
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"

    frozen.move_to(AFTERNOON + timedelta(minutes=16))
    staff_login(client, desk_user(clinic["location"]))  # hours later: the first session has idled out
    post(client, appointment, "no-show")
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert AuditEvent.objects.get().detail["change"] == "no_show"


def test_cancel_needs_a_reason_and_cancels_the_messages_owed(client, clinic, appointment, frozen):
    message = message_queue(subject=appointment, kind=KIND_CONFIRMATION, due_at=NOW + timedelta(hours=1))
    staff_login(client, desk_user(clinic["location"]))

    page = client.get(post(client, appointment, "cancel", reason="")["Location"]).content.decode()
    assert "Please give a reason for cancelling" in page
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"

    post(client, appointment, "cancel", reason="Patient unwell")
    appointment.refresh_from_db()
    message.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == ("cancelled", "Patient unwell")
    assert message.status == "cancelled"
    event = AuditEvent.objects.get()
    assert (event.action, event.detail) == ("appointment_change", {"change": "cancel", "by_patient": False})


def test_a_therapist_changes_only_their_own_appointments(client, clinic, appointment, frozen):
    colleague = therapist_at(clinic["location"], [clinic["needling"]], hours=((4, 9, 17),))
    theirs = AppointmentFactory(location=clinic["location"], therapist=colleague, start=MORNING)
    staff_login(client, clinic["therapist"].user)

    assert post(client, theirs, "check-in").status_code == 403
    assert post(client, appointment, "check-in").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"


def test_a_clinic_admin_changes_any_appointment(client, clinic, appointment, frozen):
    staff_login(client, clinic_admin_user())
    post(client, appointment, "check-in")
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"


# --- Reschedule -----------------------------------------------------------------------------------------------


def test_it_offers_free_times_and_moves_the_appointment(client, clinic, appointment, frozen):
    staff_login(client, desk_user(clinic["location"]))

    page = client.get(f"/desk/appointments/{appointment.pk}/reschedule/?date=2025-06-16").content.decode()
    assert 'value="20250616T0330Z"' in page

    response = client.post(f"/desk/appointments/{appointment.pk}/move/", {"start": "20250616T0330Z"})

    assert response["Location"] == f"/desk/appointments/{appointment.pk}/"
    appointment.refresh_from_db()
    assert appointment.start == MONDAY_9
    event = AuditEvent.objects.get()
    assert (event.action, event.detail["change"]) == ("appointment_change", "reschedule")


def test_it_refuses_a_move_into_a_taken_time_with_a_message(client, clinic, appointment, frozen):
    AppointmentFactory(location=clinic["location"], therapist=clinic["therapist"], start=MONDAY_9)
    staff_login(client, desk_user(clinic["location"]))

    response = client.post(f"/desk/appointments/{appointment.pk}/move/", {"start": "20250616T0330Z"})
    page = client.get(response["Location"]).content.decode()

    assert "Sorry, that time was just taken. Nothing was changed" in page
    appointment.refresh_from_db()
    assert appointment.start == AFTERNOON


# --- Booking for a patient on the phone -----------------------------------------------------------------------


def booking(clinic, service="assessment", **changes):
    data = {
        "location": "indiranagar",
        "service": clinic[service].slug,
        "therapist": clinic["therapist"].pk,
        "start": "20250616T0330Z",
        "first_name": "Ravi",
        "last_name": "Kumar",
        "email": "ravi@example.com",
        "phone": "+91 98450 12345",
        "date_of_birth": "1979-01-02",
        "submission_key": "0b9c1f1e-2a53-4f0e-9d7e-1b2c3d4e5f60",
    }
    data.update(changes)
    return data


def test_it_lists_each_therapists_free_times_for_a_day(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))

    page = client.get(
        "/desk/book/?location=indiranagar&service=assessment&therapist=&date=2025-06-16"
    ).content.decode()

    assert "Arjun Menon" in page
    assert f"therapist={clinic['therapist'].pk}&amp;start=20250616T0330Z" in page
    details = client.get(
        f"/desk/book/details/?location=indiranagar&service=assessment&therapist={clinic['therapist'].pk}"
        "&start=20250616T0330Z"
    )
    assert details.status_code == 200


def test_it_books_a_new_patient_from_the_desk(client, clinic, frozen):
    user = desk_user(clinic["location"])
    staff_login(client, user)

    response = client.post("/desk/book/confirm/", booking(clinic))

    appointment = Appointment.objects.get()
    assert response["Location"] == f"/desk/appointments/{appointment.pk}/"
    assert (appointment.source, appointment.status, appointment.created_by) == ("desk", "confirmed", user)
    assert appointment.patient.email == "ravi@example.com"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("appointment_create", user, str(appointment.pk))
    # A double submit books nothing new.
    client.post("/desk/book/confirm/", booking(clinic))
    assert Appointment.objects.count() == 1


def test_it_finds_an_existing_patient_by_email_and_date_of_birth(client, clinic, frozen):
    patient = PatientFactory(email="Ravi@Example.com", date_of_birth=date(1979, 1, 2))
    staff_login(client, desk_user(clinic["location"]))

    client.post("/desk/book/confirm/", booking(clinic))

    assert Appointment.objects.get().patient == patient
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("intake", "status", "text"),
    [
        (None, None, "has no valid screening for Dry needling session"),
        ("cleared", "confirmed", None),
        ("needs_review", "pending_review", None),
        ("not_suitable", None, "is not suitable, so it cannot be booked"),
    ],
)
def test_needling_needs_a_valid_screening(client, clinic, frozen, intake, status, text):
    patient = PatientFactory(email="ravi@example.com", date_of_birth=date(1979, 1, 2))
    if intake is not None:
        IntakeFactory(patient=patient, **({intake: True} if intake != "cleared" else {}))
    staff_login(client, desk_user(clinic["location"]))

    response = client.post("/desk/book/confirm/", booking(clinic, service="needling"))

    if status is None:
        assert response.status_code == 409
        assert text in response.content.decode()
        assert not Appointment.objects.exists()
    else:
        assert Appointment.objects.get().status == status


def test_a_taken_time_keeps_what_was_typed(client, clinic, frozen):
    AppointmentFactory(location=clinic["location"], therapist=clinic["therapist"], start=MONDAY_9)
    staff_login(client, desk_user(clinic["location"]))

    response = client.post("/desk/book/confirm/", booking(clinic))

    assert response.status_code == 409
    page = response.content.decode()
    assert "that time was just taken" in page
    assert 'value="ravi@example.com"' in page


def test_the_desk_cannot_book_at_another_location(client, clinic, other_location, frozen):
    staff_login(client, desk_user(other_location))
    assert client.post("/desk/book/confirm/", booking(clinic)).status_code == 404
    assert not Appointment.objects.exists()


# --- Hours and time off ---------------------------------------------------------------------------------------


def test_the_desk_adds_changes_and_removes_working_hours_at_its_location(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))
    therapist = clinic["therapist"]
    data = {"therapist": therapist.pk, "location": clinic["location"].pk, "weekday": 6,
            "start_time": "10:00", "end_time": "14:00"}  # fmt: skip

    assert client.post("/desk/hours/add/", data).status_code == 302
    hours = WorkingHours.objects.get(weekday=6)
    assert client.post(f"/desk/hours/{hours.pk}/", {**data, "end_time": "15:00"}).status_code == 302
    hours.refresh_from_db()
    assert hours.end_time.hour == 15
    assert client.post(f"/desk/hours/{hours.pk}/", {**data, "end_time": "09:00"}).status_code == 200
    assert client.post(f"/desk/hours/{hours.pk}/delete/").status_code == 302
    assert not WorkingHours.objects.filter(weekday=6).exists()


def test_the_desk_cannot_touch_hours_at_another_location(client, clinic, other_location, frozen):
    hours = WorkingHours.objects.filter(therapist=clinic["therapist"]).first()
    staff_login(client, desk_user(other_location))

    assert client.post(f"/desk/hours/{hours.pk}/delete/").status_code == 404
    data = {"therapist": clinic["therapist"].pk, "location": clinic["location"].pk, "weekday": 6,
            "start_time": "10:00", "end_time": "14:00"}  # fmt: skip
    assert client.post("/desk/hours/add/", data).status_code == 200  # not a choice: the form says so
    assert WorkingHours.objects.filter(pk=hours.pk).exists()
    assert not WorkingHours.objects.filter(weekday=6).exists()


def test_a_therapist_cannot_change_working_hours(client, clinic):
    hours = WorkingHours.objects.filter(therapist=clinic["therapist"]).first()
    staff_login(client, clinic["therapist"].user)
    assert client.post(f"/desk/hours/{hours.pk}/delete/").status_code == 403
    assert client.post("/desk/hours/add/", {}).status_code == 403


def test_time_off_over_booked_appointments_lists_them_to_move(client, clinic, appointment, frozen):
    staff_login(client, desk_user(clinic["location"]))

    response = client.post(
        "/desk/time-off/add/?location=indiranagar",
        {"therapist": clinic["therapist"].pk, "start": "2025-06-13T13:00", "end": "2025-06-13T18:00",
         "reason": "Dentist"},
    )  # fmt: skip

    time_off = TimeOff.objects.get()
    assert time_off.start == datetime(2025, 6, 13, 7, 30, tzinfo=UTC)  # 13:00 IST
    page = client.get(response["Location"]).content.decode()
    assert "1 booked appointment inside this time off" in page
    assert f"/desk/appointments/{appointment.pk}/" in page
    assert appointment.patient.full_name in page


def test_a_therapist_adds_and_removes_only_their_own_time_off(client, clinic, frozen):
    colleague = therapist_at(clinic["location"], [clinic["needling"]])
    theirs = TimeOffFactory(therapist=colleague, start=MONDAY_9, end=MONDAY_9 + timedelta(hours=2))
    staff_login(client, clinic["therapist"].user)

    own = {"therapist": clinic["therapist"].pk, "start": "2025-06-20T09:00", "end": "2025-06-20T12:00"}
    assert client.post("/desk/time-off/add/", own).status_code == 302
    assert client.post("/desk/time-off/add/", {**own, "therapist": colleague.pk}).status_code == 200
    assert TimeOff.objects.filter(therapist=clinic["therapist"]).count() == 1
    assert client.post(f"/desk/time-off/{theirs.pk}/delete/").status_code == 403
    assert client.get(f"/desk/time-off/{theirs.pk}/edit/").status_code == 403
    mine = TimeOff.objects.get(therapist=clinic["therapist"])
    assert client.post(f"/desk/time-off/{mine.pk}/delete/").status_code == 302
    assert TimeOff.objects.filter(pk=theirs.pk).exists()
    assert not TimeOff.objects.filter(pk=mine.pk).exists()


def test_the_desk_edits_time_off_of_therapists_at_its_locations_only(client, clinic, other_location, frozen):
    time_off = TimeOffFactory(therapist=clinic["therapist"], start=MONDAY_9, end=MONDAY_9 + timedelta(hours=2))
    staff_login(client, desk_user(other_location))
    assert client.get(f"/desk/time-off/{time_off.pk}/edit/").status_code == 404

    staff_login(client, desk_user(clinic["location"]))
    response = client.post(
        f"/desk/time-off/{time_off.pk}/edit/",
        {"therapist": clinic["therapist"].pk, "start": "2025-06-16T09:00", "end": "2025-06-16T13:00"},
    )
    assert response.status_code == 302
    time_off.refresh_from_db()
    assert time_off.end == MONDAY_9 + timedelta(hours=4)


# --- Messages -------------------------------------------------------------------------------------------------


def failed_message(appointment):
    message = message_queue(subject=appointment, kind=KIND_CONFIRMATION)
    OutboundMessage.objects.filter(pk=message.pk).update(status="failed", attempts=5, last_error="SMTP 550 mailbox")
    return message


def test_the_appointment_page_lists_its_messages(client, clinic, appointment, frozen):
    failed_message(appointment)
    staff_login(client, desk_user(clinic["location"]))

    page = client.get(f"/desk/appointments/{appointment.pk}/").content.decode()

    assert "Booking confirmation" in page
    assert "E-mail" in page
    assert "Failed" in page
    assert "SMTP 550 mailbox" in page
    assert "Send again" in page


def test_send_again_queues_the_message_now_and_audits_it(client, clinic, appointment, frozen):
    message = failed_message(appointment)
    user = desk_user(clinic["location"])
    staff_login(client, user)

    response = client.post(f"/desk/messages/{message.pk}/resend/")

    assert response["Location"] == f"/desk/appointments/{appointment.pk}/"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, "")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("message_resend", user)


def test_send_again_is_refused_at_another_location(client, clinic, other_location, appointment, frozen):
    message = failed_message(appointment)
    staff_login(client, desk_user(other_location))
    assert client.post(f"/desk/messages/{message.pk}/resend/").status_code == 404
    client.logout()
    assert client.post(f"/desk/messages/{message.pk}/resend/").status_code == 302
    message.refresh_from_db()
    assert message.status == "failed"


def test_the_desk_home_lists_failed_messages_at_the_users_locations(client, clinic, other_location, appointment,
                                                                     frozen):  # fmt: skip
    failed_message(appointment)
    elsewhere = AppointmentFactory(location=other_location, start=MONDAY_9, patient=PatientFactory(first_name="Zed"))
    failed_message(elsewhere)
    staff_login(client, desk_user(clinic["location"]))

    page = client.get("/desk/").content.decode()

    assert "Failed messages (1)" in page
    assert f'href="/desk/appointments/{appointment.pk}/"' in page
    assert elsewhere.patient.full_name not in page


def test_it_shows_a_london_day_across_the_clock_change_in_london_time(client, other_location):
    """On 30 March 2025 London's clocks go forward: the day is 23 hours, and 00:30 BST on the 31st (23:30 UTC on
    the 30th) belongs to the 31st."""
    therapist = therapist_at(other_location, [], hours=((6, 9, 17),), display_name="Ellen Wright")
    morning = AppointmentFactory(
        location=other_location, therapist=therapist, start=datetime(2025, 3, 30, 9, 0, tzinfo=UTC)
    )
    late = AppointmentFactory(
        location=other_location,
        therapist=therapist,
        start=datetime(2025, 3, 30, 23, 30, tzinfo=UTC),
        patient=PatientFactory(first_name="Late"),
    )
    staff_login(client, desk_user(other_location))

    page = client.get("/desk/?location=london&date=2025-03-30").content.decode()

    assert "Sunday 30 March 2025" in page
    assert "10:00–10:45" in page
    assert morning.patient.full_name in page
    assert late.patient.full_name not in page
    detail = client.get(f"/desk/appointments/{late.pk}/").content.decode()
    assert "date=2025-03-31" in detail
    assert "Monday 31 March 2025, 00:30–01:15 (UK time)" in detail


def test_the_booking_page_starts_without_errors(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))

    page = client.get("/desk/book/?location=indiranagar&date=2025-06-16").content.decode()

    assert "This field is required" not in page
    assert 'value="2025-06-16"' in page


def test_the_desk_shows_a_message_possibly_sent_twice(client, clinic, other_location, appointment, frozen):
    """A worker died mid-send and the next sweep sent it again: the desk can tell a patient who asks why."""
    message = message_queue(subject=appointment, kind=KIND_CONFIRMATION)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status="sent", attempts=2, interrupted_attempts=1, sent_at=timezone.now()
    )
    elsewhere = AppointmentFactory(location=other_location, start=MONDAY_9, patient=PatientFactory(first_name="Zed"))
    other = message_queue(subject=elsewhere, kind=KIND_CONFIRMATION)
    OutboundMessage.objects.filter(pk=other.pk).update(
        status="sent", attempts=2, interrupted_attempts=1, sent_at=timezone.now()
    )
    client.force_login(desk_user(clinic["location"]))

    home = client.get("/desk/").content.decode()
    page = client.get(f"/desk/appointments/{appointment.pk}/").content.decode()

    assert "Possibly sent twice (1)" in home
    assert elsewhere.patient.full_name not in home
    assert "possibly sent 2 times" in page


def test_the_desk_undoes_a_check_in_the_same_day_and_the_page_offers_only_what_is_allowed(
    client, clinic, appointment, frozen
):
    staff_login(client, desk_user(clinic["location"]))
    page = client.get(f"/desk/appointments/{appointment.pk}/").content.decode()
    assert "Check in" in page
    assert "Undo" not in page
    assert "No show</button>" not in page
    client.post(f"/desk/appointments/{appointment.pk}/check-in/", {"seen_status": "confirmed"})
    page = client.get(f"/desk/appointments/{appointment.pk}/").content.decode()
    assert "Undo “Checked in”" in page
    assert "Cancel appointment" not in page
    response = client.post(f"/desk/appointments/{appointment.pk}/undo/", {"seen_status": "checked_in"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert AuditEvent.objects.filter(detail__change="undo").count() == 1


def test_a_completed_visit_cannot_be_cancelled_or_its_patient_told_so(client, clinic, appointment, frozen):
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.COMPLETED)
    staff_login(client, desk_user(clinic["location"]))
    client.post(f"/desk/appointments/{appointment.pk}/cancel/", {"reason": "x", "seen_status": "completed"})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED
    assert not OutboundMessage.objects.filter(kind="booking.cancellation").exists()
