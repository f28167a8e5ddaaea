"""The desk's course page (desk/course_views.py): plan K more sessions from an appointment, see every date judged,
pick alternatives for clashes, book all at once; bad numbers give the form back; who may open it."""

from datetime import timedelta

import pytest

from booking.models import Appointment, Course
from clinic.core.models import OutboundMessage
from tests.booking.factories import AppointmentFactory, therapist_at
from tests.desk.test_desk import desk_user
from tests.factories import LocationFactory
from tests.support.auth import staff_login
from tests.support.courses import LONDON_WEEKDAYS, NOW, TUESDAY_10, anchor_of

pytestmark = pytest.mark.django_db
WEEKLY = {"every": "1", "unit": "weeks", "sessions": "5"}


@pytest.fixture
def desk(client, london):
    staff_login(client, desk_user(london["location"]))
    return client


def url(appointment) -> str:
    return f"/desk/appointments/{appointment.pk}/course/"


def test_it_offers_the_form_with_the_follow_up_plan_as_the_spacing(desk, london, london_now):
    anchor = anchor_of(london, status=Appointment.Status.COMPLETED, follow_up_weeks=2)

    page = desk.get(url(anchor)).content.decode()

    assert "Course of treatment for" in page
    assert 'name="every" value="2"' in page


def test_the_appointment_page_links_to_it(desk, london, london_now):
    anchor = anchor_of(london)

    page = desk.get(f"/desk/appointments/{anchor.pk}/").content.decode()

    assert f'href="{url(anchor)}"' in page
    assert "Book a course of sessions" in page


def test_it_lists_every_date_before_booking_anything(desk, london, london_now):
    anchor = anchor_of(london)

    response = desk.get(url(anchor), WEEKLY)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('badge text-bg-success">Free') == 5
    assert "Tuesday 1 April 2025, 10:00 (UK time)" in page  # after the clock change, the same local time
    assert "Book 5 sessions" in page
    assert not Course.objects.exists()


def test_it_books_the_whole_course_in_one_go(desk, london, london_now):
    anchor = anchor_of(london)

    response = desk.post(url(anchor), WEEKLY)

    assert response.status_code == 302
    course = Course.objects.get()
    assert course.sessions.count() == 6
    assert OutboundMessage.objects.filter(kind="booking.course_confirmation").count() == 1


