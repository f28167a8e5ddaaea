"""Writes of the shared core: the audit log and the outbox of messages owed to patients."""

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from . import outbox, pagecache
from .client import client_ip
from .models import AuditEvent, DataVersion, OutboundMessage

logger = logging.getLogger(__name__)


def actor_label(user) -> str:
    """How an event names its actor for good: full name and user name as they were at the time."""
    full_name = user.get_full_name().strip()
    username = user.get_username()
    return f"{full_name} ({username})" if full_name else username


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    patient_id: int | None = None,
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit event about `obj` (or a record named by `object_type` and `object_id`, such as a purge).

    `patient_id` names the patient it is about, so a clinic admin can find and export everything about one patient.
    `detail` must hold ids, counts and field names only, never health answers or contact details."""
    staff = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=staff,
        actor_name=actor_label(staff) if staff is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        patient_id=patient_id,
        ip_address=client_ip(request),
        detail=detail or {},
    )
    event.full_clean(exclude=["actor"])  # the actor is the signed-in user in hand: no query to check it exists
    event.save()
    return event


def audit_record_many(
    *,
    actor,
    action: str,
    objects: Iterable[tuple[models.Model, int | None]],
    request=None,
    via: str = "",
    detail_of: Callable[[models.Model], dict] | None = None,
) -> list[AuditEvent]:
    """One audit event per (record, patient id), in one insert: a page that shows many patients' health details
    (a therapist's day) records each patient's view without a query per row, a course of treatment each session it
    books. Ids only, like `audit_record`; `detail_of` gives a record's detail instead of its and the patient's ids."""
    staff = actor if actor is not None and actor.is_authenticated else None
    name, address = (actor_label(staff) if staff is not None else ""), client_ip(request)
    events = [
        AuditEvent(
            actor=staff,
            actor_name=name,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            patient_id=patient_id,
            ip_address=address,
            detail=detail_of(obj)
            if detail_of is not None
            else {f"{obj._meta.model_name}_id": obj.pk, "patient_id": patient_id} | ({"via": via} if via else {}),
        )
        for obj, patient_id in objects
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


# After a failed nudge, bookings skip the broker for this long: the beat sweep sends what they owe.
NUDGE_PAUSE_SECONDS = 15
_nudge_paused_until = 0.0


def _nudge_sweep() -> None:
    """Ask a worker to sweep now. Best effort and quick: if the broker is down, one connection attempt (no retries,
    half a second at most) fails, nudges pause for a while, and beat's every-minute sweep sends the message later."""
    global _nudge_paused_until
    from .tasks import send_due_messages

    if time.monotonic() < _nudge_paused_until:
        return
    try:
        with send_due_messages.app.producer_or_acquire() as producer:
            # Without this, publishing retries the connection for seconds while the patient waits for the page.
            producer.connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=0.5)
            send_due_messages.apply_async(producer=producer, retry=False)
    except Exception as exc:  # any broker error; the database row is the record, the nudge is a convenience
        _nudge_paused_until = time.monotonic() + NUDGE_PAUSE_SECONDS
        logger.warning("outbox: broker unavailable (%s), message left for the next sweep", exc.__class__.__name__)


def _rearm(message: OutboundMessage, *, due_at: datetime) -> None:
    """Owe the row's message anew: a new message of its kind to the receiver (next sequence, so a new Message-ID),
    with a fresh count of attempts. A sweep holding it loses its claim and records nothing over this."""
    message.status = OutboundMessage.Status.PENDING
    message.due_at = due_at
    message.attempts = 0
    message.interrupted_attempts = 0
    message.sequence += 1
    message.last_error = ""
    message.claimed_until = None
    message.claim_token = None
    message.sending_since = None
    message.save(
        update_fields=[
            "status",
            "due_at",
            "attempts",
            "interrupted_attempts",
            "sequence",
            "last_error",
            "claimed_until",
            "claim_token",
            "sending_since",
            "updated_at",
        ]
    )


