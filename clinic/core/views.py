"""Operational endpoints: liveness of the app and of its database and broker."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # kombu raises transport-specific errors; any of them means "down"
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {k: "ok" if v else "down" for k, v in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def ping(request):
    """A view that does nothing: the baseline that benchmarks compare real pages against."""
    return HttpResponse("pong", content_type="text/plain")


def rate_limited(request, exception):
    """What a person sees when django-ratelimit stops them: why, and what to do instead."""
    return render(request, "429.html", status=429)
