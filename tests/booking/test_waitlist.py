"""The waiting list's services (docs/design.md, "The waiting list"): joining, offers of freed times in the order of
joining, the hold under the exclusion constraint, claim, decline, expiry by the sweep, and screening."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client

from booking import desk_services, services, waitlist
from booking.models import Appointment, TimeOff, WaitlistOffer, WaitlistWish
from clinic.core.models import OutboundMessage
from intake.models import Intake
from tests.booking.conftest import NOW
from tests.booking.factories import (
    AppointmentFactory,
    ClosureFactory,
    IntakeFactory,
    PatientFactory,
    TherapistFactory,
    TimeOffFactory,
)
from tests.factories import clinic_admin_user, front_desk_user
from tests.support.auth import staff_login

MONDAY_10 = datetime(2025, 6, 16, 4, 30, tzinfo=UTC)  # 10:00 IST, Monday 16 June
MONDAY = date(2025, 6, 16)
MORNING, AFTERNOON = 1, 2
MONDAYS = 1


def wish(clinic, *, service="assessment", patient=None, minutes=0, **fields) -> WaitlistWish:
    """A waiting wish written straight to the table (joining is tested through wish_add below)."""
    values = {
        "patient": patient or PatientFactory(),
        "location": clinic["location"],
        "service": clinic[service],
        "parts_of_day": MORNING,
        "weekdays": MONDAYS,
        "first_day": MONDAY,
        "last_day": MONDAY + timedelta(days=6),
        "created_at": NOW - timedelta(days=1) + timedelta(minutes=minutes),
    } | fields
    return WaitlistWish.objects.create(**values)


def booked(clinic, *, start=MONDAY_10, service="assessment") -> Appointment:
    return services.appointment_book(
        patient=PatientFactory(),
        service=clinic[service],
        location=clinic["location"],
        therapist=clinic["therapist"],
        start=start,
        now=NOW,
    )


def cancel(appointment):
    return services.appointment_cancel(appointment=appointment, by_patient=False, now=NOW)


def open_offer() -> WaitlistOffer:
    return WaitlistOffer.objects.select_related("appointment", "wish").get(status=WaitlistOffer.Status.OPEN)


@pytest.mark.django_db
class TestOffers:
    def test_it_offers_a_cancelled_time_to_the_wish_that_joined_first(self, clinic, frozen):
        later = wish(clinic, minutes=10)
        first = wish(clinic, minutes=0)
        cancel(booked(clinic))

        offer = open_offer()
        assert offer.wish == first
        assert (offer.start, offer.therapist) == (MONDAY_10, clinic["therapist"])
        assert offer.expires_at == NOW + timedelta(minutes=30)
        assert offer.appointment.status == Appointment.Status.OFFERED
        assert offer.appointment.patient == first.patient
        assert not WaitlistOffer.objects.filter(wish=later).exists()

    def test_it_owes_the_offer_message_on_the_wish_channels(self, clinic, frozen):
        wish(clinic, notify_email=True, notify_sms=True)
        cancel(booked(clinic))

        offer = open_offer()
        channels = set(
            OutboundMessage.objects.filter(kind=waitlist.KIND_OFFER, object_id=str(offer.pk)).values_list(
                "channel", flat=True
            )
        )
        assert channels == {"email", "sms"}

    def test_the_offered_time_is_held_against_other_bookings(self, clinic, frozen):
        wish(clinic)
        cancel(booked(clinic))

        with pytest.raises(services.SlotTaken):
            booked(clinic)

    def test_it_offers_nothing_to_a_wish_the_time_does_not_suit(self, clinic, frozen):
        wish(clinic, parts_of_day=AFTERNOON)
        wish(clinic, weekdays=2)  # Tuesdays
        wish(clinic, first_day=MONDAY + timedelta(days=1))
        cancel(booked(clinic))

        assert not WaitlistOffer.objects.exists()
        assert not Appointment.objects.filter(status=Appointment.Status.OFFERED).exists()

    def test_it_offers_a_moved_appointments_old_time(self, clinic, frozen):
        waiting = wish(clinic)
        appointment = booked(clinic)
        services.appointment_reschedule(
            appointment=appointment, start=MONDAY_10 + timedelta(hours=3), by_patient=False, now=NOW
        )

        assert open_offer().wish == waiting
        assert open_offer().start == MONDAY_10

    def test_it_offers_the_time_of_a_booking_whose_screening_was_declined(self, clinic, frozen):
        waiting = wish(clinic)
        held = IntakeFactory(needs_review=True)
        pending = services.appointment_book(
            patient=held.patient, service=clinic["needling"], location=clinic["location"],
            therapist=clinic["therapist"], start=MONDAY_10, intake=held, now=NOW,
        )  # fmt: skip
        assert pending.status == Appointment.Status.PENDING_REVIEW

        services.appointments_decide_for_intake(intake=held, decision=Intake.ReviewStatus.DECLINED)

        assert open_offer().wish == waiting
        assert open_offer().start == MONDAY_10

    def test_it_offers_the_times_of_a_course_cancelled_from_a_session_on(self, clinic, frozen):
        from booking import courses

        weeks = MONDAY + timedelta(days=20)
        waiting = [wish(clinic, minutes=n, last_day=weeks) for n in range(3)]
        anchor = booked(clinic)
        courses.course_book(anchor=anchor, every_days=7, count=2, actor=None, now=NOW)

        courses.course_cancel_from(appointment=anchor, now=NOW)

        offered = {offer.wish: offer.start for offer in WaitlistOffer.objects.all()}
        assert offered == {waiting[n]: MONDAY_10 + timedelta(weeks=n) for n in range(3)}

    def test_it_offers_time_freed_by_removing_time_off(self, clinic, frozen):
        waiting = wish(clinic)
        time_off = TimeOffFactory(therapist=clinic["therapist"], start=MONDAY_10, end=MONDAY_10 + timedelta(hours=2))
        desk_services.time_off_delete(time_off=time_off)

        assert not TimeOff.objects.exists()
        offer = open_offer()
        assert (offer.wish, offer.start) == (waiting, datetime(2025, 6, 16, 4, 30, tzinfo=UTC))

    def test_it_offers_time_freed_by_shortening_time_off(self, clinic, frozen):
        waiting = wish(clinic)
        time_off = TimeOffFactory(therapist=clinic["therapist"], start=MONDAY_10, end=MONDAY_10 + timedelta(hours=2))
        # Made longer: nothing is freed, nothing offered.
        desk_services.time_off_save(
            time_off=time_off, therapist=clinic["therapist"], start=MONDAY_10, end=MONDAY_10 + timedelta(hours=3)
        )
        assert not WaitlistOffer.objects.exists()

        # Now from 11:00: the hour from 10:00 is free again and goes to the list; the rest stays time off.
        desk_services.time_off_save(
            time_off=time_off,
            therapist=clinic["therapist"],
            start=MONDAY_10 + timedelta(hours=1),
            end=MONDAY_10 + timedelta(hours=3),
        )
        offer = open_offer()
        assert (offer.wish, offer.start) == (waiting, MONDAY_10)
        assert WaitlistOffer.objects.count() == 1

    def test_it_offers_time_off_given_to_another_therapist(self, clinic, frozen):
        waiting = wish(clinic)
        time_off = TimeOffFactory(therapist=clinic["therapist"], start=MONDAY_10, end=MONDAY_10 + timedelta(hours=1))
        desk_services.time_off_save(
            time_off=time_off, therapist=TherapistFactory(), start=MONDAY_10, end=MONDAY_10 + timedelta(hours=1)
        )
        offer = open_offer()
        assert (offer.wish, offer.start, offer.appointment.therapist) == (waiting, MONDAY_10, clinic["therapist"])

    def test_the_admin_offers_what_changing_or_removing_time_off_frees(self, clinic, frozen):
        """The admin writes time off without the desk's services: its hooks offer the freed time the same way."""
        first, second = wish(clinic), wish(clinic, minutes=1)
        time_off = TimeOffFactory(therapist=clinic["therapist"], start=MONDAY_10, end=MONDAY_10 + timedelta(hours=2))
        admin = Client()
        staff_login(admin, clinic_admin_user(is_superuser=True))
        shorter = {"therapist": clinic["therapist"].pk, "start_0": "2025-06-16", "start_1": "11:00"}
        response = admin.post(
            f"/admin/booking/timeoff/{time_off.pk}/change/", shorter | {"end_0": "2025-06-16", "end_1": "12:00"}
        )
        assert response.status_code == 302
        assert [(offer.wish, offer.start) for offer in WaitlistOffer.objects.all()] == [(first, MONDAY_10)]

        admin.post(f"/admin/booking/timeoff/{time_off.pk}/delete/", {"post": "yes"})
        assert not TimeOff.objects.exists()
        assert WaitlistOffer.objects.get(wish=second).start == MONDAY_10 + timedelta(hours=1)

    def test_the_admin_offers_the_days_a_closure_no_longer_covers(self, clinic, frozen):
        waiting = wish(clinic)
        closure = ClosureFactory(location=clinic["location"], first_day=MONDAY, last_day=MONDAY + timedelta(days=1))
        admin = Client()
        staff_login(admin, clinic_admin_user(is_superuser=True))
        moved = {"location": clinic["location"].pk, "first_day": "2025-06-17", "last_day": "2025-06-17"}
        assert admin.post(f"/admin/booking/closure/{closure.pk}/change/", moved).status_code == 302

        offer = open_offer()  # Monday is open again; its first morning hour goes to the wish
        assert (offer.wish, offer.start) == (waiting, datetime(2025, 6, 16, 3, 30, tzinfo=UTC))

    def test_it_offers_time_from_hours_added(self, clinic, frozen):
        waiting = wish(clinic, weekdays=64, parts_of_day=MORNING)  # Sundays: the therapist does not work then
        desk_services.working_hours_save(
            therapist=clinic["therapist"],
            location=clinic["location"],
            weekday=6,
            start_time=time(9),
            end_time=time(12),
        )

        offer = open_offer()
        assert offer.wish == waiting
        assert offer.start == datetime(2025, 6, 22, 3, 30, tzinfo=UTC)  # the first Sunday of the wish, 09:00 IST

    def test_a_shorter_service_takes_part_of_the_freed_time_and_the_next_wish_the_rest(self, clinic, frozen):
        first = wish(clinic, service="needling", patient=IntakeFactory().patient)
        second = wish(clinic, service="needling", patient=IntakeFactory().patient, minutes=1)
        cancel(booked(clinic))  # 60 minutes of assessment; needling is 45 + 15 buffer

        assert WaitlistOffer.objects.get(wish=first).start == MONDAY_10
        assert not WaitlistOffer.objects.filter(wish=second).exists()


