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
from tests.support.auth import staff_login

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
    claim = outbox.claim_due(limit=10)
    later = timezone.now() + timedelta(hours=3)
    message_reschedule(subject=message.subject_object, kind="test.hello", due_at=later)
    hello_kind["still_due"] = False  # the kind checks against the new time: not due yet

    assert outbox.deliver(claim.ids[0], claim=claim) == "pending"

    message.refresh_from_db()
    assert (message.status, message.due_at, message.claimed_until, message.claim_token) == (
        "pending",
        later,
        None,
        None,
    )


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
    assert len(outbox.claim_due(limit=10).ids) == 1  # claimed by a worker that then dies

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


# --- Fenced claims, attempts, Message-IDs -----------------------------------------------------------------------
def test_it_sends_nothing_of_a_claim_whose_lease_another_sweep_took_over(hello_kind, settings):
    message = message_queue(subject=LocationFactory(), kind="test.hello")
    stale = outbox.claim_due(limit=10)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)):
        fresh = outbox.claim_due(limit=10)
        assert fresh.ids == stale.ids

        assert outbox.deliver(message.pk, claim=stale) == "pending"
        assert mail.outbox == []
        assert outbox.deliver(message.pk, claim=fresh) == "sent"

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.attempts, message.interrupted_attempts, message.claim_token) == (1, 0, None)


def test_it_renews_its_lease_while_a_batch_outlasts_it(hello_kind, settings, monkeypatch):
    """Regression: a sweep whose lease ran out mid-batch had its remaining rows taken and sent again."""
    settings.OUTBOX_CLAIM_SECONDS = 60
    for _ in range(4):
        message_queue(subject=LocationFactory(), kind="test.hello")
    send = outbox.Channels.send
    competing = []

    with time_machine.travel(timezone.now(), tick=False) as clock:

        def slow_send(channels, rendered, message):
            clock.shift(timedelta(seconds=40))  # four sends: 160 s, well past one 60 s lease
            competing.extend(outbox.claim_due(limit=10).ids)  # another sweep looks for lapsed claims
            send(channels, rendered, message)

        monkeypatch.setattr(outbox.Channels, "send", slow_send)
        assert outbox.deliver_due(batch_size=10) == {"sent": 4}

    assert competing == []
    assert len(mail.outbox) == 4


def test_it_records_the_send_only_with_its_own_token(hello_kind, monkeypatch):
    """A sweep that lost its claim mid-send (its lease lapsed and another sweep took the row) records nothing; the
    row keeps the attempt open, so the other sweep's send counts it as interrupted: visible as a possible repeat."""
    message = message_queue(subject=LocationFactory(), kind="test.hello")
    send = outbox.Channels.send

    def send_and_lose_the_claim(channels, rendered, row):
        send(channels, rendered, row)
        OutboundMessage.objects.filter(pk=row.pk).update(claim_token=None, claimed_until=None)

    monkeypatch.setattr(outbox.Channels, "send", send_and_lose_the_claim)
    assert outbox.deliver_due() == {"pending": 1}
    monkeypatch.setattr(outbox.Channels, "send", send)
    assert outbox.deliver_due() == {"sent": 1}

    message.refresh_from_db()
    assert (message.status, message.attempts, message.interrupted_attempts) == ("sent", 2, 1)
    assert list(OutboundMessage.objects.repeated()) == [message]
    assert len(mail.outbox) == 2


def test_it_counts_an_attempt_cut_off_mid_send_as_interrupted(hello_kind, monkeypatch):
    """The process stops inside the send (here an interrupt; in production SIGKILL): the claim goes back, the
    attempt stays written down, and the next send shows the row as possibly sent twice."""
    first, second = (message_queue(subject=LocationFactory(), kind="test.hello") for _ in range(2))
    send = outbox.Channels.send

    def cut_off(channels, rendered, row):
        raise KeyboardInterrupt

    monkeypatch.setattr(outbox.Channels, "send", cut_off)
    with pytest.raises(KeyboardInterrupt):
        outbox.deliver_due()
    # Both released at once, the one not started untouched.
    assert OutboundMessage.objects.filter(claim_token__isnull=False).count() == 0
    second.refresh_from_db()
    assert (second.attempts, second.sending_since) == (0, None)

    monkeypatch.setattr(outbox.Channels, "send", send)
    assert outbox.deliver_due() == {"sent": 2}
    first.refresh_from_db()
    assert (first.attempts, first.interrupted_attempts, first.sending_since) == (2, 1, None)
    assert list(OutboundMessage.objects.repeated()) == [first]


