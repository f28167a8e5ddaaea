"""Writes about staff accounts: sign-in events in the audit log, sessions that end together, two-factor devices.

Kept apart from services.py (messages and the audit of records) because they follow the login, not a record.
"""

import secrets

from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils.module_loading import import_string

from .client import client_ip
from .models import AuditEvent, StaffSession
from .services import actor_label

RECOVERY_CODE_COUNT = 10


def _session_store(session_key: str) -> SessionBase:
    from django.conf import settings

    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)


def audit_account_event(*, action: str, user=None, username: str = "", request=None, actor=None) -> AuditEvent:
    """An audit event about a staff account (the account is the record; the typed name if there is no account)."""
    event = AuditEvent(
        actor=actor,
        actor_name=actor_label(actor) if actor is not None else "",
        action=action,
        object_type="auth.user",
        object_id=str(user.pk) if user is not None else "",
        ip_address=client_ip(request),
        detail={"username": (user.get_username() if user is not None else username)[:150]},
    )
    event.full_clean(exclude=["object_id"])
    event.save()
    return event


@transaction.atomic
def session_started(*, request, user) -> None:
    """Remember a new signed-in session (so it can be ended from elsewhere) and audit the sign-in."""
    from django.utils import timezone

    from .middleware import STARTED_KEY, mark_seen

    request.session[STARTED_KEY] = timezone.now().timestamp()
    mark_seen(request)
    if request.session.session_key is None:
        request.session.save()
    StaffSession.objects.update_or_create(session_key=request.session.session_key, defaults={"user": user})
    audit_account_event(action=AuditEvent.Action.LOGIN, user=user, actor=user, request=request)


def sessions_end_all(*, user, keep: str | None = None) -> int:
    """End every session of `user` except `keep` (a session key). Returns how many were ended."""
    ended = 0
    for row in StaffSession.objects.filter(user=user).exclude(session_key=keep or ""):
        _session_store(row.session_key).delete()
        row.delete()
        ended += 1
    return ended


def session_end(*, request, reason: str) -> None:
    """Sign out: this session and, on purpose rather than by timeout, every other session of the user too."""
    user = request.user
    if reason == "timeout":
        request.clinic_session_timed_out = True  # signals.py: end this session only, not the others
        audit_account_event(action=AuditEvent.Action.SESSION_EXPIRED, user=user, actor=user, request=request)
        StaffSession.objects.filter(session_key=request.session.session_key or "").delete()
        logout(request)
    else:
        logout(request)  # user_logged_out (signals.py) audits it and ends the other sessions


@transaction.atomic
def two_factor_enrol(*, user, device, request) -> list[str]:
    """Confirm a TOTP device that just accepted a code, and give the user fresh one-time recovery codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    audit_account_event(action=AuditEvent.Action.TWO_FACTOR_ENROLLED, user=user, actor=user, request=request)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once). Returns them, to show exactly once."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    device.token_set.bulk_create([device.token_set.model(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def user_deactivate(*, users) -> int:
    """Stop accounts signing in and end their sessions; the accounts (and the audit events naming them) stay."""
    count = 0
    for user in users.filter(is_active=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
        sessions_end_all(user=user)
        count += 1
    return count
