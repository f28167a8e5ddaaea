"""The waiting list's patient pages: joining from the week page, and the offer a claim link opens. A tampered or
ended link gets a clear page, never a server error, and the link carries nothing but the offer's opaque id."""

from datetime import timedelta

import pytest
import time_machine

from booking import waitlist
from booking.models import Appointment, WaitlistOffer, WaitlistWish
from intake.models import Patient
from tests.booking.conftest import NOW
from tests.booking.factories import IntakeFactory
from tests.booking.test_views import with_intake
from tests.booking.test_waitlist import MONDAY_10, booked, cancel, open_offer, wish

pytestmark = pytest.mark.django_db

JOIN = "/book/waitlist/?service=assessment&location=indiranagar&therapist=any"


def join_form(**changes) -> dict:
    return {
        "service": "assessment",
        "location": "indiranagar",
        "therapist": "any",
        "first_name": "Ravi",
        "last_name": "Kumar",
        "email": "ravi@example.com",
        "phone": "+91 98450 12345",
        "date_of_birth": "1979-01-02",
        "parts_of_day": ["1", "2"],
        "weekdays": ["1", "4"],
        "first_day": "2025-06-16",
        "last_day": "2025-07-10",
        "notify_by": "both",
    } | changes


class TestJoin:
    def test_the_week_page_offers_the_waiting_list(self, client, clinic, frozen):
        response = client.get("/book/?service=assessment&location=indiranagar&therapist=any")

        assert "Join the waiting list" in response.content.decode()

    def test_it_shows_the_form_with_the_choices_made(self, client, clinic, frozen):
        response = client.get(JOIN)

        assert response.status_code == 200
        page = response.content.decode()
        assert "Initial assessment" in page
        assert 'name="first_day"' in page

    def test_it_puts_the_patient_on_the_list(self, client, clinic, frozen):
        response = client.post("/book/waitlist/", join_form())

        assert response.status_code == 302
        assert response["Location"] == "/book/waitlist/joined/"
        wish = WaitlistWish.objects.get()
        assert (wish.parts_of_day, wish.weekdays, wish.notify_sms, wish.therapist) == (3, 5, True, None)
        assert wish.patient == Patient.objects.get(email="ravi@example.com")
        assert "You are on the waiting list" in client.get("/book/waitlist/joined/").content.decode()

    def test_a_form_with_errors_keeps_what_was_typed_and_stores_nothing(self, client, clinic, frozen):
        response = client.post("/book/waitlist/", join_form(weekdays=[], last_day="2025-06-01"))

        assert response.status_code == 400
        page = response.content.decode()
        assert "Choose at least one day of the week." in page
        assert 'value="ravi@example.com"' in page
        assert (WaitlistWish.objects.count(), Patient.objects.count()) == (0, 0)

    def test_needling_without_a_screening_goes_to_the_questions(self, client, clinic, frozen):
        response = client.get("/book/waitlist/?service=dry-needling&location=indiranagar&therapist=any")

        assert response.status_code == 302
        assert response["Location"].startswith("/intake/")

    def test_needling_waiting_for_review_is_told_so(self, client, clinic, frozen):
        with_intake(client, IntakeFactory(needs_review=True, location=clinic["location"]))

        response = client.get("/book/waitlist/?service=dry-needling&location=indiranagar&therapist=any")

        assert response.status_code == 200
        assert "needs to approve your screening" in response.content.decode()

    def test_a_cleared_patient_joins_for_needling_without_typing_details(self, client, clinic, frozen):
        intake = IntakeFactory(location=clinic["location"])
        with_intake(client, intake)
        form = {key: value for key, value in join_form(service="dry-needling").items() if key not in (
            "first_name", "last_name", "email", "phone", "date_of_birth")}  # fmt: skip

        response = client.post("/book/waitlist/", form)

        assert response.status_code == 302
        assert WaitlistWish.objects.get().patient == intake.patient

    @pytest.mark.parametrize("query", ["", "?service=nope", "?service=assessment&location=nowhere"])
    def test_missing_choices_go_back_to_booking(self, client, clinic, frozen, query):
        response = client.get("/book/waitlist/" + query)

        assert response.status_code == 302
        assert response["Location"].startswith("/book/")


@pytest.fixture
def offered(clinic, frozen):
    wish(clinic)
    cancel(booked(clinic))
    offer = open_offer()
    return offer, f"/book/waitlist/offer/{waitlist.offer_token(offer)}/"


class TestOfferPage:
    def test_it_shows_the_time_held(self, client, offered):
        offer, url = offered

        response = client.get(url)

        assert response.status_code == 200
        page = response.content.decode()
        assert "Book this time" in page
        assert "Initial assessment" in page
        assert offer.wish.patient.last_name not in page  # the link shows the time, not who it is for

    def test_booking_it_confirms_and_leads_to_the_appointment(self, client, offered):
        offer, url = offered

        response = client.post(url, {"answer": "claim"})

        assert response.status_code == 302
        assert response["Location"].startswith("/book/manage/")
        assert Appointment.objects.get(pk=offer.appointment_id).status == Appointment.Status.CONFIRMED
        assert "You booked this time" in client.get(url).content.decode()

    def test_saying_no_lets_it_go(self, client, offered):
        offer, url = offered

        response = client.post(url, {"answer": "decline"})

        assert response.status_code == 302
        offer.refresh_from_db()
        assert offer.status == WaitlistOffer.Status.DECLINED
        assert "This offer has ended" in client.get(url).content.decode()

    def test_a_claim_after_the_expiry_is_told_kindly(self, client, offered):
        _, url = offered

        with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
            response = client.post(url, {"answer": "claim"})

        assert response.status_code == 409
        assert "You are still on the list" in response.content.decode()
        assert not Appointment.objects.filter(start=MONDAY_10, status__in=Appointment.HELD).exists()

    @pytest.mark.parametrize("answer", ["", "maybe", "claim\x00"])
    def test_a_bad_answer_is_a_400(self, client, offered, answer):
        _, url = offered

        assert client.post(url, {"answer": answer}).status_code == 400

    @pytest.mark.parametrize("token", ["x", "abc:def", "0" * 32, "a" * 500])
    def test_a_tampered_link_gets_a_clear_page(self, client, db, token):
        response = client.get(f"/book/waitlist/offer/{token}/")

        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()

    def test_the_link_carries_no_health_detail(self, offered):
        offer, url = offered

        token = url.split("/")[-2]
        assert token.split(":")[0] == offer.public_id.hex
        assert len(token.split(":")) == 2