def test_it_holds_the_soft_time_limit_until_an_accepted_message_is_recorded(hello_kind, monkeypatch):
    """Regression: the soft time limit, raised inside the SMTP conversation after the server accepted, was recorded
    as a failure, and the retry sent the message again."""
    import os
    import signal

    from celery.exceptions import SoftTimeLimitExceeded

    for _ in range(3):
        message_queue(subject=LocationFactory(), kind="test.hello")
    send = outbox.Channels.send

    def raise_soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    def send_then_hit_the_limit(channels, rendered, row):
        send(channels, rendered, row)  # accepted
        os.kill(os.getpid(), signal.SIGUSR1)  # what billiard sends a worker at its soft time limit

    previous = signal.signal(signal.SIGUSR1, raise_soft_limit)
    monkeypatch.setattr(outbox.Channels, "send", send_then_hit_the_limit)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            outbox.deliver_due(batch_size=10)
    finally:
        signal.signal(signal.SIGUSR1, previous)

    statuses = list(OutboundMessage.objects.order_by("pk").values_list("status", "attempts", "claim_token"))
    assert statuses == [("sent", 1, None), ("pending", 0, None), ("pending", 0, None)]
    assert len(mail.outbox) == 1
    monkeypatch.setattr(outbox.Channels, "send", send)
    assert outbox.deliver_due() == {"sent": 2}  # the rest go at once, no lease to wait for


def test_it_keeps_the_message_id_across_retries_and_changes_it_for_a_new_message(hello_kind, monkeypatch):
    location = LocationFactory()
    message = message_queue(subject=location, kind="test.hello")
    send = outbox.Channels.send
    tried = []

    def refuse(channels, rendered, row):
        tried.append(outbox.message_id(row))
        raise OSError("connection reset")

    monkeypatch.setattr(outbox.Channels, "send", refuse)
    assert outbox.deliver_due() == {"pending": 1}
    monkeypatch.setattr(outbox.Channels, "send", send)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbox.deliver_due() == {"sent": 1}
    first_id = mail.outbox[0].extra_headers["Message-ID"]
    assert tried == [first_id]

    message_queue(subject=location, kind="test.hello", again=True)  # a second "moved" notice, say
    assert outbox.deliver_due() == {"sent": 1}
    second_id = mail.outbox[1].extra_headers["Message-ID"]
    assert second_id != first_id
    message.refresh_from_db()
    assert second_id == outbox.message_id(message)
    assert first_id.startswith(f"<outbox-{message.pk}.")
    assert first_id.endswith("@clinic.example>")


def test_it_gives_a_moved_reminder_a_new_message_id(hello_kind):
    location = LocationFactory()
    message = message_queue(subject=location, kind="test.hello", due_at=timezone.now() + timedelta(days=1))
    before = outbox.message_id(message)

    message_reschedule(subject=location, kind="test.hello", due_at=timezone.now() + timedelta(days=2))

    message.refresh_from_db()
    assert outbox.message_id(message) != before


