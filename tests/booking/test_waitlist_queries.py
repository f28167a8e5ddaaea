"""Matching a freed time against the waiting list stays fast: the same exact number of queries with 100 or 10,000
wishes waiting, and the candidates' query can use the partial index on waiting wishes."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from booking import waitlist
from booking.availability import Interval
from booking.models import WaitlistOffer, WaitlistWish
from intake.models import Patient
from tests.booking.conftest import NOW
from tests.booking.test_waitlist import MONDAY, MONDAY_10

pytestmark = pytest.mark.django_db


def waiting(clinic, count: int) -> None:
    """`count` patients waiting for a Monday morning assessment, in order of joining (bulk: thousands)."""
    patients = Patient.objects.bulk_create(
        Patient(first_name="P", last_name=str(n), email=f"p{n}@example.com", phone="+91 98765 43210",
                date_of_birth=date(1980, 1, 1))
        for n in range(count)
    )  # fmt: skip
    WaitlistWish.objects.bulk_create(
        WaitlistWish(
            patient=patient, location=clinic["location"], service=clinic["assessment"], parts_of_day=1, weekdays=1,
            first_day=MONDAY, last_day=MONDAY + timedelta(days=6), created_at=NOW - timedelta(days=1, seconds=-n),
        )
        for n, patient in enumerate(patients)
    )  # fmt: skip


@pytest.mark.parametrize("count", [100, 10_000])
def test_it_matches_a_freed_time_in_a_constant_number_of_queries(clinic, frozen, count, django_assert_num_queries):
    waiting(clinic, count)
    freed = [Interval(MONDAY_10, MONDAY_10 + timedelta(hours=1))]
    ContentType.objects.get_for_model(WaitlistOffer)  # cached for the process's life, as in a running server

    # 1 the candidates (waiting wishes that suit, oldest first, at most waitlist.CANDIDATES)
    # 4 availability for the first candidate's service: working hours, time off, closures, held appointments
    # 4 the hold, in a savepoint: savepoint, insert the "offered" appointment, insert the offer, release
    # 6 the e-mail owed (message_queue): savepoint, select for update, savepoint, insert, release, release
    # 1 the audit event
    with django_assert_num_queries(16):
        made = waitlist.offers_for_freed(
            therapist_id=clinic["therapist"].pk, location=clinic["location"], windows=freed, now=NOW
        )

    assert [offer.wish.last_day for offer in made] == [MONDAY + timedelta(days=6)]
    assert WaitlistOffer.objects.get().wish == WaitlistWish.objects.order_by("created_at").first()


def test_the_candidates_query_can_use_the_waiting_wishes_index(clinic, frozen):
    waiting(clinic, 10_000)
    freed = [Interval(MONDAY_10, MONDAY_10 + timedelta(hours=1))]
    therapist_id, location = clinic["therapist"].pk, clinic["location"]
    query = waitlist.candidates(therapist_id=therapist_id, location=location, windows=freed, now=NOW)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE booking_waitlistwish")
        # Which plan PostgreSQL picks depends on its statistics (here every wish suits, a worst case); with
        # sequential scans and sorts priced out, the only way left to read waiting wishes of a location oldest
        # first is the partial index, which proves it serves the query's shape: read in order, stop at the limit.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # The oldest suiting wishes are read through the index, in its order, up to the limit (then only those few
    # are sorted again for the checks on other tables).
    assert "Index Scan using wish_waiting_match_idx on booking_waitlistwish" in plan, plan
    assert "Seq Scan on booking_waitlistwish" not in plan, plan