@pytest.mark.django_db
class TestScreening:
    def test_it_never_offers_needling_to_a_patient_not_screened(self, clinic, frozen):
        wish(clinic, service="needling")  # no screening at all
        wish(clinic, service="needling", patient=IntakeFactory(needs_review=True).patient, minutes=1)
        wish(clinic, service="needling", patient=IntakeFactory(not_suitable=True).patient, minutes=2)
        expired = IntakeFactory(submitted_at=NOW - timedelta(days=200), valid_until=NOW - timedelta(days=17))
        wish(clinic, service="needling", patient=expired.patient, minutes=3)
        cleared = wish(clinic, service="needling", patient=IntakeFactory().patient, minutes=4)
        cancel(booked(clinic))

        assert [offer.wish for offer in WaitlistOffer.objects.all()] == [cleared]

    def test_an_approved_screening_counts(self, clinic, frozen):
        approved = IntakeFactory(needs_review=True, review_status=Intake.ReviewStatus.APPROVED)
        waiting = wish(clinic, service="needling", patient=approved.patient)
        cancel(booked(clinic))

        assert open_offer().wish == waiting

    def test_joining_for_needling_needs_a_cleared_or_approved_screening(self, clinic, frozen):
        intake = IntakeFactory(needs_review=True)
        wanted = waitlist.Wanted(
            location=clinic["location"], service=clinic["needling"], therapist=None, parts_of_day=7, weekdays=127,
            first_day=MONDAY, last_day=MONDAY + timedelta(days=7),
        )  # fmt: skip
        with pytest.raises(services.BookingRefused):
            waitlist.wish_add(patient=intake.patient, wanted=wanted, now=NOW)
        with pytest.raises(services.NeedsIntake):
            waitlist.wish_add(patient=PatientFactory(), wanted=wanted, now=NOW)

        assert not WaitlistWish.objects.exists()

    def test_joining_stores_the_wish_once(self, clinic, frozen):
        intake = IntakeFactory()
        wanted = waitlist.Wanted(
            location=clinic["location"], service=clinic["needling"], therapist=None, parts_of_day=7, weekdays=127,
            first_day=MONDAY, last_day=MONDAY + timedelta(days=7),
        )  # fmt: skip
        first = waitlist.wish_add(patient=intake.patient, wanted=wanted, now=NOW)
        again = waitlist.wish_add(patient=intake.patient, wanted=wanted, now=NOW)

        assert first == again
        assert WaitlistWish.objects.get().status == WaitlistWish.Status.WAITING

    def test_joining_refuses_days_past_or_beyond_the_horizon(self, clinic, frozen):
        for first_day, last_day in ((MONDAY - timedelta(days=7), MONDAY), (MONDAY, MONDAY + timedelta(days=400))):
            wanted = waitlist.Wanted(
                location=clinic["location"], service=clinic["assessment"], therapist=None, parts_of_day=7,
                weekdays=127, first_day=first_day, last_day=last_day,
            )  # fmt: skip
            with pytest.raises(waitlist.WaitlistError):
                waitlist.wish_add(patient=PatientFactory(), wanted=wanted, now=NOW)


