"""Retention: what the clinic no longer needs is purged on a schedule (Celery beat, booking/tasks.py).

- Intakes (health answers, rule results, consent) older than INTAKE_RETENTION_YEARS (default 8: a common period for
  adults' clinical records; set it to your jurisdiction's rule), with the messages about them; and patients left with
  no intake and no appointment after that long.
- Questionnaires started more than a day ago and never submitted: their answers sit in the browser's session.
- Expired sessions (Django's clearsessions).

Each purge writes one audit event with its counts, even when there was nothing to purge (proof that it ran). It lives
in booking because a patient may only go once nothing, appointments included, refers to them.
"""

from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from formtools.wizard.views import normalize_name

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Intake, Patient
from intake.views import QUESTIONNAIRE_STARTED_KEY, QuestionnaireView

# The questionnaire is a few minutes' work: a day after it was started, it was abandoned.
ABANDONED_AFTER = timedelta(days=1)


def retention_cutoff(now: datetime) -> datetime:
    """INTAKE_RETENTION_YEARS calendar years before `now` (29 February counts from 28 February)."""
    years = settings.INTAKE_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def _purged(kind: str, counts: dict, **detail) -> AuditEvent:
    return core_services.audit_record(
        actor=None,
        action=AuditEvent.Action.RETENTION_PURGE,
        object_type=kind,
        object_id="retention",
        detail={**counts, **detail},
    )


@transaction.atomic
def intakes_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete intakes submitted before the retention cut-off, their messages, and patients left with nothing."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    old = Intake.objects.filter(submitted_at__lt=cutoff)
    old_ids = [str(pk) for pk in old.values_list("pk", flat=True)]
    messages = OutboundMessage.objects.filter(
        content_type=ContentType.objects.get_for_model(Intake), object_id__in=old_ids
    ).delete()[0]
    intakes = old.delete()[1].get(Intake._meta.label, 0)
    patients = (
        Patient.objects.filter(created_at__lt=cutoff, intakes__isnull=True, appointments__isnull=True)
        .delete()[1]
        .get(Patient._meta.label, 0)
    )
    counts = {"intakes_deleted": intakes, "messages_deleted": messages, "patients_deleted": patients}
    _purged("intake.intake", counts, older_than=cutoff.isoformat())
    return counts


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def questionnaires_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Remove unfinished questionnaires (answers typed, never submitted) started more than a day ago from the
    sessions still alive; the rest of each session stays, with its expiry. A patient who comes back starts again."""
    now = now or timezone.now()
    store_class = _session_store()
    if not hasattr(store_class, "get_model_class"):  # cache or cookie sessions expire on their own
        counts = {"questionnaires_removed": 0}
        _purged("sessions.session", counts, what="abandoned questionnaires")
        return counts
    model = store_class.get_model_class()
    wizard_key = f"wizard_{normalize_name(QuestionnaireView.__name__)}"  # formtools' session storage key
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    removed = 0
    for session in model.objects.filter(expire_date__gt=now).iterator(chunk_size=500):
        store = store_class(session_key=session.session_key)
        data = store.decode(session.session_data)
        wizard = data.get(wizard_key)
        if not wizard:
            continue
        started = (wizard.get("extra_data") or {}).get(QUESTIONNAIRE_STARTED_KEY)
        # Without a start time (sessions from before it was kept): the session's last save is its expiry - age.
        started_at = datetime.fromisoformat(started) if started else session.expire_date - age
        if started_at > now - ABANDONED_AFTER:
            continue
        del data[wizard_key]
        model.objects.filter(pk=session.pk).update(session_data=store.encode(data))
        if hasattr(store, "cache_key"):  # cached_db keeps a copy in the cache
            caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key)
        removed += 1
    counts = {"questionnaires_removed": removed}
    _purged("sessions.session", counts, what="abandoned questionnaires")
    return counts


def sessions_clear_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Delete expired sessions (what `manage.py clearsessions` does), counted."""
    now = now or timezone.now()
    store_class = _session_store()
    cleared = 0
    if hasattr(store_class, "get_model_class"):
        cleared = store_class.get_model_class().objects.filter(expire_date__lt=now).delete()[0]
    else:
        store_class.clear_expired()
    counts = {"sessions_deleted": cleared}
    _purged("sessions.session", counts, what="expired sessions")
    return counts


def records_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Every purge, in turn (the scheduled task)."""
    now = now or timezone.now()
    return {**intakes_purge(now=now), **questionnaires_purge(now=now), **sessions_clear_expired(now=now)}
