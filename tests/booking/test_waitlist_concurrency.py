"""Races of the waiting list, with real threads and committed transactions: two patients claiming one freed time,
a double click, and a claim racing the offer's expiry. Exactly one wins; the other is told kindly and stays on the
list; the time is never held twice."""

from datetime import timedelta

import pytest
import time_machine

from booking import waitlist
from booking.models import Appointment, WaitlistOffer, WaitlistWish
from tests.booking.conftest import NOW
from tests.booking.test_waitlist import MONDAY_10, booked, cancel, open_offer, wish
from tests.support.threads import race

pytestmark = pytest.mark.django_db(transaction=True)


def held_at_monday_10() -> list[str]:
    return list(Appointment.objects.held().filter(start=MONDAY_10).values_list("status", flat=True))


def test_two_patients_claiming_one_time_one_wins_the_other_is_told_and_stays(clinic):
    """Asha's offer ran out and the sweep passed the time to Bala; both press "Book this time" at once."""
    with time_machine.travel(NOW, tick=False):
        asha, bala = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))
        asha_offer = open_offer()
        waitlist.offers_expire(now=NOW + timedelta(minutes=30))
        bala_offer = open_offer()
        at = NOW + timedelta(minutes=31)

        results = race(2, lambda n: waitlist.offer_claim(offer=(asha_offer, bala_offer)[n], now=at))

    assert isinstance(results[0], waitlist.OfferGone), results
    assert "You are still on the list" in results[0].message
    assert isinstance(results[1], Appointment), results
    assert results[1].patient_id == bala.patient_id
    assert held_at_monday_10() == ["confirmed"]
    asha.refresh_from_db()
    bala.refresh_from_db()
    assert (asha.status, bala.status) == (WaitlistWish.Status.WAITING, WaitlistWish.Status.BOOKED)


def test_a_double_click_books_once(clinic):
    with time_machine.travel(NOW, tick=False):
        wish(clinic)
        cancel(booked(clinic))
        offer = open_offer()

        results = race(4, lambda n: waitlist.offer_claim(offer=offer, now=NOW + timedelta(minutes=1)))

    assert all(isinstance(result, Appointment) for result in results), results
    assert {result.pk for result in results} == {offer.appointment_id}
    assert held_at_monday_10() == ["confirmed"]


@pytest.mark.parametrize("attempt", range(3))
def test_a_claim_racing_the_expiry_sweep_has_one_winner(clinic, attempt):
    """The patient presses the button a second before the hold ends while the sweep runs a second after it."""
    with time_machine.travel(NOW, tick=False):
        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))
        offer = open_offer()
        just_before, just_after = offer.expires_at - timedelta(seconds=1), offer.expires_at + timedelta(seconds=1)

        def run(n):
            if n == 0:
                return waitlist.offer_claim(offer=offer, now=just_before)
            return waitlist.offers_expire(now=just_after)

        claimed, lapsed = race(2, run)

    offer.refresh_from_db()
    if isinstance(claimed, Appointment):
        assert lapsed == 0
        assert offer.status == WaitlistOffer.Status.CLAIMED
        assert held_at_monday_10() == ["confirmed"]
        assert not WaitlistOffer.objects.filter(wish=second).exists()
    else:
        assert isinstance(claimed, waitlist.OfferGone), claimed
        assert lapsed == 1
        assert offer.status == WaitlistOffer.Status.EXPIRED
        assert held_at_monday_10() == ["offered"]
        assert WaitlistOffer.objects.get(wish=second).status == WaitlistOffer.Status.OPEN
        first.refresh_from_db()
        assert first.status == WaitlistWish.Status.WAITING