@pytest.mark.django_db
class TestAnswers:
    def test_claiming_confirms_the_time_and_owes_the_confirmation(self, clinic, frozen):
        waiting = wish(clinic)
        cancel(booked(clinic))
        offer = open_offer()

        appointment = waitlist.offer_claim(offer=offer, now=NOW + timedelta(minutes=5))

        assert appointment.pk == offer.appointment_id
        assert appointment.status == Appointment.Status.CONFIRMED
        waiting.refresh_from_db()
        offer.refresh_from_db()
        assert (waiting.status, offer.status) == (WaitlistWish.Status.BOOKED, WaitlistOffer.Status.CLAIMED)
        kinds = set(OutboundMessage.objects.for_subject(appointment).values_list("kind", "status"))
        assert ("booking.confirmation", "pending") in kinds
        assert OutboundMessage.objects.for_subject(offer).get().status == OutboundMessage.Status.CANCELLED

    def test_declining_passes_the_time_to_the_next_wish_and_keeps_the_first_waiting(self, clinic, frozen):
        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))

        waitlist.offer_decline(offer=open_offer(), now=NOW + timedelta(minutes=1))

        offer = open_offer()
        assert offer.wish == second
        assert offer.start == MONDAY_10
        first.refresh_from_db()
        assert first.status == WaitlistWish.Status.WAITING
        assert Appointment.objects.filter(status=Appointment.Status.OFFERED).count() == 1

    def test_the_sweep_expires_offers_and_passes_them_on(self, clinic, frozen):
        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))

        assert waitlist.offers_expire(now=NOW + timedelta(minutes=29)) == 0
        assert waitlist.offers_expire(now=NOW + timedelta(minutes=30)) == 1

        expired = WaitlistOffer.objects.get(wish=first)
        assert (expired.status, expired.appointment) == (WaitlistOffer.Status.EXPIRED, None)
        assert open_offer().wish == second

    def test_a_claim_after_the_expiry_is_told_kindly_and_the_time_goes_on(self, clinic, frozen):
        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))

        with pytest.raises(waitlist.OfferGone, match="You are still on the list"):
            waitlist.offer_claim(offer=open_offer(), now=NOW + timedelta(minutes=31))

        assert open_offer().wish == second
        first.refresh_from_db()
        assert first.status == WaitlistWish.Status.WAITING

    def test_a_claim_whose_hold_is_gone_is_told_kindly(self, clinic, frozen):
        """The patient's record was erased (their appointments cancelled) while the offer was out."""
        wish(clinic)
        cancel(booked(clinic))
        offer = open_offer()
        Appointment.objects.filter(pk=offer.appointment_id).update(status=Appointment.Status.CANCELLED)

        with pytest.raises(waitlist.OfferGone):
            waitlist.offer_claim(offer=offer, now=NOW)

        offer.refresh_from_db()
        assert offer.status == WaitlistOffer.Status.WITHDRAWN

    def test_a_screening_that_ran_out_before_the_claim_books_nothing(self, clinic, frozen):
        intake = IntakeFactory()
        wish(clinic, service="needling", patient=intake.patient)
        cancel(booked(clinic))
        Intake.objects.filter(pk=intake.pk).update(valid_until=NOW + timedelta(minutes=1))

        with pytest.raises(services.NeedsIntake):
            waitlist.offer_claim(offer=open_offer(), now=NOW + timedelta(minutes=2))

        assert open_offer().appointment.status == Appointment.Status.OFFERED

    def test_a_merged_duplicate_keeps_its_place_on_the_list(self, clinic, frozen):
        from booking import desk_services
        from tests.factories import clinic_admin_user

        keep, duplicate = PatientFactory(), PatientFactory()
        waiting = wish(clinic, patient=duplicate)

        desk_services.patients_merge(keep=keep, duplicate=duplicate, actor=clinic_admin_user())

        waiting.refresh_from_db()
        assert (waiting.patient, waiting.status) == (keep, WaitlistWish.Status.WAITING)

    def test_erasing_a_patient_takes_them_off_the_list_and_passes_their_offer_on(self, clinic, frozen):
        from booking import privacy
        from tests.factories import clinic_admin_user

        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))
        patient = first.patient

        privacy.patient_erase(
            patient=patient, actor=clinic_admin_user(), confirmation=patient.full_name, reason="Asked by e-mail"
        )

        assert not WaitlistWish.objects.filter(patient=patient).exists()
        assert open_offer().wish == second
        assert not Appointment.objects.filter(patient=patient, status=Appointment.Status.OFFERED).exists()

    def test_nobody_waiting_leaves_the_time_free(self, clinic, frozen):
        wish(clinic)
        cancel(booked(clinic))

        waitlist.offer_decline(offer=open_offer(), now=NOW)

        assert not Appointment.objects.filter(status__in=Appointment.HELD).exists()

    def test_leaving_the_list_ends_an_open_offer(self, clinic, frozen):
        first, second = wish(clinic), wish(clinic, minutes=1)
        cancel(booked(clinic))

        waitlist.wish_withdraw(wish=first)

        assert open_offer().wish == second