def test_a_clash_is_listed_with_alternatives_and_nothing_is_booked_until_one_is_picked(desk, london, london_now):
    anchor = anchor_of(london)
    AppointmentFactory(therapist=london["therapist"], location=london["location"], service=london["needling"],
                       start=TUESDAY_10 + timedelta(weeks=3, hours=-1))  # fmt: skip

    refused = desk.post(url(anchor), WEEKLY)

    page = refused.content.decode()
    assert refused.status_code == 409
    assert "1 of the 5 sessions cannot be booked at the usual time" in page
    assert "Pick another time for session 3" in page
    assert 'name="pick_3" id="pick-3-1" value="20250401T0800Z"' in page  # 09:00 BST
    assert not Course.objects.exists()

    booked = desk.post(url(anchor), {**WEEKLY, "pick_3": "20250401T0800Z"})

    assert booked.status_code == 302
    assert Course.objects.get().sessions.filter(start=TUESDAY_10 + timedelta(weeks=3, hours=-2)).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"sessions": "0"}, "Type a whole number from 1 to 12"),
        ({"sessions": "1000000000"}, "Type a whole number from 1 to 12"),
        ({"sessions": "١٢"}, "Type a whole number from 1 to 12"),
        ({"every": "-1"}, "Type a whole number from 1 to 56"),
        ({"every": "٣"}, "Type a whole number from 1 to 56"),
        ({"every": "9"}, "at most 8 weeks apart"),
        ({"unit": "fortnights"}, "Select a valid choice"),
        ({"every": "8", "sessions": "12"}, "bookings open only 365 days ahead"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_numbers_give_the_form_back_with_a_message(desk, london, london_now, typed, message, method):
    anchor = anchor_of(london)

    response = getattr(desk, method)(url(anchor), {**WEEKLY, **typed})

    assert response.status_code in (400, 409)
    page = response.content.decode()
    assert message in page
    if "unit" not in typed:  # what was typed is kept (a choice that does not exist cannot be shown as chosen)
        assert all(f'value="{value}"' in page for value in typed.values())
    assert not Course.objects.exists()


def test_a_desk_elsewhere_gets_404_and_a_colleague_therapist_403(client, london, london_now):
    anchor = anchor_of(london)
    staff_login(client, desk_user(LocationFactory(slug="leeds", name="Leeds", time_zone="Europe/London")))
    assert client.get(url(anchor)).status_code == 404

    colleague = therapist_at(london["location"], [london["needling"]], hours=LONDON_WEEKDAYS)
    staff_login(client, colleague.user)
    assert client.post(url(anchor), WEEKLY).status_code == 403
    assert not Course.objects.exists()


def test_the_therapist_books_a_course_of_their_own_patient_and_strangers_sign_in_first(client, london, london_now):
    anchor = anchor_of(london)
    assert client.get(url(anchor)).status_code == 302

    staff_login(client, london["therapist"].user)

    assert client.post(url(anchor), WEEKLY).status_code == 302
    assert Course.objects.get().created_by == london["therapist"].user


class TestScreeningRunningOut:
    """A session after the screening runs out is flagged on the day grid and the patient page until the patient
    re-confirms (docs/design.md, "Courses of treatment")."""

    @pytest.fixture
    def late_session(self, london):
        intake = london["intake"]
        intake.valid_until = TUESDAY_10 + timedelta(weeks=2)
        intake.save()
        return anchor_of(london, start=TUESDAY_10 + timedelta(weeks=3, hours=-1))  # 1 April, 10:00 BST

    def test_the_grid_and_the_patient_page_flag_it(self, desk, london, london_now, late_session):
        grid = desk.get("/desk/", {"location": "london", "date": "2025-04-01"}).content.decode()
        patient = desk.get(f"/desk/patients/{london['patient'].pk}/").content.decode()

        assert "Screening: re-confirm before this session" in grid
        assert "Screening: re-confirm before this session" in patient

    def test_a_re_confirmation_since_we_asked_clears_it(self, desk, london, london_now, late_session):
        london["intake"].confirmed_unchanged_at = london["intake"].valid_until - timedelta(days=3)
        london["intake"].save()

        grid = desk.get("/desk/", {"location": "london", "date": "2025-04-01"}).content.decode()

        assert "re-confirm before this session" not in grid
        assert "Screening: cleared" in grid


def test_the_therapist_finishes_with_a_plan_and_books_the_follow_up_course(client, london, london_now):
    """At finish time the follow-up plan ("in 2 weeks") becomes the course's spacing."""
    session = anchor_of(london, start=NOW, status=Appointment.Status.CHECKED_IN)  # Monday 09:00, checked in
    staff_login(client, london["therapist"].user)

    client.post(f"/desk/appointments/{session.pk}/finish/", {"seen_status": "checked_in", "follow_up_weeks": "2"})
    page = client.get(f"/desk/appointments/{session.pk}/").content.decode()
    form = client.get(url(session)).content.decode()
    booked = client.post(url(session), {"every": "2", "unit": "weeks", "sessions": "2"})

    assert "Book the follow-up course (every 2 weeks)" in page
    assert 'name="every" value="2"' in form
    assert booked.status_code == 302
    starts = Course.objects.get().sessions.exclude(pk=session.pk).order_by("start").values_list("start", flat=True)
    assert [s.strftime("%d %b %H:%M") for s in starts] == ["24 Mar 09:00", "07 Apr 08:00"]  # 09:00 GMT, 09:00 BST
