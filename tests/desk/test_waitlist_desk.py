"""The desk's waiting list: wishes per location, offers out, the fill rate, a caller put on the list, a time offered
by hand, a wish removed. Scoped by the staff member's locations (another location's wish: 404), no health detail,
and the page's queries fixed however many wait."""

from datetime import UTC, datetime

import pytest

from booking.models import Appointment, WaitlistOffer, WaitlistWish
from clinic.core.models import AuditEvent
from tests.booking.conftest import NOW
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory
from tests.booking.test_waitlist import MONDAY_10, booked, cancel, open_offer, wish
from tests.desk.test_desk import desk_user
from tests.factories import LocationFactory, therapist_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(clinic):
    patient = PatientFactory(first_name="Ravi", last_name="Kumar")
    AppointmentFactory(patient=patient, location=clinic["location"], therapist=clinic["therapist"],
                       service=clinic["assessment"], start=datetime(2025, 6, 10, 4, 0, tzinfo=UTC))  # fmt: skip
    return patient


class TestTheList:
    def test_it_shows_wishes_offers_and_the_fill_rate(self, client, clinic, frozen):
        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))
        staff_login(client, desk_user(clinic["location"]))

        page = client.get("/desk/waitlist/").content.decode()

        assert first.patient.full_name in page  # the offer out
        assert second.patient.full_name in page  # waiting
        assert "0 of 1 freed time offered from the list was booked from it" in page

    def test_the_fill_rate_counts_times_booked_from_the_list(self, client, clinic, frozen):
        from booking import waitlist

        wish(clinic)
        cancel(booked(clinic))
        waitlist.offer_claim(offer=open_offer(), now=NOW)
        staff_login(client, desk_user(clinic["location"]))

        assert "100%" in client.get("/desk/waitlist/").content.decode()

    def test_it_shows_no_health_detail(self, client, clinic, frozen):
        intake = IntakeFactory(needs_review=True, review_status="approved")
        wish(clinic, service="needling", patient=intake.patient)
        staff_login(client, desk_user(clinic["location"]))

        page = client.get("/desk/waitlist/").content.decode()

        assert intake.patient.full_name in page
        for health in ("Diabetes", "diabetes", "Needs review", "Approved", "calf"):
            assert health not in page

    def test_another_locations_desk_sees_none_of_it(self, client, clinic, frozen):
        waiting = wish(clinic)
        elsewhere = LocationFactory(slug="london", name="London", time_zone="Europe/London", country="GB")
        staff_login(client, desk_user(elsewhere))

        page = client.get("/desk/waitlist/").content.decode()

        assert waiting.patient.full_name not in page
        assert client.get(f"/desk/waitlist/{waiting.pk}/offer/").status_code == 404
        assert client.post(f"/desk/waitlist/{waiting.pk}/withdraw/").status_code == 404

    @pytest.mark.parametrize("count", [3, 30])
    def test_the_page_runs_the_same_queries_however_many_wait(
        self, client, clinic, frozen, count, django_assert_num_queries
    ):
        for n in range(count):
            wish(clinic, minutes=n)
        staff_login(client, desk_user(clinic["location"]))
        client.get("/desk/waitlist/")

        # 3 the request's own: session, user (with who the staff member is: their permissions, therapist record,
        #   groups and staff profile's locations, desk.auth.StaffBackend), OTP device
        # 1 the active locations shown
        # 4 the list: wishes waiting, open offers, freed times offered and those filled in 30 days
        # 1 the navigation's count of screenings waiting for review
        with django_assert_num_queries(9):
            response = client.get("/desk/waitlist/")
        assert response.status_code == 200


