"""A clinic admin merges two records of one person at the desk (issue 13): find the duplicate, compare them side by
side, confirm; the merge is booking's one way (booking/patient_merge.py, shared with migration booking.0006), in one
transaction, audited like the migration's, and nobody else may do it."""

from datetime import UTC, date, datetime

import pytest

from booking.desk_services import MergeRefused, patients_merge
from booking.models import Appointment
from booking.privacy import patient_export
from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Intake, Patient
from intake.services import KIND_SCREENING_LINK, screening_link_send
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory
from tests.desk.test_desk import desk_user, other_location  # noqa: F401
from tests.factories import clinic_admin_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
START = datetime(2025, 6, 16, 4, 0, tzinfo=UTC)


@pytest.fixture
def twins(clinic):
    """One person, twice: a typo in the e-mail made a second record."""
    first = PatientFactory(
        first_name="Asha", last_name="Rao", email="asha@example.com", date_of_birth=date(1985, 3, 27)
    )
    second = PatientFactory(
        first_name="Asha", last_name="Rao", email="asha@exmaple.com", date_of_birth=date(1985, 3, 27)
    )
    IntakeFactory(patient=first, location=clinic["location"])
    IntakeFactory(patient=second, location=clinic["location"])
    AppointmentFactory(patient=second, location=clinic["location"], therapist=clinic["therapist"], start=START)
    return first, second


def confirm_url(keep, duplicate):
    return f"/desk/patients/{keep.pk}/merge/{duplicate.pk}/"


def test_an_admin_finds_compares_and_merges_the_duplicate(client, clinic, twins, frozen):
    first, second = twins
    admin = clinic_admin_user()
    staff_login(client, admin)
    screening_link_send(patient=second, channels=["email"], actor=admin)

    found = client.get(f"/desk/patients/{first.pk}/merge/", {"q": "asha rao"}).content.decode()
    assert confirm_url(first, second) in found
    assert confirm_url(first, first) not in found
    compared = client.get(confirm_url(first, second)).content.decode()
    assert "asha@exmaple.com" in compared
    assert "<dt>Appointments</dt><dd>1</dd>" in compared  # the duplicate's; the kept record has none yet

    response = client.post(confirm_url(first, second), {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/desk/patients/{first.pk}/"
    assert not Patient.objects.filter(pk=second.pk).exists()
    assert Intake.objects.filter(patient=first).count() == 2
    assert Appointment.objects.get().patient_id == first.pk
    assert OutboundMessage.objects.get(kind=KIND_SCREENING_LINK).object_id == str(first.pk)
    event = AuditEvent.objects.get(detail__change="merge")
    assert (event.actor, event.object_id, event.patient_id) == (admin, str(second.pk), first.pk)
    assert event.detail["merged_into"] == first.pk
    # The kept patient's export follows the merged record's own events (the screening link sent to it).
    exported = patient_export(patient=first, actor=admin)
    assert any(e["action"] == "screening_link_send" for e in exported["audit_events"])


def test_it_needs_the_confirmation_and_changes_nothing_without_it(client, clinic, twins, frozen):
    first, second = twins
    staff_login(client, clinic_admin_user())

    response = client.post(confirm_url(first, second), {})

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert Patient.objects.filter(pk=second.pk).exists()
    assert not AuditEvent.objects.filter(detail__change="merge").exists()


def test_a_record_is_not_merged_into_itself(client, clinic, twins, frozen):
    first, _ = twins
    staff_login(client, clinic_admin_user())
    response = client.post(confirm_url(first, first), {"confirm": "on"})
    assert response.status_code == 400
    assert "cannot be merged into itself" in response.content.decode()
    assert Patient.objects.filter(pk=first.pk).exists()


def test_the_keeping_record_is_kept_when_the_pair_is_swapped(client, clinic, twins, frozen):
    first, second = twins
    staff_login(client, clinic_admin_user())
    assert confirm_url(second, first) in client.get(confirm_url(first, second)).content.decode()
    client.post(confirm_url(second, first), {"confirm": "on"})
    assert list(Patient.objects.filter(pk__in=[first.pk, second.pk])) == [second]


@pytest.mark.parametrize("role", ["desk_here", "desk_elsewhere", "therapist", "anonymous"])
def test_nobody_but_a_clinic_admin_may_merge(client, clinic, other_location, twins, frozen, role):  # noqa: F811
    first, second = twins
    user = {
        "desk_here": lambda: desk_user(clinic["location"]),
        "desk_elsewhere": lambda: desk_user(other_location),
        "therapist": lambda: clinic["therapist"].user,
        "anonymous": lambda: None,
    }[role]()
    if user is not None:
        staff_login(client, user)
    expected = {"desk_here": 403, "desk_elsewhere": 404, "therapist": 403, "anonymous": 302}[role]

    assert client.get(f"/desk/patients/{first.pk}/merge/").status_code == expected
    assert client.get(confirm_url(first, second)).status_code == expected
    assert client.post(confirm_url(first, second), {"confirm": "on"}).status_code == expected
    assert Patient.objects.filter(pk=second.pk).exists()
    assert not AuditEvent.objects.filter(detail__change="merge").exists()


def test_the_service_refuses_erased_records_and_leaves_both(clinic, twins):
    first, second = twins
    Patient.objects.filter(pk=second.pk).update(erased_at=START, date_of_birth=None)
    second.refresh_from_db()
    with pytest.raises(MergeRefused):
        patients_merge(keep=first, duplicate=second, actor=clinic_admin_user())
    assert Patient.objects.count() == 2


def test_a_message_the_kept_record_already_has_is_not_doubled(clinic, twins, frozen):
    first, second = twins
    admin = clinic_admin_user()
    for patient in twins:
        screening_link_send(patient=patient, channels=["email"], actor=admin)
    patients_merge(keep=first, duplicate=second, actor=admin)
    assert list(OutboundMessage.objects.values_list("object_id", flat=True)) == [str(first.pk)]


def test_merging_leaves_the_appointments_times_and_therapists_as_they_were(clinic, twins, frozen):
    """Merging moves appointments to the kept record without touching their times or therapists."""
    first, second = twins
    before = list(Appointment.objects.values_list("pk", "therapist_id", "start"))
    patients_merge(keep=first, duplicate=second, actor=clinic_admin_user())
    assert list(Appointment.objects.values_list("pk", "therapist_id", "start")) == before
