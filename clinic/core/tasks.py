"""Tasks of the shared core."""

from celery import shared_task
from django.core.cache import cache

from . import outbox


@shared_task
def ping(token: str) -> str:
    """Leave a mark in the shared cache: proves a worker is consuming from the broker (tests, operators)."""
    cache.set(f"core:ping:{token}", "pong", timeout=300)
    return "pong"


@shared_task(ignore_result=True)
def send_due_messages() -> dict[str, int]:
    """The outbox sweep: beat runs it every minute and bookings nudge it; any number may run at once."""
    return outbox.deliver_due()
