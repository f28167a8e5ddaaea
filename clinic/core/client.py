"""The one answer to "where is this request from?", used by the audit log, consent records, rate limits and the
login lockout (docs/access.md, "The client address").

Behind a reverse proxy the app sees the proxy's address, and the real one is in X-Forwarded-For. That header is
whatever the client typed unless a proxy we trust wrote it, so it is read only when TRUSTED_PROXY_COUNT says how
many proxies stand in front; with the default 0 a forged header changes nothing.
"""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str | None:
    """The caller's address, or None without a request (a Celery task, a management command)."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        address, _ = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    else:
        # Each proxy appends the address it received the request from, so with N proxies the client is the N-th
        # entry from the right of X-Forwarded-For (anything left of it is whatever the client sent). python-ipware
        # counts only the proxies named inside the header, which is one fewer: the nearest is REMOTE_ADDR.
        address, _ = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            strict=False,
            request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        )
    # A header shorter than the configured chain is a misconfiguration, not a client: fall back to the peer.
    return address or request.META.get("REMOTE_ADDR")


def client_ip_for_rate_limits(request) -> str:
    """client_ip for django-ratelimit, which needs an address to count: an unknown one (a Unix socket with no peer
    address) is counted as 0.0.0.0, so such callers share one limit rather than crashing the view."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104  (a counter key, never bound)