class TestChanges:
    def test_the_desk_puts_a_caller_on_the_list(self, client, clinic, caller, frozen):
        desk = desk_user(clinic["location"])
        staff_login(client, desk)

        form = client.get(f"/desk/patients/{caller.pk}/waitlist/")
        response = client.post(f"/desk/patients/{caller.pk}/waitlist/", {
            "location": "indiranagar", "service": "assessment", "therapist": "", "parts_of_day": ["1"],
            "weekdays": ["1", "2"], "first_day": "2025-06-16", "last_day": "2025-07-01", "notify_by": "sms",
        })  # fmt: skip

        assert form.status_code == 200
        assert response.status_code == 302
        waiting = WaitlistWish.objects.get()
        assert (waiting.patient, waiting.source, waiting.created_by, waiting.notify_sms) == (
            caller,
            "desk",
            desk,
            True,
        )
        assert AuditEvent.objects.filter(object_type="booking.waitlistwish", actor=desk).exists()

    def test_a_wish_with_errors_keeps_what_was_typed(self, client, clinic, caller, frozen):
        staff_login(client, desk_user(clinic["location"]))

        response = client.post(f"/desk/patients/{caller.pk}/waitlist/", {
            "location": "indiranagar", "service": "assessment", "parts_of_day": ["1"], "weekdays": [],
            "first_day": "2025-06-16", "last_day": "2025-07-01",
        })  # fmt: skip

        assert response.status_code == 400
        assert 'value="2025-07-01"' in response.content.decode()
        assert not WaitlistWish.objects.exists()

    def test_needling_for_a_caller_not_screened_is_refused_with_words(self, client, clinic, caller, frozen):
        staff_login(client, desk_user(clinic["location"]))

        response = client.post(f"/desk/patients/{caller.pk}/waitlist/", {
            "location": "indiranagar", "service": "dry-needling", "parts_of_day": ["1"], "weekdays": ["1"],
            "first_day": "2025-06-16", "last_day": "2025-07-01",
        })  # fmt: skip

        assert response.status_code == 400
        assert "has no valid screening" in response.content.decode()
        assert not WaitlistWish.objects.exists()

    def test_the_desk_offers_a_time_by_hand(self, client, clinic, frozen):
        waiting = wish(clinic)
        staff_login(client, desk_user(clinic["location"]))

        page = client.get(f"/desk/waitlist/{waiting.pk}/offer/").content.decode()
        response = client.post(
            f"/desk/waitlist/{waiting.pk}/offer/", {"slot": f"{clinic['therapist'].pk}|20250616T0430Z"}
        )

        assert "Offer this time" in page
        assert response.status_code == 302
        offer = open_offer()
        assert (offer.wish, offer.start) == (waiting, MONDAY_10)
        assert offer.offered_by is not None

    @pytest.mark.parametrize("slot", ["", "x", "1|", "|20250616T0430Z", "999999|20250616T0430Z", "1|2025"])
    def test_a_bad_time_is_refused_without_an_error_page(self, client, clinic, frozen, slot):
        waiting = wish(clinic)
        staff_login(client, desk_user(clinic["location"]))

        response = client.post(f"/desk/waitlist/{waiting.pk}/offer/", {"slot": slot})

        assert response.status_code == 400
        assert not WaitlistOffer.objects.exists()

    def test_removing_a_wish_ends_its_offer(self, client, clinic, frozen):
        waiting = wish(clinic)
        cancel(booked(clinic))
        staff_login(client, desk_user(clinic["location"]))

        response = client.post(f"/desk/waitlist/{waiting.pk}/withdraw/")

        assert response.status_code == 302
        waiting.refresh_from_db()
        assert waiting.status == WaitlistWish.Status.WITHDRAWN
        assert not Appointment.objects.filter(status=Appointment.Status.OFFERED).exists()

    def test_therapists_see_the_list_but_do_not_change_it(self, client, clinic, caller, frozen):
        waiting = wish(clinic)
        staff_login(client, therapist_user())

        assert client.get("/desk/waitlist/").status_code == 200
        assert client.get(f"/desk/waitlist/{waiting.pk}/offer/").status_code == 403
        assert client.post(f"/desk/waitlist/{waiting.pk}/withdraw/").status_code == 403
        assert client.get(f"/desk/patients/{caller.pk}/waitlist/").status_code == 403
