"""The outbox: messages owed are rows; the sweep sends each once, retries failures, and skips what is no longer due."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from clinic.core import outbox
from clinic.core.models import OutboundMessage
from clinic.core.services import message_cancel, message_queue, message_reschedule
from clinic.core.sms import LocMemSMSBackend
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hello_kind():
    """A message kind about a location, standing in for the apps' kinds. `state` steers it from the test."""
    state = {"still_due": True, "fail": False}

    def render(message):
        if state["fail"]:
            raise RuntimeError("template exploded")
        location = message.subject_object
        return outbox.RenderedMessage(
            to=["patient@example.com"] if message.channel == "email" else ["+919876543210"],
            subject=f"Hello from {location.name}",
            text="See you soon.",
        )

    outbox.register_kind("test.hello", render=render, still_due=lambda message: state["still_due"])
    yield state
    outbox._kinds.pop("test.hello", None)


def test_it_queues_one_message_per_subject_kind_and_channel(hello_kind):
    location = LocationFactory()

    first = message_queue(subject=location, kind="test.hello")
    again = message_queue(subject=location, kind="test.hello")
    by_sms = message_queue(subject=location, kind="test.hello", channel="sms")

    assert first.pk == again.pk
    assert by_sms.pk != first.pk
    assert OutboundMessage.objects.count() == 2


def test_it_refuses_a_kind_nobody_registered():
    with pytest.raises(LookupError):
        message_queue(subject=LocationFactory(), kind="nobody.registered")


def test_it_sends_due_messages_once(hello_kind):
    location = LocationFactory(name="Indiranagar")
    message_queue(subject=location, kind="test.hello")

    assert outbox.deliver_due() == {"sent": 1}
    assert outbox.deliver_due() == {}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello from Indiranagar"
    message = OutboundMessage.objects.get()
    assert message.status == "sent"
    assert message.sent_at is not None
    assert message.attempts == 1


def test_it_waits_for_the_due_time(hello_kind):
    message_queue(subject=LocationFactory(), kind="test.hello", due_at=timezone.now() + timedelta(hours=2))

    assert outbox.deliver_due() == {}
    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=1)):
        assert outbox.deliver_due() == {"sent": 1}


def test_it_skips_a_message_that_is_no_longer_due(hello_kind):
    message_queue(subject=LocationFactory(), kind="test.hello")
    hello_kind["still_due"] = False

    assert outbox.deliver_due() == {"skipped": 1}
    assert mail.outbox == []


def test_it_sends_sms_through_the_sms_backend(hello_kind):
    LocMemSMSBackend.outbox.clear()
    message_queue(subject=LocationFactory(), kind="test.hello", channel="sms")

    outbox.deliver_due()

    assert [(sms.to, sms.text) for sms in LocMemSMSBackend.outbox] == [("+919876543210", "See you soon.")]


def test_it_retries_failures_with_back_off_then_gives_up(hello_kind, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    hello_kind["fail"] = True
    message_queue(subject=LocationFactory(), kind="test.hello")
    start = timezone.now()

    assert outbox.deliver_due() == {"pending": 1}
    message = OutboundMessage.objects.get()
    assert message.attempts == 1
    assert "template exploded" in message.last_error
    first_retry = message.due_at - start
    assert timedelta(seconds=55) < first_retry < timedelta(seconds=65)

    with time_machine.travel(message.due_at + timedelta(seconds=1)):
        outbox.deliver_due()
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.due_at - timezone.now() > timedelta(seconds=110)  # doubled

    with time_machine.travel(message.due_at + timedelta(seconds=1)):
        assert outbox.deliver_due() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.attempts == 3


def test_it_cancels_and_reschedules_owed_messages(hello_kind):
    location, other = LocationFactory(), LocationFactory()
    message_queue(subject=location, kind="test.hello")
    message_queue(subject=other, kind="test.hello")
    later = timezone.now() + timedelta(days=1)

    assert message_reschedule(subject=other, kind="test.hello", due_at=later) == 1
    assert message_cancel(subject=location) == 1
    assert outbox.deliver_due() == {}
    assert OutboundMessage.objects.get(object_id=str(other.pk)).due_at == later


def test_it_re_arms_a_cancelled_message_when_queued_again(hello_kind):
    location = LocationFactory()
    message_queue(subject=location, kind="test.hello")
    message_cancel(subject=location)

    message_queue(subject=location, kind="test.hello")

    assert outbox.deliver_due() == {"sent": 1}


def test_it_leaves_a_message_moved_while_claimed_for_its_new_time(hello_kind):
    """Regression: a reminder claimed by a sweep while its appointment moved was marked skipped and lost."""
    message = message_queue(subject=LocationFactory(), kind="test.hello")
    (claimed,) = outbox.claim_due(limit=10)
    later = timezone.now() + timedelta(hours=3)
    message_reschedule(subject=message.subject_object, kind="test.hello", due_at=later)
    hello_kind["still_due"] = False  # the kind checks against the new time: not due yet

    assert outbox.deliver(claimed) == "pending"

    message.refresh_from_db()
    assert (message.status, message.due_at, message.claimed_until) == ("pending", later, None)


def test_it_sends_a_sent_message_again_only_when_asked(hello_kind):
    location = LocationFactory()
    message_queue(subject=location, kind="test.hello")
    outbox.deliver_due()

    message_queue(subject=location, kind="test.hello")
    assert outbox.deliver_due() == {}
    message_queue(subject=location, kind="test.hello", again=True)
    assert outbox.deliver_due() == {"sent": 1}
    assert len(mail.outbox) == 2


def test_it_takes_back_messages_whose_claim_lapsed(hello_kind, settings):
    """A worker that died after claiming leaves rows claimed; they go out once the lease lapses."""
    message_queue(subject=LocationFactory(), kind="test.hello")
    assert len(outbox.claim_due(limit=10)) == 1  # claimed by a worker that then dies

    assert outbox.deliver_due() == {}
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)):
        assert outbox.deliver_due() == {"sent": 1}


@pytest.mark.django_db(transaction=True)
def test_it_never_sends_a_message_twice_from_concurrent_sweeps(hello_kind):
    for _ in range(60):
        message_queue(subject=LocationFactory(), kind="test.hello")
    results, barrier = [], threading.Barrier(3)

    def sweep():
        barrier.wait()
        try:
            results.append(outbox.deliver_due(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(r.get("sent", 0) for r in results) == 60
    assert len(mail.outbox) == 60
    assert OutboundMessage.objects.filter(status="sent").count() == 60
