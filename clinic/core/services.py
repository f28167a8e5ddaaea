"""Writes of the shared core: the audit log."""

from django.db import models

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The caller's address. Behind the load balancer the app sees the proxy, so the proxy's header is trusted
    only when settings say a proxy is in front (SECURE_PROXY_SSL_HEADER is set)."""
    from django.conf import settings

    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def audit_record(*, actor, action: str, obj: models.Model, request=None, detail: dict | None = None) -> AuditEvent:
    """Append one audit event. `detail` must hold ids and field names only, never health answers."""
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        ip_address=client_ip(request),
        detail=detail or {},
    )
    event.full_clean()
    event.save()
    return event
