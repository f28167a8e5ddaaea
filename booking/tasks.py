"""Tasks of booking: the daily retention purge (scheduled by beat, CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from . import retention


@shared_task(ignore_result=True)
def purge_old_records() -> dict[str, int]:
    """Old intakes, abandoned questionnaires and expired sessions; idempotent, so any number may run."""
    return retention.records_purge()
