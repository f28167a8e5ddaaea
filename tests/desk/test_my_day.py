"""A therapist's day (/desk/my-day/): their appointments of one day with patient, time, status, the actions the
model allows, the screening's outcome and, only with the health-answers permission (audited), why it was flagged
and the precautions; the landing page after signing in."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Appointment
from clinic.core.models import AuditEvent, StaffProfile
from tests.booking.conftest import NOW
from tests.booking.factories import AppointmentFactory, TherapistFactory
from tests.factories import LocationFactory, clinic_admin_user, front_desk_user
from tests.intake.factories import IntakeFactory, healthy_answers
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
TODAY_10 = datetime(2025, 6, 13, 4, 30, tzinfo=UTC)  # Friday 10:00 in Bengaluru, before NOW (11:30)
TODAY_14 = datetime(2025, 6, 13, 8, 30, tzinfo=UTC)  # Friday 14:00, after NOW


def _flagged(location, **kwargs):
    answers = healthy_answers(epilepsy="yes", epilepsy_last="Last March", epilepsy_controlled="yes")
    results = [{"rule": "epilepsy", "disposition": "needs_review", "reasons": ["Epilepsy or seizures"],
                "questions": ["epilepsy"]}]  # fmt: skip
    return IntakeFactory(location=location, needs_review=True, answers=answers, results=results,
                         review_status="approved", precautions="Avoid the left calf", **kwargs)  # fmt: skip


@pytest.fixture
def day(clinic, frozen):
    location, therapist = clinic["location"], clinic["therapist"]
    intake = _flagged(location, patient__first_name="Asha", patient__last_name="Rao")
    earlier = AppointmentFactory(patient=intake.patient, intake=intake, therapist=therapist, location=location,
                                 service=clinic["needling"], start=TODAY_10)  # fmt: skip
    later = AppointmentFactory(therapist=therapist, location=location, service=clinic["assessment"], start=TODAY_14,
                               patient__first_name="Ravi", patient__last_name="Kumar")  # fmt: skip
    AppointmentFactory(therapist=therapist, location=location, start=TODAY_14 + timedelta(days=1),
                       patient__last_name="Tomorrow")  # fmt: skip
    return {**clinic, "intake": intake, "earlier": earlier, "later": later}


def test_it_shows_the_therapist_their_day_with_reasons_and_precautions_and_audits_each_patient(client, day):
    staff_login(client, day["therapist"].user)

    response = client.get("/desk/my-day/")

    page = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert [row.appointment for row in response.context["rows"]] == [day["earlier"], day["later"]]
    assert "Tomorrow" not in page
    assert "10:00–10:45" in page
    assert "Asha Rao" in page
    assert "Ravi Kumar" in page
    assert "Screening: needs review (approved)" in page
    assert "Needs review: Epilepsy or seizures" in page
    assert "Precautions:</span> Avoid the left calf" in page
    assert "Last March" not in page  # the answers themselves stay on the review page
    # The actions are the model's: the earlier visit can be checked in, finished only after check-in.
    earlier = response.context["rows"][0]
    assert earlier.actions == day["earlier"].allowed_actions(now=NOW)
    assert f'action="/desk/appointments/{day["earlier"].pk}/check-in/"' in page
    assert f'action="/desk/appointments/{day["earlier"].pk}/finish/"' not in page
    assert f'action="/desk/appointments/{day["later"].pk}/no-show/"' not in page  # not before its start
    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_HEALTH_ANSWERS)
    assert [(e.object_id, e.patient_id, e.detail["via"]) for e in events] == [
        (str(day["intake"].pk), day["intake"].patient_id, "my_day")
    ]


def test_it_shows_the_front_desk_the_outcome_but_no_health_details(client, day):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([day["location"]])
    staff_login(client, user)

    page = client.get("/desk/my-day/", {"therapist": day["therapist"].pk}).content.decode()

    assert "Asha Rao" in page
    assert "Screening: needs review (approved)" in page
    assert "Epilepsy" not in page
    assert "Avoid the left calf" not in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_HEALTH_ANSWERS).exists()


def test_it_answers_404_for_a_therapist_or_appointments_outside_the_desks_locations(client, day):
    elsewhere = LocationFactory(slug="london", time_zone="Europe/London", country="GB")
    stranger = TherapistFactory(locations=[elsewhere])
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([elsewhere])
    staff_login(client, user)

    assert client.get("/desk/my-day/", {"therapist": day["therapist"].pk}).status_code == 404
    assert client.get("/desk/my-day/", {"therapist": "x1"}).status_code == 404
    page = client.get("/desk/my-day/").content.decode()
    assert stranger.display_name in page
    assert "Asha Rao" not in page


def test_it_keeps_therapists_to_their_own_day(client, day):
    colleague = TherapistFactory(locations=[day["location"]])
    staff_login(client, colleague.user)

    assert client.get("/desk/my-day/", {"therapist": day["therapist"].pk}).status_code == 404
    assert "Asha Rao" not in client.get("/desk/my-day/").content.decode()


def test_it_lets_a_clinic_admin_open_any_therapists_day(client, day):
    staff_login(client, clinic_admin_user())

    page = client.get("/desk/my-day/", {"therapist": day["therapist"].pk}).content.decode()

    assert "Arjun Menon’s day" in page
    assert "Avoid the left calf" in page


def test_it_picks_the_day_and_keeps_a_bad_date_from_failing(client, day):
    staff_login(client, day["therapist"].user)

    tomorrow = client.get("/desk/my-day/", {"date": "2025-06-14"}).content.decode()
    bad = client.get("/desk/my-day/", {"date": "2025-13-45"})

    assert "Tomorrow" in tomorrow
    assert "Asha Rao" not in tomorrow
    assert bad.status_code == 200
    assert "That date could not be read; showing today." in bad.content.decode()
    assert "Asha Rao" in bad.content.decode()


def test_it_offers_the_actions_the_model_allows_after_the_start(client, day, frozen):
    Appointment.objects.filter(pk=day["earlier"].pk).update(status=Appointment.Status.CHECKED_IN)
    staff_login(client, day["therapist"].user)

    page = client.get("/desk/my-day/").content.decode()

    assert f'action="/desk/appointments/{day["earlier"].pk}/finish/"' in page
    assert f'action="/desk/appointments/{day["earlier"].pk}/undo/"' in page
    assert f'action="/desk/appointments/{day["earlier"].pk}/check-in/"' not in page


@pytest.mark.parametrize("count", [2, 12])
def test_it_shows_the_day_in_constant_queries(client, clinic, frozen, django_assert_num_queries, count):
    """Prevents an N+1 on the therapist's day: patient, service, location and intake come with the appointments,
    and each patient's health view is audited in one insert."""
    for number in range(count):
        intake = _flagged(clinic["location"])
        start = TODAY_10 + timedelta(hours=number - 4)
        AppointmentFactory(patient=intake.patient, intake=intake, therapist=clinic["therapist"],
                           location=clinic["location"], start=start)  # fmt: skip
    staff_login(client, clinic["therapist"].user)
    client.get("/desk/my-day/")
    # 1 django_session: the session
    # 2 auth_user: its user, with their permissions (may they use the desk), group names, devices, therapist
    #   record (desk.selectors.staff_for) and staff profile: desk.auth.StaffBackend
    # 3 otp_totp_totpdevice: their second factor, verified for this session
    # 4 booking_therapist: the therapists whose day they may open (themselves)
    # 5 core_location: the therapist's first location (whose "today")
    # 6 booking_appointment: the day's appointments with patient, service, therapist, location and intake
    # 7 core_auditevent: one health-details view per patient, in one insert
    # 8 intake_intake: the review queue's count in the staff navigation
    with django_assert_num_queries(8):
        response = client.get("/desk/my-day/")
    assert len(response.context["rows"]) == count


def test_it_lands_therapists_on_their_day_and_the_desk_on_the_schedule(client, day):
    staff_login(client, day["therapist"].user)
    assert client.get("/desk/start/")["Location"] == "/desk/my-day/"

    client.logout()
    staff_login(client, front_desk_user())
    assert client.get("/desk/start/")["Location"] == "/desk/"
