"""One patient per person: the (lower-case e-mail, date of birth) pair is unique in the database, matching or
creating a patient is safe when submissions for one person arrive at once, and the desk cannot give one patient
another's e-mail and birth date."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.core.models import AuditEvent, StaffProfile
from intake.models import Patient
from intake.services import PatientDetails, patient_match_or_create, patient_update_contact
from tests.booking.factories import AppointmentFactory
from tests.factories import LocationFactory, front_desk_user
from tests.intake.factories import PatientFactory
from tests.support.auth import staff_login
from tests.support.threads import race

ASHA = PatientDetails(
    first_name="Asha",
    last_name="Rao",
    email="asha@example.com",
    phone="+91 98765 43210",
    date_of_birth=date(1985, 3, 27),
)


@pytest.mark.django_db(transaction=True)
def test_eight_submissions_at_once_for_one_person_give_one_record():
    def submit(n):
        with transaction.atomic():  # as inside a booking or an intake: the insert waits for the first one's commit
            details = PatientDetails(**{**ASHA.__dict__, "email": "Asha@Example.com" if n % 2 else "asha@example.com"})
            return patient_match_or_create(details=details).pk

    results = race(8, submit)

    assert len(set(results)) == 1, results
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_record_for_one_person():
    PatientFactory(email="asha@example.com", date_of_birth=date(1985, 3, 27))

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(email="ASHA@example.com", date_of_birth=date(1985, 3, 27))


@pytest.mark.django_db
def test_erased_patients_never_clash():
    for _ in range(2):
        PatientFactory(first_name="", last_name="", email="", phone="", date_of_birth=None)

    assert Patient.objects.count() == 2


@pytest.mark.django_db
def test_the_same_e_mail_with_another_birth_date_is_another_person():
    twin = PatientFactory(email="family@example.com", date_of_birth=date(1990, 1, 1))

    patient = patient_match_or_create(details=PatientDetails(**{**ASHA.__dict__, "email": "family@example.com"}))

    assert patient != twin
    assert Patient.objects.count() == 2


@pytest.mark.django_db
def test_the_desk_cannot_give_a_patient_another_patients_e_mail_and_birth_date(client):
    location = LocationFactory()
    other = PatientFactory(email="asha@example.com", date_of_birth=date(1985, 3, 27))
    patient = PatientFactory(email="a.rao@example.com", date_of_birth=date(1985, 3, 27))
    AppointmentFactory(patient=patient, location=location, start=datetime(2025, 6, 16, 4, 0, tzinfo=UTC))
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([location])

    with pytest.raises(ValidationError):
        patient_update_contact(patient=patient, actor=user, **{**ASHA.__dict__, "email": "ASHA@example.com"})
    staff_login(client, user)
    response = client.post(
        f"/desk/patients/{patient.pk}/edit/",
        {"first_name": "Asha", "last_name": "Rao", "email": "Asha@example.com", "phone": "+91 98765 43210",
         "date_of_birth": "1985-03-27"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "Another patient already has this e-mail address and date of birth." in response.content.decode()
    patient.refresh_from_db()
    assert patient.email == "a.rao@example.com"
    assert other.email == "asha@example.com"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PATIENT_CHANGE).exists()


@pytest.mark.django_db
def test_it_files_a_contact_change_under_the_patient_with_field_names_only():
    patient = PatientFactory(**{**ASHA.__dict__, "email": "a.rao@example.com", "last_name": "Roa"})
    user = front_desk_user()

    patient_update_contact(patient=patient, actor=user, **{**ASHA.__dict__, "email": "asha.rao@example.com"})

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.PATIENT_CHANGE)
    assert event.patient_id == patient.pk
    assert event.detail == {"fields": ["email", "last_name"]}
    assert "asha.rao" not in str(event.detail)


@pytest.mark.django_db
@pytest.mark.parametrize(("born", "why"), [(date(2031, 1, 1), "in the future"), (date(1880, 1, 1), "120 years")])
def test_the_service_checks_the_date_of_birth_the_forms_check(born, why, frozen_today):
    with pytest.raises(ValidationError, match=why):
        patient_match_or_create(details=PatientDetails(**{**ASHA.__dict__, "date_of_birth": born}))

    assert not Patient.objects.exists()


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime(2025, 6, 13, 6, 0, tzinfo=UTC), tick=False):
        yield