@transaction.atomic
def message_queue(
    *,
    subject: models.Model,
    kind: str,
    channel: str = OutboundMessage.Channel.EMAIL,
    due_at: datetime | None = None,
    again: bool = False,
) -> OutboundMessage:
    """Owe a message about `subject`. Call inside the transaction of the change that owes it.

    Idempotent per (subject, kind, channel): queuing again re-arms a cancelled or skipped row with the new time
    and leaves a sent (or failed) one alone, unless `again` says it must go once more (a reminder for a moved
    appointment, a link the patient asked for again); the row then records the latest send.
    """
    outbox.get_kind(kind)  # fail loudly on a kind nobody registered
    now = timezone.now()
    due_at = due_at or now
    message, created = OutboundMessage.objects.select_for_update().get_or_create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        kind=kind,
        channel=channel,
        defaults={"due_at": due_at},
    )
    rearm = {OutboundMessage.Status.CANCELLED, OutboundMessage.Status.SKIPPED}
    if again:
        rearm |= {OutboundMessage.Status.SENT, OutboundMessage.Status.FAILED}
    if not created and message.status in rearm:
        _rearm(message, due_at=due_at)
    if message.status == OutboundMessage.Status.PENDING and message.due_at <= now:
        transaction.on_commit(_nudge_sweep)
    return message


def messages_queue_new(*, owed: Iterable[tuple[models.Model, str, str, datetime]]) -> list[OutboundMessage]:
    """Owe many messages about records made in this same transaction, in one insert (a course's sessions and their
    reminders): such records have no rows yet, so there is nothing to re-arm. Each is (subject, kind, channel,
    due at)."""
    rows = []
    for subject, kind, channel, due_at in owed:
        outbox.get_kind(kind)  # fail loudly on a kind nobody registered
        content_type = ContentType.objects.get_for_model(subject)
        rows.append(OutboundMessage(content_type=content_type, object_id=str(subject.pk), kind=kind, channel=channel,
                                    due_at=due_at))  # fmt: skip
    if any(row.due_at <= timezone.now() for row in rows):
        transaction.on_commit(_nudge_sweep)
    return OutboundMessage.objects.bulk_create(rows) if rows else []


def message_cancel(*, subject: models.Model, kinds: Iterable[str] | None = None) -> int:
    """Cancel the messages still owed about `subject` (all kinds, or the given ones). Returns how many."""
    owed = OutboundMessage.objects.for_subject(subject).owed()
    if kinds is not None:
        owed = owed.filter(kind__in=list(kinds))
    return owed.update(status=OutboundMessage.Status.CANCELLED, claimed_until=None, updated_at=timezone.now())


def message_reschedule(
    *, subject: models.Model, kind: str, due_at: datetime, channels: Iterable[str] | None = None
) -> int:
    """Move the due time of an owed message (e.g. a reminder when its appointment moves). Returns how many."""
    owed = OutboundMessage.objects.for_subject(subject).owed().filter(kind=kind)
    if channels is not None:
        owed = owed.filter(channel__in=list(channels))
    # The message will say something else now (a reminder of the new time): a new sequence, so a new Message-ID.
    return owed.update(
        due_at=due_at, attempts=0, last_error="", sequence=models.F("sequence") + 1, updated_at=timezone.now()
    )


@transaction.atomic
def message_resend(*, message: OutboundMessage, actor, request=None) -> OutboundMessage:
    """Staff ask for a message to go out again now (a lost e-mail, a failed one fixed at the provider)."""
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    _rearm(message, due_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditEvent.Action.MESSAGE_RESEND,
        obj=message,
        request=request,
        detail={"kind": message.kind, "channel": message.channel},
    )
    transaction.on_commit(_nudge_sweep)
    return message


def data_version_bump(*, name: str) -> None:
    """Bump the version of the data called `name` (see DataVersion). Call it inside the transaction that changes
    that data, after its other writes: the row lock it takes is then held only until commit, always last, so two
    writers can never wait on each other in opposite orders.

    The step is random: a database restored from a backup goes on from an old version, and a random step keeps
    its new versions from meeting the ones cached before the restore."""
    step = secrets.randbelow(1_000_000) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DataVersion._meta.db_table} (name, value) VALUES (%s, %s) "  # noqa: S608 (our own table)
            f"ON CONFLICT (name) DO UPDATE SET value = {DataVersion._meta.db_table}.value + %s",
            [name, step, step],
        )


def location_changed() -> None:
    """Call inside the transaction that changed locations: bumps the diary version and forgets public pages."""
    data_version_bump(name=DataVersion.DIARY)
    pagecache.public_pages_changed()
