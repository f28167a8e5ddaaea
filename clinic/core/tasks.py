"""Tasks of the shared core."""

from celery import shared_task
from django.core.cache import cache


@shared_task
def ping(token: str) -> str:
    """Leave a mark in the shared cache: proves a worker is consuming from the broker (tests, operators)."""
    cache.set(f"core:ping:{token}", "pong", timeout=300)
    return "pong"