@pytest.mark.django_db
class TestByHand:
    def test_the_desk_offers_a_free_time_to_a_wish(self, clinic, frozen):
        waiting = wish(clinic)
        desk = front_desk_user()

        offer = waitlist.offer_by_hand(wish=waiting, therapist=clinic["therapist"], start=MONDAY_10, actor=desk)

        assert (offer.status, offer.offered_by, offer.appointment.status) == ("open", desk, "offered")

    def test_it_refuses_a_time_that_is_taken(self, clinic, frozen):
        waiting = wish(clinic)
        AppointmentFactory(
            therapist=clinic["therapist"], location=clinic["location"], service=clinic["assessment"], start=MONDAY_10
        )

        with pytest.raises(services.SlotTaken):
            waitlist.offer_by_hand(wish=waiting, therapist=clinic["therapist"], start=MONDAY_10, actor=None)
        assert not WaitlistOffer.objects.exists()


@pytest.mark.django_db
class TestClaimLink:
    def test_the_link_names_the_offer_only(self, clinic, frozen):
        wish(clinic)
        cancel(booked(clinic))
        offer = open_offer()

        token = waitlist.offer_token(offer)

        assert token.split(":")[0] == offer.public_id.hex
        assert waitlist.offer_from_token(token) == offer

    @pytest.mark.parametrize("token", ["", "x", "abc:def", "0" * 32 + ":bad"])
    def test_a_tampered_link_names_nothing(self, token, db):
        assert waitlist.offer_from_token(token) is None
