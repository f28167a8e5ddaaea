"""Retention (booking/retention.py): beat's daily task purges intakes past INTAKE_RETENTION_YEARS, questionnaires
abandoned for a day and expired sessions, each purge writing one audit event with its counts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from booking import retention, tasks
from booking.models import Appointment
from clinic.core.models import AuditEvent, OutboundMessage
from clinic.core.services import message_queue
from intake.models import Intake, Patient
from intake.services import KIND_RETURNING_LINK
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory
from tests.factories import LocationFactory
from tests.intake import walk

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
EIGHT_YEARS_AGO = datetime(2018, 3, 1, 2, 30, tzinfo=UTC)


@pytest.fixture
def location(db):
    return LocationFactory(slug="indiranagar")


def test_it_purges_intakes_older_than_the_retention_period_and_keeps_younger_ones():
    with time_machine.travel(EIGHT_YEARS_AGO - timedelta(minutes=1), tick=False):
        old = IntakeFactory()
        message_queue(subject=old, kind=KIND_RETURNING_LINK, channel="email")
    with time_machine.travel(EIGHT_YEARS_AGO + timedelta(minutes=1), tick=False):
        young = IntakeFactory()
    appointment = AppointmentFactory(patient=old.patient, intake=old, start=EIGHT_YEARS_AGO + timedelta(days=2))

    with time_machine.travel(NOW, tick=False):
        counts = retention.intakes_purge()

    assert counts == {"intakes_deleted": 1, "messages_deleted": 1, "patients_deleted": 0}
    assert list(Intake.objects.values_list("pk", flat=True)) == [young.pk]
    assert not OutboundMessage.objects.exists()
    appointment.refresh_from_db()
    assert appointment.intake_id is None  # the appointment stays, countable
    assert Patient.objects.filter(pk=old.patient_id).exists()  # still has an appointment


def test_it_purges_patients_left_with_nothing_after_the_retention_period():
    with time_machine.travel(EIGHT_YEARS_AGO - timedelta(days=1), tick=False):
        gone = IntakeFactory().patient
        desk_only = PatientFactory()  # added by the desk, never booked
        booked = IntakeFactory().patient
    AppointmentFactory(patient=booked, start=EIGHT_YEARS_AGO)

    with time_machine.travel(NOW, tick=False):
        counts = retention.intakes_purge()

    assert counts["patients_deleted"] == 2
    assert not Patient.objects.filter(pk__in=[gone.pk, desk_only.pk]).exists()
    assert Patient.objects.filter(pk=booked.pk).exists()


def test_the_retention_period_is_a_setting(settings):
    settings.INTAKE_RETENTION_YEARS = 1
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        IntakeFactory()

    with time_machine.travel(NOW, tick=False):
        assert retention.intakes_purge()["intakes_deleted"] == 1


def test_the_cutoff_of_a_leap_day_is_the_28th(settings):
    settings.INTAKE_RETENTION_YEARS = 1

    assert retention.retention_cutoff(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2027, 2, 28, tzinfo=UTC)


def _half_answered(client, location, when):
    """A browser that typed its name and health answers into the questionnaire and left."""
    with time_machine.travel(when, tick=False):
        client.get("/intake/")
        walk.post_step(client, "about", walk.about(location, first_name="Quentin", last_name="Abandon"))
        walk.post_step(client, "where", walk.where(what_brings_you="Sore shoulder from bouldering"))
    return client.session.session_key


def test_it_removes_questionnaires_abandoned_for_a_day_and_keeps_fresher_ones(location, settings):
    settings.SESSION_COOKIE_AGE = 14 * 24 * 3600  # sessions that outlive the day, as a clinic may configure
    stale = _half_answered(Client(), location, NOW - timedelta(days=1, minutes=1))
    fresh = _half_answered(Client(), location, NOW - timedelta(hours=23))
    assert "Quentin" in str(Session.objects.get(pk=stale).get_decoded())

    with time_machine.travel(NOW, tick=False):
        counts = retention.questionnaires_purge()

    assert counts == {"questionnaires_removed": 1}
    assert "Quentin" not in str(Session.objects.get(pk=stale).get_decoded())
    assert "bouldering" not in str(Session.objects.get(pk=stale).get_decoded())
    assert "Quentin" in str(Session.objects.get(pk=fresh).get_decoded())
    assert not Intake.objects.exists()


def test_a_patient_back_after_the_purge_starts_again(location, settings):
    settings.SESSION_COOKIE_AGE = 14 * 24 * 3600
    client = Client()
    _half_answered(client, location, NOW - timedelta(days=2))
    with time_machine.travel(NOW, tick=False):
        retention.questionnaires_purge()

        response = walk.post_step(client, "health", walk.health())

    assert response.status_code == 302
    assert response["Location"] == "/intake/"


def test_it_clears_expired_sessions():
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        Client().get("/intake/")
    with time_machine.travel(NOW, tick=False):
        Client().get("/intake/")
        counts = retention.sessions_clear_expired()

    assert counts == {"sessions_deleted": 1}
    assert Session.objects.count() == 1


def test_the_scheduled_task_runs_every_purge_and_audits_each_once(location):
    with time_machine.travel(EIGHT_YEARS_AGO - timedelta(days=1), tick=False):
        IntakeFactory()

    with time_machine.travel(NOW, tick=False):
        tasks.purge_old_records.apply()

    events = AuditEvent.objects.filter(action="retention_purge").order_by("pk")
    assert [(e.object_type, e.actor_id) for e in events] == [
        ("intake.intake", None),
        ("sessions.session", None),
        ("sessions.session", None),
    ]
    assert events[0].detail["intakes_deleted"] == 1
    assert events[1].detail == {"questionnaires_removed": 0, "what": "abandoned questionnaires"}
    assert events[2].detail == {"sessions_deleted": 0, "what": "expired sessions"}
    assert not Appointment.objects.exists()


def test_beat_runs_the_purge_every_day():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-old-records"]

    assert entry["task"] == "booking.tasks.purge_old_records"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
