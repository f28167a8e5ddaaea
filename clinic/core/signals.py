"""Receivers of the core: the footer's location cache, and sign-in events (audit, sessions, address slow-down)."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_ratelimit.core import is_ratelimited

from .models import Location
from .selectors import LOCATIONS_CACHE_KEY


@receiver([post_save, post_delete], sender=Location, dispatch_uid="core.location_cache")
def _forget_locations(**kwargs):
    cache.delete(LOCATIONS_CACHE_KEY)


# --- Sign-in events (docs/access.md, "Signing in") --------------------------------------------------------------

LOGIN_FAILURES_GROUP = "login.failures"


@receiver(user_logged_in, dispatch_uid="core.login_started")
def _login_started(sender, request, user, **kwargs):
    from .account_services import session_started

    if request is not None and hasattr(request, "session"):
        session_started(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="core.logout_ends_sessions")
def _logged_out(sender, request, user, **kwargs):
    from .account_services import audit_account_event, sessions_end_all
    from .models import AuditEvent

    if user is None or getattr(request, "clinic_session_timed_out", False):
        return
    audit_account_event(action=AuditEvent.Action.LOGOUT, user=user, actor=user, request=request)
    # Signing out on purpose ends every session of the account: the one left open on the desk computer too.
    sessions_end_all(user=user)


@receiver(user_login_failed, dispatch_uid="core.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    from .account_services import audit_account_event
    from .models import AuditEvent

    username = str(credentials.get("username", ""))
    user = get_user_model().objects.filter(username=username).first()
    # Kept in the audit log for good (axes forgets its counts after a successful login).
    audit_account_event(action=AuditEvent.Action.LOGIN_FAILED, user=user, username=username, request=request)
    if request is not None:
        # An address failing across many user names is slowed (the login view refuses it for a while).
        is_ratelimited(
            request,
            group=LOGIN_FAILURES_GROUP,
            key="ip",
            rate=settings.LOGIN_FAILURES_PER_ADDRESS_RATE,
            increment=True,
        )


@receiver(user_locked_out, dispatch_uid="core.login_lockout")
def _locked_out(sender, request=None, username=None, **kwargs):
    """A user name locked after repeated failures: kept in the audit log (axes forgets once the cool-off ends)."""
    from django.contrib.auth import get_user_model

    from .account_services import audit_account_event
    from .models import AuditEvent

    username = str(username or "")[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit_account_event(action=AuditEvent.Action.LOGIN_LOCKOUT, user=user, username=username, request=request)
