"""The review queue with booking's appointments: each screening's held appointment (time and clinic), why it was
flagged (only for those who may see health data, audited) and the clinic filter (only the user's locations); and the
review page warning that approving would confirm a booking outside hours or on a closure, with a link to move it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from clinic.core.models import AuditEvent, StaffProfile
from tests.booking.factories import AppointmentFactory, ClosureFactory
from tests.factories import LocationFactory, front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
MONDAY_10 = datetime(2025, 6, 16, 4, 30, tzinfo=UTC)  # 10:00 in Bengaluru
RESULTS = [{"rule": "diabetes", "disposition": "needs_review", "reasons": ["Diabetes"], "questions": ["diabetes"]}]


@pytest.fixture
def queue(clinic, frozen):
    here = clinic["location"]
    elsewhere = LocationFactory(slug="london", name="London", time_zone="Europe/London", country="GB")
    held = {}
    for key, location in (("here", here), ("elsewhere", elsewhere)):
        intake = IntakeFactory(location=location, needs_review=True, results=RESULTS, patient__last_name=f"Q{key}")
        held[key] = AppointmentFactory(patient=intake.patient, intake=intake, therapist=clinic["therapist"],
                                       location=location, service=clinic["needling"], status="pending_review",
                                       start=MONDAY_10 + timedelta(days=1 if key == "here" else 2))  # fmt: skip
    return {**clinic, "here": here, "elsewhere": elsewhere, "held": held}


def test_it_shows_each_held_appointments_time_clinic_and_why_it_was_flagged(client, queue):
    user = therapist_user()
    staff_login(client, user)

    page = " ".join(client.get("/intake/review/").content.decode().split())

    assert "Tuesday 17 June 2025, 10:00 (India time)" in page
    assert f"{queue['here'].name}, Arjun Menon" in page
    assert "Needs review:</span> Diabetes" in page
    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_HEALTH_ANSWERS)
    assert sorted(e.patient_id for e in viewed) == sorted(a.patient_id for a in queue["held"].values())
    assert {e.detail["via"] for e in viewed} == {"review_queue"}


def test_it_never_shows_the_front_desk_why_it_was_flagged(client, queue):
    staff_login(client, front_desk_user())

    page = client.get("/intake/review/").content.decode()

    assert "Qhere" in page
    assert "Tuesday 17 June 2025, 10:00" in page
    assert "Diabetes" not in page
    assert "Why it was flagged" not in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_HEALTH_ANSWERS).exists()


def test_it_filters_by_clinic(client, queue):
    staff_login(client, therapist_user())

    page = client.get("/intake/review/", {"location": queue["elsewhere"].pk}).content.decode()

    assert "Qelsewhere" in page
    assert "Qhere" not in page
    for bad in ("99999999", "x", "-1", "1" * 30):
        assert client.get("/intake/review/", {"location": bad}).status_code == 404


def test_a_desk_limited_to_one_location_cannot_filter_to_another(client, queue):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([queue["here"]])
    staff_login(client, user)

    assert client.get("/intake/review/", {"location": queue["elsewhere"].pk}).status_code == 404
    page = client.get("/intake/review/", {"location": queue["here"].pk}).content.decode()
    assert "Qhere" in page
    assert "Qelsewhere" not in page
    assert "London" not in client.get("/intake/review/").content.decode()


@pytest.mark.parametrize(
    ("start", "closed", "warning"),
    [
        (MONDAY_10 + timedelta(hours=7, minutes=30), None, "outside Arjun Menon's working hours"),
        (MONDAY_10, date(2025, 6, 16), "is closed that day (Founders' day)"),
    ],
    ids=["outside hours", "closure"],
)
def test_approving_warns_about_hours_and_closures_and_offers_to_move_it(
    client, clinic, frozen, start, closed, warning
):
    if closed:
        ClosureFactory(location=clinic["location"], first_day=closed, last_day=closed, reason="Founders' day")
    intake = IntakeFactory(location=clinic["location"], needs_review=True)
    appointment = AppointmentFactory(patient=intake.patient, intake=intake, therapist=clinic["therapist"],
                                     location=clinic["location"], status="pending_review", start=start)  # fmt: skip
    staff_login(client, therapist_user())

    page = client.get(f"/intake/review/{intake.pk}/").content.decode().replace("&#x27;", "'")

    assert warning in page
    assert f'href="/desk/appointments/{appointment.pk}/reschedule/">Move it first' in page


def test_approving_does_not_warn_inside_hours(client, clinic, frozen):
    intake = IntakeFactory(location=clinic["location"], needs_review=True)
    AppointmentFactory(patient=intake.patient, intake=intake, therapist=clinic["therapist"],
                       location=clinic["location"], status="pending_review", start=MONDAY_10)  # fmt: skip
    staff_login(client, therapist_user())

    page = client.get(f"/intake/review/{intake.pk}/").content.decode()

    assert "Move it first" not in page
