"""Booking is one write: the patient is matched or created inside the booking's own transaction, so a booking that
is refused, needs a screening first or finds its time taken stores nothing, not even a patient (regression: the
views created the patient first and booked in a second transaction). One person is one patient, even when eight
bookings for them arrive at once."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from booking import services
from booking.models import Appointment
from clinic.core.models import AuditEvent, OutboundMessage, StaffProfile
from intake.models import Patient
from intake.services import PatientDetails
from tests.booking.conftest import NOW, WEEKDAYS
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory, therapist_at
from tests.factories import front_desk_user
from tests.support.auth import staff_login
from tests.support.threads import race

MONDAY_9 = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)  # 09:00 IST


def ravi(**changes) -> PatientDetails:
    fields = {"first_name": "Ravi", "last_name": "Kumar", "email": "ravi@example.com", "phone": "+91 98450 12345",
              "date_of_birth": date(1979, 1, 2)} | changes  # fmt: skip
    return PatientDetails(**fields)


def book(clinic, *, service="assessment", patient=None, **kwargs):
    return services.appointment_book(
        patient=patient or ravi(),
        service=clinic[service],
        location=clinic["location"],
        therapist=kwargs.pop("therapist", clinic["therapist"]),
        start=kwargs.pop("start", MONDAY_9),
        now=NOW,
        **kwargs,
    )


def nothing_stored():
    return (Patient.objects.count(), Appointment.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
class TestTheService:
    def test_it_creates_the_patient_with_the_booking(self, clinic, frozen):
        appointment = book(clinic)

        patient = Patient.objects.get()
        assert appointment.patient == patient
        assert (patient.full_name, patient.email, patient.phone.as_e164) == (
            "Ravi Kumar",
            "ravi@example.com",
            "+919845012345",
        )

    def test_it_books_a_known_person_on_their_record_whatever_the_case_of_the_e_mail(self, clinic, frozen):
        known = PatientFactory(email="Ravi@Example.com", date_of_birth=date(1979, 1, 2), first_name="Ravindra")

        appointment = book(clinic, patient=ravi(email="RAVI@example.COM", first_name="Ravi"))

        assert appointment.patient == known
        assert Patient.objects.get().first_name == "Ravindra"  # the public form never overwrites a record

    def test_a_taken_time_stores_no_patient(self, clinic, frozen):
        AppointmentFactory(location=clinic["location"], therapist=clinic["therapist"], start=MONDAY_9)

        with pytest.raises(services.SlotTaken):
            book(clinic)

        assert Patient.objects.count() == 1  # the factory's own patient only
        assert Appointment.objects.count() == 1

    def test_needling_without_a_screening_stores_no_patient(self, clinic, frozen):
        with pytest.raises(services.NeedsIntake):
            book(clinic, service="needling")

        assert nothing_stored()

    def test_the_desk_books_on_the_persons_current_screening(self, clinic, frozen):
        patient = PatientFactory(email="ravi@example.com", date_of_birth=date(1979, 1, 2))
        intake = IntakeFactory(patient=patient, needs_review=True, location=clinic["location"])

        appointment = book(clinic, service="needling", source=Appointment.Source.DESK)

        assert (appointment.patient, appointment.intake, appointment.status) == (patient, intake, "pending_review")

    def test_a_refused_screening_books_nothing_and_says_why_to_the_desk(self, clinic, frozen):
        patient = PatientFactory(email="ravi@example.com", date_of_birth=date(1979, 1, 2), first_name="Ravi")
        IntakeFactory(patient=patient, not_suitable=True, location=clinic["location"])

        with pytest.raises(services.BookingRefused, match=r"Ravi .*'s screening says Dry needling"):
            book(clinic, service="needling", source=Appointment.Source.DESK)

        assert not Appointment.objects.exists()
        assert not OutboundMessage.objects.exists()

    def test_a_new_person_at_the_desk_needs_a_screening_and_is_not_kept(self, clinic, frozen):
        with pytest.raises(services.NeedsIntake, match="Ravi Kumar has no valid screening"):
            book(clinic, service="needling", source=Appointment.Source.DESK)

        assert nothing_stored()


@pytest.mark.django_db
class TestTheViews:
    def test_the_online_flow_stores_no_patient_when_the_time_was_taken(self, client, clinic, frozen):
        AppointmentFactory(location=clinic["location"], therapist=clinic["therapist"], start=MONDAY_9)
        data = {"service": "assessment", "location": "indiranagar", "therapist": "any", "start": "20250616T0330Z",
                "first_name": "Ravi", "last_name": "Kumar", "email": "ravi@example.com", "phone": "+91 98450 12345",
                "date_of_birth": "1979-01-02", "submission_key": "3f2b1c9e-6a53-4f0e-9d7e-1b2c3d4e5f60"}  # fmt: skip

        response = client.post("/book/confirm/", data)

        assert response.status_code == 409
        assert not Patient.objects.filter(email="ravi@example.com").exists()

    def test_the_desk_stores_no_patient_when_the_screening_is_missing(self, client, clinic, frozen):
        user = front_desk_user()
        StaffProfile.objects.create(user=user).locations.set([clinic["location"]])
        staff_login(client, user)
        data = {"location": "indiranagar", "service": clinic["needling"].slug, "therapist": clinic["therapist"].pk,
                "start": "20250616T0330Z", "first_name": "Ravi", "last_name": "Kumar", "email": "ravi@example.com",
                "phone": "+91 98450 12345", "date_of_birth": "1979-01-02",
                "submission_key": "0b9c1f1e-2a53-4f0e-9d7e-1b2c3d4e5f60"}  # fmt: skip

        response = client.post("/desk/book/confirm/", data)

        assert response.status_code == 409
        assert "Ravi Kumar has no valid screening" in response.content.decode()
        assert not Patient.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_eight_bookings_at_once_for_one_new_person_make_one_patient(clinic):
    """Eight therapists, so the bookings do not wait on one therapist's lock and really race for the patient."""
    with time_machine.travel(NOW, tick=False):
        therapists = [
            therapist_at(clinic["location"], [clinic["assessment"]], hours=WEEKDAYS, display_name=f"T{n}")
            for n in range(8)
        ]
        results = race(8, lambda n: book(clinic, therapist=therapists[n], start=MONDAY_9 + timedelta(hours=n % 2)))

    assert all(isinstance(result, Appointment) for result in results), results
    patient = Patient.objects.get()
    assert Appointment.objects.filter(patient=patient).count() == 8
