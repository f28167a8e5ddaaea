"""Redis stops in the middle of a patient's visit: the pages, the screening and the booking still work, and the
confirmation goes out once Redis is back.

The site runs in this process (the test client) with its cache and broker on a PRIVATE redis-server on a free port
(the machine's shared one is never stopped); the Celery worker and beat that send afterwards are real processes on
the same database, with a local SMTP sink.
"""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import kombu.pools
import pytest
from django.utils import timezone

from booking.models import Appointment
from clinic.celery import app as celery_app
from clinic.core import services as core_services
from clinic.core.models import OutboundMessage
from tests.booking.factories import ServiceFactory, therapist_at
from tests.factories import LocationFactory
from tests.intake import walk
from tests.support.services import CeleryProcess, PrivateRedis, SMTPSink, process_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis(settings):
    """Cache and broker of the site under test on a private Redis (restored afterwards)."""
    with PrivateRedis() as server:
        settings.CACHES = {alias: {**config, "LOCATION": server.url} for alias, config in settings.CACHES.items()}
        settings.CELERY_BROKER_URL = server.url  # what /healthz checks
        _use_broker(server.url)
        try:
            yield server
        finally:
            _use_broker(None)


def _use_broker(url: str | None) -> None:
    # The write URL, not broker_url: Celery reads CELERY_BROKER_URL from the environment before its own settings.
    celery_app.conf.broker_write_url = url
    # Close every pool and forget them: kombu keeps one pool per broker URL for the whole process, and a pool that
    # was only closed would be handed out again, closed, to the next test that sends a task.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    core_services._nudge_paused_until = 0.0


def test_it_screens_and_books_with_redis_stopped_mid_visit_and_confirms_once_it_is_back(client, redis, caplog):
    location = LocationFactory(slug="failure-clinic")
    service = ServiceFactory(slug="dry-needling", needling=True, locations=[location])
    therapist_at(location, [service], hours=tuple((day, 9, 17) for day in range(7)))
    day = timezone.now().astimezone(location.zone).date() + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=location.zone).astimezone(UTC)
    choice = {"service": service.slug, "location": location.slug, "therapist": "any"}
    confirm = "/book/confirm/?" + urlencode({**choice, "start": f"{start:%Y%m%dT%H%MZ}"})

    # Before the outage: the pages fill the cache, the questionnaire starts.
    assert client.get("/").status_code == 200
    assert client.get(f"/intake/?{urlencode({'next': confirm})}", follow=True).status_code == 200
    assert walk.post_step(client, "about", walk.about(location)).status_code == 200

    redis.stop()

    # Every public page still answers, and says nothing of the outage.
    pages = ("/", "/learn/", "/learn/search/?q=heel", "/book/", f"/book/?{urlencode(choice)}", "/intake/returning/")
    for path in pages:
        assert client.get(path).status_code == 200, path
    slots = client.get("/book/api/slots/", {**choice, "start": day.isoformat(), "days": 1})
    assert slots.status_code == 200
    assert start.astimezone(location.zone).isoformat() in [slot["start"] for slot in slots.json()["slots"]]
    health = client.get("/healthz").json()
    assert (health["status"], health["degraded"]) == ("degraded", ["broker", "cache"])

    # The rest of the screening (its rate limit counts in memory now), then the booking.
    for step, data in (("where", walk.where(service="dry-needling")), ("health", walk.health())):
        assert walk.post_step(client, step, data).status_code == 200
    assert walk.post_step(client, "consent", walk.consent()).status_code == 302
    assert client.get("/intake/result/").status_code == 200
    assert client.get(confirm).status_code == 200
    booked = client.post(
        "/book/confirm/",
        {
            **choice,
            "start": f"{start:%Y%m%dT%H%MZ}",
            "first_name": "Asha",
            "last_name": "Rao",
            "email": "asha@example.com",
            "phone": "+91 98765 43210",
            "date_of_birth": "1985-03-27",
            "submission_key": "3f2b1c9e-6a53-4f0e-9d7e-1b2c3d4e5f60",
        },
    )

    assert booked.status_code == 302, booked.content.decode()[:2000]
    assert client.get(booked["Location"]).status_code == 200
    appointment = Appointment.objects.get()
    assert (appointment.status, appointment.start) == (Appointment.Status.CONFIRMED, start)
    confirmation = OutboundMessage.objects.for_subject(appointment).get(kind="booking.confirmation")
    assert confirmation.status == "pending"
    assert "broker unavailable" in caplog.text  # the nudge failed on the private broker, logged and not raised

    redis.start()
    with SMTPSink() as smtp:
        env = {"OUTBOX_SWEEP_SECONDS": "1"}
        with (
            CeleryProcess(
                "worker", process_env(CELERY_BROKER_URL=redis.url, EMAIL_URL=smtp.url, **env), "-P", "solo"
            ) as worker,
            CeleryProcess("beat", process_env(CELERY_BROKER_URL=redis.url, **env)),
        ):
            wait_until(
                lambda: OutboundMessage.objects.get(pk=confirmation.pk).status == "sent",
                timeout=60,
                message="the confirmation to be sent",
            )
            assert worker.proc.poll() is None, worker.output()

    assert (smtp.received(), smtp.unique()) == (1, 1)
    # The reminders are days away: still owed, not sent early by the sweep.
    reminders = OutboundMessage.objects.for_subject(appointment).filter(kind__startswith="booking.reminder_")
    assert set(reminders.values_list("status", flat=True)) == {"pending"}
