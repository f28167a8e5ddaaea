"""Operational endpoints: liveness of the app, and which of its parts (database, broker, cache) answer."""

import logging

from django.conf import settings
from django.core.cache import caches
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
            connect_timeout=1,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return True
    except Exception as exc:  # kombu raises transport-specific errors; any of them means "down"
        logger.warning("healthz: broker unreachable (%s)", exc.__class__.__name__)
        return False


def _cache_ok() -> bool:
    cache = caches["default"]
    if not hasattr(cache, "ping"):  # the local file cache of `make run` has no server to lose
        return True
    return cache.ping()


@never_cache
@require_GET
def healthz(request):
    """200 while the site can serve patients: "ok", or "degraded" naming the part that is down (with the broker or
    the cache down, pages and bookings still work and the beat sweep sends later). 503 only without the database,
    so a load balancer takes out a web process that really cannot serve."""
    checks = {"database": _database_ok(), "broker": _broker_ok(), "cache": _cache_ok()}
    body = {k: "ok" if v else "down" for k, v in checks.items()}
    if not checks["database"]:
        return JsonResponse({"status": "unavailable"} | body, status=503)
    degraded = [name for name, ok in checks.items() if not ok]
    return JsonResponse({"status": "degraded" if degraded else "ok", "degraded": degraded} | body, status=200)


@require_GET
def ping(request):
    """A view that does nothing: the baseline that benchmarks compare real pages against."""
    return HttpResponse("pong", content_type="text/plain")


def rate_limited(request, exception):
    """What a person sees when django-ratelimit stops them: why, and what to do instead."""
    return render(request, "429.html", status=429)
