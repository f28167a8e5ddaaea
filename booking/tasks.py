"""Tasks of booking, scheduled by beat (CELERY_BEAT_SCHEDULE in settings): the daily retention purge and the
waiting list's offer expiry."""

from celery import shared_task

from . import retention, waitlist


@shared_task(ignore_result=True)
def purge_old_records() -> dict[str, int]:
    """Old intakes, abandoned questionnaires and expired sessions; idempotent, so any number may run."""
    return retention.records_purge()


@shared_task(ignore_result=True)
def expire_waitlist_offers() -> int:
    """Offers whose hold ran out go to the next wish (booking/waitlist.py), read from the database: any number
    may run."""
    return waitlist.offers_expire()
