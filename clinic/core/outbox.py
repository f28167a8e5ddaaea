"""The outbox: message kinds registered by the apps, and the sweep that delivers due messages exactly once.

Apps register each kind they queue (how to render it, whether it is still due when its time comes) in their
AppConfig.ready(). The sweep claims due rows with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent sweeps never
take the same row; a claim is a lease, so rows claimed by a worker that died are picked up again when it lapses.
Each row is marked sent right after its send, so a crash repeats at most the one message in flight.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
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


def registered_kinds() -> list[str]:
    return sorted(_kinds)


# --- Delivery -------------------------------------------------------------------------------------------------


def _send_email(rendered: RenderedMessage, message: OutboundMessage) -> None:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=rendered.to,
        # A stable id lets a mail server or client recognise a repeat after a crash in the send window.
        headers={"Message-ID": f"<outbox-{message.pk}-{message.kind}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"},
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in rendered.attachments:
        email.attach(filename, content, mimetype)
    email.send(fail_silently=False)


def _send_sms(rendered: RenderedMessage, message: OutboundMessage) -> None:
    backend = sms.get_backend()
    for number in rendered.to:
        backend.send(sms.SMS(to=number, text=rendered.text))


CHANNELS = {OutboundMessage.Channel.EMAIL: _send_email, OutboundMessage.Channel.SMS: _send_sms}


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4, 8 ... minutes after each failed attempt."""
    return timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def claim_due(*, limit: int, now=None) -> list[int]:
    """Take a lease on up to `limit` due rows that nobody else holds; return their ids."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.due(now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboundMessage.objects.filter(pk__in=ids).update(
                claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
            )
    return ids


def deliver(message_id: int) -> str:
    """Send one claimed message and record the result. Returns the new status."""
    message = OutboundMessage.objects.select_related("content_type").get(pk=message_id)
    if message.status != OutboundMessage.Status.PENDING:
        return message.status
    now = timezone.now()
    if message.due_at > now:  # moved to a later time since it was claimed
        return _release(message)
    try:
        kind = get_kind(message.kind)
        subject = message.subject_object
        rendered = None if subject is None or not kind.still_due(message) else kind.render(message)
    except Exception as exc:  # a rendering bug must not stop the sweep; it is recorded and retried
        logger.exception("outbox: rendering message %s (%s) failed", message.pk, message.kind)
        return _record_failure(message, exc, now)
    # The row as this sweep saw it: if the owing app moves or re-arms it meanwhile (an appointment rescheduled
    # while its reminder was claimed), the change wins and the row waits for its new time.
    as_seen = OutboundMessage.objects.filter(
        pk=message.pk, status=OutboundMessage.Status.PENDING, due_at=message.due_at
    )
    if rendered is None or not rendered.to:
        if as_seen.update(status=OutboundMessage.Status.SKIPPED, claimed_until=None, updated_at=now):
            return OutboundMessage.Status.SKIPPED
        return _release(message)
    try:
        CHANNELS[message.channel](rendered, message)
    except Exception as exc:  # SMTP, provider and network errors alike are retried with back-off
        logger.warning("outbox: sending message %s (%s) failed: %s", message.pk, message.kind, exc.__class__.__name__)
        return _record_failure(message, exc, now)
    marked = as_seen.update(
        status=OutboundMessage.Status.SENT,
        sent_at=now,
        attempts=message.attempts + 1,
        claimed_until=None,
        last_error="",
        updated_at=now,
    )
    if not marked:
        logger.info("outbox: message %s changed while it was being sent; it stays owed as changed", message.pk)
        return _release(message)
    return OutboundMessage.Status.SENT


def _release(message: OutboundMessage) -> str:
    """Give up this sweep's claim on a row someone changed meanwhile; it goes out (or not) as they decided."""
    OutboundMessage.objects.filter(pk=message.pk).update(claimed_until=None)
    return OutboundMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def _record_failure(message: OutboundMessage, exc: Exception, now) -> str:
    attempts = message.attempts + 1
    gave_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    status = OutboundMessage.Status.FAILED if gave_up else OutboundMessage.Status.PENDING
    # Only the exception's class and message: they name the server's complaint, never the message's content.
    error = f"{exc.__class__.__name__}: {exc}"[:500]
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=status,
        attempts=attempts,
        due_at=message.due_at if gave_up else now + retry_delay(attempts),
        claimed_until=None,
        last_error=error,
        updated_at=now,
    )
    return status


def deliver_due(*, batch_size: int | None = None, max_batches: int = 1000) -> dict[str, int]:
    """The sweep: claim due messages batch by batch and deliver each. Returns counts by resulting status."""
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    counts: dict[str, int] = {}
    for _ in range(max_batches):
        ids = claim_due(limit=batch_size)
        if not ids:
            break
        for message_id in ids:
            status = deliver(message_id)
            counts[status] = counts.get(status, 0) + 1
    return counts
