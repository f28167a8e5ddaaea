"""The outbox: message kinds registered by the apps, and the sweep that delivers due messages exactly once.

Apps register each kind they queue (how to render it, whether it is still due when its time comes) in their
AppConfig.ready(). The sweep claims due rows with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent sweeps never
take the same row; a claim is a lease, so rows claimed by a worker that died are picked up again when it lapses.

Claims are fenced: each claim carries a token, and a sweep starts an attempt, and records its result, only on rows
that still carry its token under an unexpired lease; it renews the lease as the batch goes, and each attempt's lease
covers the channel's timeout, so no other sweep can take a row while it is being sent. An attempt is written down
before the send (attempts + 1, sending_since) and cleared with the result, so a process that dies in the send window
leaves a trace: the next attempt counts it in `interrupted_attempts`, and the row shows as possibly sent twice.
That one message in flight is the only repeat left; it keeps its Message-ID, so receivers can drop it.

A Celery soft time limit never lands inside a send: the signal is held until the result is recorded, then ends
the sweep between messages, and the rows it had claimed but not started are released at once.
"""

import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from . import sms
from .models import OutboundMessage

logger = logging.getLogger(__name__)


@dataclass
class RenderedMessage:
    to: list[str]
    text: str
    subject: str = ""
    html: str = ""
    # (filename, content, mimetype)
    attachments: list[tuple[str, bytes | str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Kind:
    name: str
    render: Callable[[OutboundMessage], RenderedMessage | None]
    still_due: Callable[[OutboundMessage], bool]


_kinds: dict[str, Kind] = {}


def register_kind(
    name: str,
    *,
    render: Callable[[OutboundMessage], RenderedMessage | None],
    still_due: Callable[[OutboundMessage], bool] = lambda message: True,
) -> None:
    _kinds[name] = Kind(name=name, render=render, still_due=still_due)


def get_kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No outbox kind {name!r} is registered.") from None


# --- Delivery -------------------------------------------------------------------------------------------------


def message_id(message: OutboundMessage) -> str:
    """The e-mail's Message-ID: the same for every retry of one message (so a receiver can drop the repeat that a
    crash in the send window causes), different for the next message of the same kind (a second "moved" notice)."""
    return f"<outbox-{message.pk}.{message.sequence}.{message.kind}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"


class Channels:
    """The sweep's connections for one batch: one SMTP connection reused for every e-mail, reopened after an
    error (the server may have dropped it), closed when the batch ends."""

    def __init__(self):
        self._email = None

    def email_connection(self):
        if self._email is None:
            connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
            connection.open()  # kept only once open: a failed open is tried afresh for the next message
            self._email = connection
        return self._email

    def reset(self) -> None:
        if self._email is not None:
            try:
                self._email.close()
            except Exception:  # closing a broken connection may itself fail; it is being dropped anyway
                logger.info("outbox: closing the e-mail connection after an error failed too")
            self._email = None

    close = reset

    def send(self, rendered: RenderedMessage, message: OutboundMessage) -> None:
        if message.channel == OutboundMessage.Channel.SMS:
            backend = sms.get_backend()
            for number in rendered.to:
                backend.send(sms.SMS(to=number, text=rendered.text))
            return
        email = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=rendered.to,
            headers={"Message-ID": message_id(message)},
            connection=self.email_connection(),
        )
        if rendered.html:
            email.attach_alternative(rendered.html, "text/html")
        for filename, content, mimetype in rendered.attachments:
            email.attach(filename, content, mimetype)
        try:
            email.send(fail_silently=False)
        except BaseException:
            self.reset()
            raise


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4, 8 ... minutes after each failed attempt."""
    return timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def _send_window(channel: str) -> timedelta:
    """How long one send may take at most: the channel's timeout, and a margin for the bookkeeping around it."""
    seconds = settings.SMS_TIMEOUT_SECONDS if channel == OutboundMessage.Channel.SMS else settings.EMAIL_TIMEOUT
    return timedelta(seconds=seconds + 5)


@dataclass
class Claim:
    """A sweep's lease on some rows: only rows that still carry `token` are this sweep's to send."""

    token: uuid.UUID
    ids: list[int]
    until: datetime

    def renew(self, now: datetime) -> None:
        """Extend the lease on the rows still held, once half of it is gone (one UPDATE, rarely)."""
        lease = timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
        if self.until - now > lease / 2:
            return
        self.until = now + lease
        OutboundMessage.objects.filter(
            claim_token=self.token, status=OutboundMessage.Status.PENDING, claimed_until__gt=now
        ).update(claimed_until=Greatest(F("claimed_until"), Value(self.until)))

    def release(self) -> int:
        """Hand back the rows this sweep holds but will not finish (it is stopping): due again at once."""
        return OutboundMessage.objects.filter(claim_token=self.token, status=OutboundMessage.Status.PENDING).update(
            claimed_until=None, claim_token=None
        )


def claim_due(*, limit: int, now=None) -> Claim:
    """Take a lease on up to `limit` due rows that nobody else holds, under a new token."""
    now = now or timezone.now()
    claim = Claim(token=uuid.uuid4(), ids=[], until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS))
    with transaction.atomic():
        claim.ids = list(
            OutboundMessage.objects.due(now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if claim.ids:
            OutboundMessage.objects.filter(pk__in=claim.ids).update(claimed_until=claim.until, claim_token=claim.token)
    return claim


def deliver(message_id: int, *, claim: Claim, channels: Channels | None = None) -> str:
    """Send one message of `claim` and record the result, if the claim still holds it. Returns the row's status."""
    sweep = _Sweep(claim, channels or Channels())
    try:
        status = sweep.deliver(message_id)
        sweep.flush()
    finally:
        if channels is None:
            sweep.channels.close()
    return status or OutboundMessage.objects.values_list("status", flat=True).get(pk=message_id)


class _Sweep:
    """Delivery of one claim's rows, with one statement (so one commit and one round trip) per message: recording
    a message as sent is held back and written together with the start of the next attempt (or at the end)."""

    def __init__(self, claim: Claim, channels: Channels):
        self.claim, self.channels = claim, channels
        self.counts: dict[str, int] = {}
        self._sent: tuple[OutboundMessage, datetime] | None = None

    def count(self, status: str | None) -> None:
        if status is not None:
            self.counts[status] = self.counts.get(status, 0) + 1

    def flush(self) -> None:
        """Record the message sent last, if not yet recorded."""
        if self._sent is not None:
            self._write(start=None)

    def _write(self, *, start: tuple[OutboundMessage, datetime] | None) -> bool:
        """Record the message sent last (if any) and write down the start of the attempt on `start` (a row and
        the time), in one statement: returns whether the attempt was started (the row is still as seen, ours)."""
        sent, self._sent = self._sent, None
        statements, params = {}, {"token": str(self.claim.token)}
        if sent is not None:
            message, sent_at = sent
            statements["sent"] = _MARK_SENT
            params |= {"sent": OutboundMessage.Status.SENT, "sent_at": sent_at, **_seen_params("sent", message)}
        if start is not None:
            message, now = start
            statements["started"] = _START_ATTEMPT
            window = now + _send_window(message.channel)
            params |= {"now": now, "window": window, **_seen_params("start", message)}
        writes = ", ".join(f"{name} AS ({sql} RETURNING 1)" for name, sql in statements.items())
        counts = ", ".join(f"(SELECT count(*) FROM {name})" for name in statements)  # noqa: S608 (our names)
        # Autocommit: one statement is one transaction, so both writes commit together or not at all.
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {writes} SELECT {counts}", params)
            row = cursor.fetchone()
        if sent is not None:
            if row[0]:
                self.count(OutboundMessage.Status.SENT)
            else:
                logger.info("outbox: message %s changed while it was being sent; it stays owed as changed", sent[0].pk)
                self.count(_release(sent[0], self.claim, outcome_known=True))
        return start is not None and bool(row[-1])

    def deliver(self, message_id: int, *, loaded: OutboundMessage | None = None) -> str | None:
        """Send one row if this sweep still holds it. Returns its status, or None when the result is recorded at
        the next flush. `loaded` is the row as read with its batch; the attempt's start re-checks it in the
        database (still pending, same time and sequence, still this sweep's), so a row changed since is not sent."""
        claim = self.claim
        message = loaded or OutboundMessage.objects.select_related("content_type").get(pk=message_id)
        now = timezone.now()
        if message.status != OutboundMessage.Status.PENDING:
            return message.status
        if message.claim_token != claim.token or claim.until <= now:
            # The lease lapsed and another sweep took the row, or the owing app released it: not ours to send.
            logger.info("outbox: message %s is no longer claimed by this sweep; left alone", message.pk)
            return message.status
        if message.due_at > now:  # moved to a later time since it was claimed
            return _release(message, claim)
        try:
            kind = get_kind(message.kind)
            subject = message.subject_object
            rendered = None if subject is None or not kind.still_due(message) else kind.render(message)
        except Exception as exc:  # a rendering bug must not stop the sweep; it is recorded and retried
            name = exc.__class__.__name__
            logger.error("outbox: rendering message %s (%s) failed: %s", message.pk, message.kind, name)
            return _record_failure(message, claim, exc, now, attempts=message.attempts + 1)
        # The row as this sweep saw it, still in its hands: if the owing app moves or re-arms it meanwhile (an
        # appointment rescheduled while its reminder was claimed), the change wins and the row waits for its new time.
        if rendered is None or not rendered.to:
            skipped = _as_seen(message, claim).update(
                status=OutboundMessage.Status.SKIPPED, claimed_until=None, claim_token=None, updated_at=now
            )
            return OutboundMessage.Status.SKIPPED if skipped else _release(message, claim)
        # Write the attempt down before the send, under a lease that outlasts the channel's timeout; it commits
        # before the send starts, so a process that dies during the send leaves it behind.
        if not self._write(start=(message, now)):
            return _release(message, claim)
        attempts = message.attempts + 1
        status = None
        with _soft_time_limit_held() as held:
            try:
                self.channels.send(rendered, message)
            except SoftTimeLimitExceeded:
                # Raised inside the send (the signal could not be held): whether the server accepted the message
                # is unknown, so it is not a failure. The attempt stays written down; the next sweep counts it.
                logger.warning("outbox: soft time limit during the send of message %s; outcome unknown", message.pk)
                raise
            except Exception as exc:  # SMTP, provider and network errors alike are retried with back-off
                name = exc.__class__.__name__
                logger.warning("outbox: sending message %s (%s) failed: %s", message.pk, message.kind, name)
                status = _record_failure(message, claim, exc, now, attempts=attempts)
            else:
                self._sent = (message, timezone.now())
        if held.fired:  # the soft time limit arrived during the send: record it, then stop between messages
            self.flush()
            raise SoftTimeLimitExceeded()
        return status


def _as_seen(message: OutboundMessage, claim: Claim):
    return OutboundMessage.objects.filter(
        pk=message.pk,
        status=OutboundMessage.Status.PENDING,
        due_at=message.due_at,
        sequence=message.sequence,
        claim_token=claim.token,
    )


# The two writes of every message, in plain SQL because they run once per message sent: the same conditions as
# `_as_seen` (still pending, same time and sequence, still this claim's), written with a prefix per row.
_TABLE = OutboundMessage._meta.db_table


def _seen_condition(prefix: str) -> str:
    # The row is found by its primary key, and only by it: the other conditions use IS NOT DISTINCT FROM (the same as
    # = on these NOT NULL columns), which no index serves and which does not let PostgreSQL prove the partial index's
    # condition (pending). With =, it took that index of pending rows' due times whenever its statistics made pending
    # rows look few (an idle outbox last analysed) or one due time look rare (a bulk of rows not yet analysed), and
    # then read every pending row for each message: 20-45 ms a statement with 5,000 rows due, instead of 0.2.
    return (
        f"id = %({prefix}_id)s AND status IS NOT DISTINCT FROM %(pending)s"
        f" AND due_at IS NOT DISTINCT FROM %({prefix}_due)s AND sequence = %({prefix}_sequence)s"
        " AND claim_token = %(token)s::uuid"
    )


def _seen_params(prefix: str, message: OutboundMessage) -> dict:
    return {
        "pending": OutboundMessage.Status.PENDING,
        f"{prefix}_id": message.pk,
        f"{prefix}_due": message.due_at,
        f"{prefix}_sequence": message.sequence,
    }


# Sent: the result recorded and the claim given up.
_MARK_SENT = (
    f"UPDATE {_TABLE} SET status = %(sent)s, sent_at = %(sent_at)s, claimed_until = NULL, claim_token = NULL,"  # noqa: S608
    f" sending_since = NULL, last_error = '', updated_at = %(sent_at)s WHERE {_seen_condition('sent')}"
)
# An attempt started: counted, the one before it counted as interrupted if its outcome was never recorded, and the
# lease stretched to cover the send; only while the lease still holds.
_START_ATTEMPT = (
    f"UPDATE {_TABLE} SET attempts = attempts + 1,"  # noqa: S608
    " interrupted_attempts = interrupted_attempts + CASE WHEN sending_since IS NULL THEN 0 ELSE 1 END,"
    " sending_since = %(now)s, claimed_until = GREATEST(claimed_until, %(window)s), updated_at = %(now)s"
    f" WHERE {_seen_condition('start')} AND claimed_until > %(now)s"
)


def _release(message: OutboundMessage, claim: Claim, *, outcome_known: bool = False) -> str:
    """Give up this sweep's claim on a row someone changed meanwhile; it goes out (or not) as they decided."""
    changes = {"claimed_until": None, "claim_token": None}
    if outcome_known:
        changes["sending_since"] = None
    OutboundMessage.objects.filter(pk=message.pk, claim_token=claim.token).update(**changes)
    return OutboundMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def _record_failure(message: OutboundMessage, claim: Claim, exc: Exception, now, *, attempts: int) -> str:
    gave_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    status = OutboundMessage.Status.FAILED if gave_up else OutboundMessage.Status.PENDING
    # Only the exception's class and message: they name the server's complaint, never the message's content.
    error = f"{exc.__class__.__name__}: {exc}"[:500]
    recorded = _as_seen(message, claim).update(
        status=status,
        attempts=attempts,
        due_at=message.due_at if gave_up else now + retry_delay(attempts),
        claimed_until=None,
        claim_token=None,
        sending_since=None,
        last_error=error,
        updated_at=now,
    )
    if not recorded:
        return _release(message, claim, outcome_known=True)
    return status


class _Held:
    fired = False


@contextmanager
def _soft_time_limit_held():
    """Hold Celery's soft time limit (SIGUSR1 in a prefork or solo worker) until the block ends: a message the
    server accepted is then recorded as sent before the sweep stops. Outside a worker's main thread, a no-op."""
    held = _Held()
    previous = signal.getsignal(signal.SIGUSR1) if threading.current_thread() is threading.main_thread() else None
    if previous in (None, signal.SIG_DFL, signal.SIG_IGN):
        yield held
        return

    def hold(signum, frame):
        held.fired = True

    signal.signal(signal.SIGUSR1, hold)
    try:
        yield held
    finally:
        signal.signal(signal.SIGUSR1, previous)


def deliver_due(
    *, batch_size: int | None = None, max_batches: int = 1000, time_budget: float | None = None
) -> dict[str, int]:
    """The sweep: claim due messages batch by batch and deliver each. Returns counts by resulting status, with
    "more" = 1 when it stopped at its time budget (seconds) with messages still due.

    Whatever stops it (the budget, a soft time limit, an error), the rows it claimed but did not start go back at once.
    """
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    deadline = None if time_budget is None else time.monotonic() + time_budget
    counts: dict[str, int] = {}
    seen: set[int] = set()
    for _ in range(max_batches):
        if deadline is not None and time.monotonic() >= deadline:
            counts["more"] = 1
            break
        claim = claim_due(limit=batch_size)
        # A row this sweep already handled (re-armed or released meanwhile) waits for the next sweep: one pass each.
        fresh = [message_id for message_id in claim.ids if message_id not in seen]
        seen.update(fresh)
        if not fresh:
            claim.release()
            break
        sweep = _Sweep(claim, Channels())
        # The batch's rows and their subjects in a few queries, rather than two per message.
        loaded = OutboundMessage.objects.filter(pk__in=fresh).select_related("content_type")
        loaded = {message.pk: message for message in loaded.prefetch_related("subject_object")}
        try:
            for message_id in fresh:
                if deadline is not None and time.monotonic() >= deadline:
                    counts["more"] = 1
                    break
                claim.renew(timezone.now())
                sweep.count(sweep.deliver(message_id, loaded=loaded.get(message_id)))
        finally:
            try:
                sweep.flush()  # a message sent is recorded as sent, whatever stops the sweep
            finally:
                sweep.channels.close()
                claim.release()
            for status, n in sweep.counts.items():
                counts[status] = counts.get(status, 0) + n
        if counts.get("more"):
            break
    return counts
