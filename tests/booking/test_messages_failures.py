"""A patient books while Redis is down: the booking succeeds, and its confirmation goes out once Redis is back.

Real processes as in tests/core/test_outbox_failures.py: a PRIVATE redis-server on a free port (the machine's shared
one is never stopped), the booking service in a child process, a Celery worker and beat, and a local SMTP sink.
The child processes register booking's kinds in BookingConfig.ready(), like production.
"""

import json
import subprocess
import sys
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from booking.models import Appointment
from clinic.core.models import OutboundMessage
from tests.booking.factories import PatientFactory, ServiceFactory, therapist_at
from tests.factories import LocationFactory
from tests.support.services import ROOT, CeleryProcess, PrivateRedis, SMTPSink, process_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

BOOK = """
import json, sys
import django
django.setup()
from datetime import datetime
from booking import services
from booking.models import Service, Therapist
from clinic.core.models import Location
from intake.models import Patient

ids = json.loads(sys.argv[1])
appointment = services.appointment_book(
    patient=Patient.objects.get(pk=ids["patient"]),
    service=Service.objects.get(pk=ids["service"]),
    location=Location.objects.get(pk=ids["location"]),
    therapist=Therapist.objects.get(pk=ids["therapist"]),
    start=datetime.fromisoformat(ids["start"]),
)
print(appointment.pk)
"""


def _clinic_and_start() -> dict:
    """A clinic open every day 09:00-17:00, and a start three days ahead at 10:00 local (real time: the child
    processes do not share a frozen clock)."""
    location = LocationFactory(slug="failure-clinic")
    service = ServiceFactory(name="Initial assessment", slug="failure-assessment", locations=[location])
    therapist = therapist_at(location, [service], hours=tuple((day, 9, 17) for day in range(7)))
    day = timezone.now().astimezone(location.zone).date() + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=location.zone)
    return {
        "patient": PatientFactory().pk,
        "service": service.pk,
        "location": location.pk,
        "therapist": therapist.pk,
        "start": start.isoformat(),
    }


def _confirmation_sent() -> bool:
    return OutboundMessage.objects.filter(kind="booking.confirmation", status="sent").exists()


def test_it_books_while_redis_is_down_and_sends_the_confirmation_once_redis_is_back():
    ids = _clinic_and_start()
    with PrivateRedis() as redis, SMTPSink() as smtp:
        redis.stop()

        booked = subprocess.run(
            [sys.executable, "-c", BOOK, json.dumps(ids)],
            cwd=ROOT,
            env=process_env(CELERY_BROKER_URL=redis.url),
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

        assert booked.returncode == 0, booked.stderr
        assert "broker unavailable" in booked.stderr  # the nudge failed, logged and not raised
        appointment = Appointment.objects.get(pk=int(booked.stdout.strip().splitlines()[-1]))
        assert appointment.status == Appointment.Status.CONFIRMED
        owed = dict(OutboundMessage.objects.for_subject(appointment).values_list("kind", "status"))
        assert owed == {
            "booking.confirmation": "pending",
            "booking.reminder_24h": "pending",
            "booking.reminder_2h": "pending",
        }
        assert smtp.received() == 0

        redis.start()
        env = {"OUTBOX_SWEEP_SECONDS": "1"}
        with (
            CeleryProcess(
                "worker", process_env(CELERY_BROKER_URL=redis.url, EMAIL_URL=smtp.url, **env), "-P", "solo"
            ) as worker,
            CeleryProcess("beat", process_env(CELERY_BROKER_URL=redis.url, **env)),
        ):
            wait_until(_confirmation_sent, timeout=60, message="the confirmation to be sent")
            assert worker.proc.poll() is None, worker.output()

    assert smtp.received() == 1
    assert smtp.unique() == 1
    # The reminders are days away: still owed, not sent early by the sweep.
    reminders = OutboundMessage.objects.for_subject(appointment).filter(kind__startswith="booking.reminder_")
    assert set(reminders.values_list("status", flat=True)) == {"pending"}
