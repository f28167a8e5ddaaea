"""The data migration that merges duplicate patients (booking.0006), run on real rows: the oldest record stays and
keeps every intake, appointment, consent, message, admin history entry and audit reference of the others."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from booking.privacy import patient_export
from clinic.core import services as core_services
from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Intake, Patient
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
merge_duplicate_patients = importlib.import_module(
    "booking.migrations.0006_merge_duplicate_patients"
).merge_duplicate_patients
BORN = date(1985, 3, 27)
START = datetime(2025, 6, 16, 4, 0, tzinfo=UTC)


@pytest.fixture
def duplicates_allowed():
    """The table as it was before intake.0004: no unique pair (the test's transaction puts the index back)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX patient_one_per_email_and_birth_date")


def test_it_merges_every_record_of_a_person_into_the_oldest(duplicates_allowed):
    first = PatientFactory(email="asha@example.com", date_of_birth=BORN, created_at=START - timedelta(days=30))
    second = PatientFactory(email="Asha@Example.com", date_of_birth=BORN, created_at=START - timedelta(days=2))
    third = PatientFactory(email="ASHA@example.com", date_of_birth=BORN, created_at=START - timedelta(days=1))
    someone_else = PatientFactory(email="asha@example.com", date_of_birth=date(1990, 1, 1))
    intakes = [IntakeFactory(patient=first), IntakeFactory(patient=second), IntakeFactory(patient=third)]
    appointment = AppointmentFactory(patient=second, start=START)
    message = core_services.message_queue(subject=appointment, kind="booking.confirmation", channel="email")
    old_event = core_services.audit_record(
        actor=None, action=AuditEvent.Action.PATIENT_CHANGE, obj=second, patient_id=second.pk, detail={"fields": []}
    )
    admin = UserFactory(is_staff=True)
    LogEntry.objects.log_actions(user_id=admin.pk, queryset=[third], action_flag=CHANGE, change_message="edited")

    assert merge_duplicate_patients(apps) == 2

    assert set(Patient.objects.all()) == {first, someone_else}
    assert set(Intake.objects.filter(patient=first)) == set(intakes)  # with the consents they record
    appointment.refresh_from_db()
    assert appointment.patient == first
    assert OutboundMessage.objects.get(pk=message.pk).subject_object == appointment
    patient_type = ContentType.objects.get_for_model(Patient)
    assert LogEntry.objects.get(content_type=patient_type).object_id == str(first.pk)
    # Audit events are append-only: the old one is as it was, and a new one records each merge.
    assert AuditEvent.objects.get(pk=old_event.pk).patient_id == second.pk
    merges = AuditEvent.objects.filter(detail__change="merge").order_by("object_id")
    assert [(e.object_id, e.patient_id, e.detail["merged_into"]) for e in merges] == [
        (str(second.pk), first.pk, first.pk),
        (str(third.pk), first.pk, first.pk),
    ]
    assert merges[0].detail["appointment_ids"] == [appointment.pk]
    # A patient's export still finds the events written about the records merged into theirs.
    exported = patient_export(patient=first, actor=admin)
    about_second = [e["detail"] for e in exported["audit_events"] if e["record"] == f"intake.patient {second.pk}"]
    assert {"fields": []} in about_second  # the event written before the merge, not only the merge's own
    assert len(exported["intakes"]) == 3


def test_it_leaves_single_records_and_erased_patients_alone(duplicates_allowed):
    PatientFactory(email="asha@example.com", date_of_birth=BORN)
    for _ in range(2):
        PatientFactory(first_name="", last_name="", email="", phone="", date_of_birth=None)

    assert merge_duplicate_patients(apps) == 0
    assert Patient.objects.count() == 3
    assert not AuditEvent.objects.exists()