def test_it_finds_each_row_it_writes_by_its_primary_key(hello_kind):
    """Regression: with thousands of messages due at one instant, PostgreSQL answered the per-message write through
    the partial index of pending rows' due times whenever the table's statistics made them look few (not analysed yet,
    or analysed while the outbox was idle), and read every pending row for each message (20-45 ms a statement at 5,000
    rows instead of 0.2): the drain slowed as the queue grew."""
    from django.contrib.contenttypes.models import ContentType
    from django.test.utils import CaptureQueriesContext

    due = timezone.now()
    for _ in range(2):
        message_queue(subject=LocationFactory(), kind="test.hello", due_at=due)
    content_type = ContentType.objects.get_for_model(LocationFactory._meta.model)
    others = OutboundMessage.objects.bulk_create(  # due at the same instant, after the two above
        OutboundMessage(content_type=content_type, object_id=f"other-{n}", kind="test.hello", due_at=due)
        for n in range(3000)
    )
    with CaptureQueriesContext(connection) as queries:
        assert outbox.deliver_due(batch_size=2, max_batches=1) == {"sent": 2}
    writes = [query["sql"] for query in queries if query["sql"].startswith("WITH ")]
    assert len(writes) == 3  # the first start, the first sent with the second start, the second sent

    def plans() -> list[str]:
        with connection.cursor() as cursor:
            for sql in writes:
                cursor.execute(f"EXPLAIN {sql}")
                yield "\n".join(row[0] for row in cursor.fetchall())

    others = OutboundMessage.objects.filter(pk__in=[message.pk for message in others])
    for plan in plans():  # the rows not analysed yet
        assert "core_outboundmessage_pkey" in plan
        assert "outbox_pending_due_idx" not in plan
    others.update(status=OutboundMessage.Status.SENT)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OutboundMessage._meta.db_table}")  # analysed while hardly anything was pending
    others.update(status=OutboundMessage.Status.PENDING)
    for plan in plans():
        assert "core_outboundmessage_pkey" in plan
        assert "outbox_pending_due_idx" not in plan


@pytest.mark.django_db(transaction=True)
def test_it_sends_a_batch_over_one_smtp_connection(hello_kind, settings):
    from tests.support.services import SMTPSink

    for _ in range(5):
        message_queue(subject=LocationFactory(), kind="test.hello")
    with SMTPSink() as smtp:
        settings.EMAIL_BACKEND = "clinic.core.mail.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        assert outbox.deliver_due(batch_size=10) == {"sent": 5}

    assert (smtp.received(), smtp.unique(), smtp.connections) == (5, 5, 1)


def test_it_tries_the_broker_once_per_nudge_and_then_pauses_nudges(monkeypatch, caplog):
    """Regression: with the broker down each booking waited 2 s while publishing retried the connection."""
    from kombu import Connection

    from clinic.celery import app
    from clinic.core import services

    attempts = []
    establish = Connection._establish_connection

    def counted(self):
        attempts.append(self.as_uri())
        return establish(self)

    monkeypatch.setattr(Connection, "_establish_connection", counted)
    # The write URL, not broker_url: Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(services, "_nudge_paused_until", 0.0)

    services._nudge_sweep()
    tried = len(attempts)
    services._nudge_sweep()  # the next booking, moments later

    assert 1 <= tried <= 2
    assert len(attempts) == tried  # paused: the second nudge did not touch the broker
    assert caplog.text.count("broker unavailable") == 1


def test_the_admin_filters_messages_possibly_sent_twice(client, hello_kind):
    from tests.factories import clinic_admin_user

    once = message_queue(subject=LocationFactory(), kind="test.hello")
    twice = message_queue(subject=LocationFactory(), kind="test.hello")
    OutboundMessage.objects.filter(pk=once.pk).update(status="sent", attempts=1)
    OutboundMessage.objects.filter(pk=twice.pk).update(status="sent", attempts=2, interrupted_attempts=1)
    staff_login(client, clinic_admin_user())

    response = client.get("/admin/core/outboundmessage/", {"repeated": "yes"})

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [twice.pk]


def test_it_gives_up_on_an_smtp_server_that_never_answers(hello_kind, settings):
    """Regression: without EMAIL_TIMEOUT a hanging SMTP server held the sweep forever. The attempt fails, is retried
    later, and the sweep goes on."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never sends its greeting
    settings.EMAIL_BACKEND = "clinic.core.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_TIMEOUT = 0.5
    message = message_queue(subject=LocationFactory(), kind="test.hello")
    try:
        assert outbox.deliver_due() == {"pending": 1}
    finally:
        listener.close()

    message.refresh_from_db()
    assert (message.attempts, message.sending_since) == (1, None)
    assert "Timeout" in message.last_error or "timed out" in message.last_error
