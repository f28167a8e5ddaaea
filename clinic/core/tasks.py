"""Tasks of the shared core."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache

from . import outbox

logger = logging.getLogger(__name__)


@shared_task
def ping(token: str) -> str:
    """Leave a mark in the shared cache: proves a worker is consuming from the broker (tests, operators)."""
    cache.set(f"core:ping:{token}", "pong", timeout=300)
    return "pong"


@shared_task(ignore_result=True)
def send_due_messages() -> dict[str, int]:
    """The outbox sweep: beat runs it every minute and bookings nudge it; any number may run at once.

    It stops itself between messages well before the soft time limit (one channel timeout early) and, with messages
    still due, asks for another sweep, so a long queue drains in a chain of short tasks."""
    slowest_send = max(settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT_SECONDS)
    budget = max(settings.CELERY_TASK_SOFT_TIME_LIMIT - slowest_send - 5, settings.CELERY_TASK_SOFT_TIME_LIMIT / 2)
    try:
        counts = outbox.deliver_due(time_budget=budget)
    except SoftTimeLimitExceeded:
        # Raised between messages (the outbox holds it during a send); the rows not started are released.
        logger.warning("outbox: sweep stopped at the soft time limit; another sweep continues")
        counts = {"more": 1}
    if counts.get("more"):
        from .services import _nudge_sweep

        _nudge_sweep()
    return counts
