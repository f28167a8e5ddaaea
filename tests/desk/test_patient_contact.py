"""The desk corrects a patient's details (docs/access.md): the admin is the clinic admins' only, so what the front
desk did there happens at /desk/patients/<id>/edit/, for patients of its own locations."""

from datetime import UTC, datetime

import pytest

from clinic.core.models import AuditEvent, StaffProfile
from tests.booking.factories import AppointmentFactory
from tests.factories import LocationFactory, front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory, PatientFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
START = datetime(2025, 6, 16, 4, 0, tzinfo=UTC)


def desk_at(location):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([location])
    return user


@pytest.fixture
def places():
    return LocationFactory(slug="hyderabad"), LocationFactory(slug="london", country="GB", time_zone="Europe/London")


def form(patient, **changes):
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "phone": patient.phone.as_international,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    return data | changes


def test_it_corrects_a_patients_e_mail_and_audits_the_field_names_only(client, places):
    here, _ = places
    patient = AppointmentFactory(location=here, start=START).patient
    user = desk_at(here)
    staff_login(client, user)

    response = client.post(f"/desk/patients/{patient.pk}/edit/", form(patient, email="new.address@example.com"))

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "new.address@example.com"
    event = AuditEvent.objects.get(action="patient_change")
    assert (event.actor, event.object_id, event.detail) == (user, str(patient.pk), {"fields": ["email"]})


def test_a_patient_with_only_an_intake_here_is_visible_too(client, places):
    here, _ = places
    patient = IntakeFactory(location=here).patient
    staff_login(client, desk_at(here))

    assert client.get(f"/desk/patients/{patient.pk}/edit/").status_code == 200


def test_another_locations_patient_answers_404_and_nothing_changes(client, places):
    here, elsewhere = places
    patient = AppointmentFactory(location=elsewhere, start=START).patient
    staff_login(client, desk_at(here))

    assert client.get(f"/desk/patients/{patient.pk}/edit/").status_code == 404
    assert client.post(f"/desk/patients/{patient.pk}/edit/", form(patient, last_name="Changed")).status_code == 404
    patient.refresh_from_db()
    assert patient.last_name != "Changed"
    assert not AuditEvent.objects.exists()


def test_a_patient_with_no_record_anywhere_answers_404_to_a_limited_desk(client, places):
    here, _ = places
    staff_login(client, desk_at(here))

    assert client.get(f"/desk/patients/{PatientFactory().pk}/edit/").status_code == 404


def test_bad_input_keeps_what_was_typed_and_changes_nothing(client, places):
    here, _ = places
    patient = AppointmentFactory(location=here, start=START).patient
    staff_login(client, desk_at(here))

    response = client.post(
        f"/desk/patients/{patient.pk}/edit/", form(patient, email="not an address", first_name="Ash\x00a")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an e-mail address such as name@example.com." in page
    assert 'value="not an address"' in page
    patient.refresh_from_db()
    assert patient.email != "not an address"


def test_therapists_may_not_change_patients(client, places):
    here, _ = places
    patient = AppointmentFactory(location=here, start=START).patient
    staff_login(client, therapist_user())

    assert client.post(f"/desk/patients/{patient.pk}/edit/", form(patient, last_name="Changed")).status_code == 403
