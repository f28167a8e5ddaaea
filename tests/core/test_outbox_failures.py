"""The outbox survives broker, worker and SMTP failures: real Redis (a private one), real workers, a real SMTP sink.

These tests start processes, so they use committed data (transaction=True) on the test database.
"""

import subprocess
import sys

import pytest
from django.db import connection

from clinic.core import outbox
from clinic.core.models import OutboundMessage
from clinic.core.services import message_queue
from tests.factories import LocationFactory
from tests.outbox_app import kinds
from tests.support.services import (
    ROOT,
    CeleryProcess,
    PrivateRedis,
    SMTPSink,
    nudge_sweep,
    process_env,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def test_kind():
    kinds.register()
    yield
    outbox._kinds.pop(kinds.KIND, None)


def _owe(count: int) -> list[OutboundMessage]:
    locations = LocationFactory.create_batch(count)
    return [message_queue(subject=location, kind=kinds.KIND, due_at=None) for location in locations]


def _sent() -> int:
    return OutboundMessage.objects.filter(status="sent").count()


def _worker(redis, smtp, *args, **env):
    return CeleryProcess(
        "worker",
        process_env(CELERY_BROKER_URL=redis.url, EMAIL_URL=smtp.url, **env),
        "-P",
        "solo",
        *args,
    )


def test_it_queues_while_redis_is_down_and_sends_once_it_is_back():
    """A change that owes a message succeeds with the broker down; beat's sweep sends it when Redis returns."""
    with PrivateRedis() as redis, SMTPSink() as smtp:
        redis.stop()
        location = LocationFactory()
        script = (
            "import django; django.setup(); from django.db import transaction; "
            "from clinic.core.models import Location; from clinic.core.services import message_queue; "
            "from tests.outbox_app import kinds; kinds.register()\n"
            f"with transaction.atomic():\n"
            f"    message_queue(subject=Location.objects.get(pk={location.pk}), kind='test.hello')"
        )
        booked = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=process_env(CELERY_BROKER_URL=redis.url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert booked.returncode == 0, booked.stderr
        assert "broker unavailable" in booked.stderr  # logged, not raised
        assert OutboundMessage.objects.get().status == "pending"

        redis.start()
        env = {"OUTBOX_SWEEP_SECONDS": "1"}
        with (
            _worker(redis, smtp, **env) as worker,
            CeleryProcess("beat", process_env(CELERY_BROKER_URL=redis.url, **env)),
        ):
            wait_until(lambda: _sent() == 1, timeout=60, message="the message to be sent")
            assert worker.proc.poll() is None

    assert smtp.received() == 1


def test_it_sends_everything_exactly_once_after_a_worker_is_killed_mid_batch():
    count = 300
    _owe(count)
    with PrivateRedis() as redis, SMTPSink() as smtp:
        first = _worker(redis, smtp, OUTBOX_BATCH_SIZE=100, OUTBOX_CLAIM_SECONDS=3).start()
        nudge_sweep(redis.url)
        wait_until(lambda: _sent() >= 60, timeout=60, interval=0.01, message="the first sends")
        first.kill()
        sent_before_restart = _sent()
        assert sent_before_restart < count, "the worker finished before it could be killed"
        assert OutboundMessage.objects.filter(status="pending", claimed_until__isnull=False).exists()

        with _worker(redis, smtp, OUTBOX_CLAIM_SECONDS=3):
            # Claims of the dead worker lapse after 3 s; each nudge sweeps what is due and unclaimed.
            def all_sent():
                nudge_sweep(redis.url)
                return _sent() == count

            wait_until(all_sent, timeout=90, interval=1, message="every message to be sent")

    print(f"killed after {sent_before_restart} of {count}; duplicates at the SMTP server: {smtp.duplicates()}")
    assert smtp.unique() == count
    # The one message whose SMTP conversation the kill interrupted may have reached the server already; it keeps
    # its Message-ID, so the receiving side can recognise it. Anything beyond that one would be a bug.
    assert smtp.duplicates() <= 1, smtp.duplicates()


def test_it_retries_a_refusing_smtp_server_then_marks_the_message_failed():
    (message,) = _owe(1)
    with PrivateRedis() as redis, SMTPSink(refuse=True) as smtp:
        env = {"OUTBOX_RETRY_BASE_SECONDS": "1", "OUTBOX_MAX_ATTEMPTS": "3", "OUTBOX_SWEEP_SECONDS": "1"}
        with _worker(redis, smtp, **env), CeleryProcess("beat", process_env(CELERY_BROKER_URL=redis.url, **env)):
            wait_until(
                lambda: OutboundMessage.objects.get(pk=message.pk).status == "failed",
                timeout=60,
                message="the message to be given up on",
            )

    message.refresh_from_db()
    assert message.attempts == 3
    assert "554" in message.last_error
    assert smtp.received() == 0


def test_it_sends_a_thousand_messages_once_with_two_workers_and_two_sweeps():
    count = 1000
    _owe(count)
    connection.close()
    with (
        PrivateRedis() as redis,
        SMTPSink() as smtp,
        _worker(redis, smtp, "-n", "w1@%h"),
        _worker(redis, smtp, "-n", "w2@%h"),
    ):
        nudge_sweep(redis.url)
        nudge_sweep(redis.url)
        wait_until(lambda: _sent() == count, timeout=180, interval=0.5, message="1,000 messages to be sent")

    assert smtp.received() == count
    assert smtp.unique() == count
    assert smtp.duplicates() == 0
