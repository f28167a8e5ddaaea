"""The front desk in Chromium: the day's journey on a desktop (log in, land on the schedule, find a returning caller by
a misspelt name, book her, check her in, finish after the start, print the day sheet), the schedule and week on a
tablet, and the other desk pages. Zero axe violations (WCAG 2.2 AA, target size included) on each."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from booking.models import Appointment, TimeOff
from booking.services import KIND_CONFIRMATION
from clinic.core.models import OutboundMessage, StaffProfile
from clinic.core.services import message_queue
from tests.booking.factories import AppointmentFactory, IntakeFactory, ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.factories import LocationFactory, front_desk_user
from tests.intake.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_DAY = tuple((day, 0, 23) for day in range(7))


@pytest.fixture
def day():
    """Today at one location: two therapists, three appointments (one pending review), one failed message."""
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    needling = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15)
    assessment = ServiceFactory(
        name="Initial assessment", slug="assessment", duration_minutes=60, locations=[location]
    )
    arjun = therapist_at(location, [needling, assessment], hours=EVERY_DAY, display_name="Arjun Menon")
    meera = therapist_at(location, [needling], hours=EVERY_DAY, display_name="Meera Iyer")
    # The top of the current local hour: always today in the location's zone.
    start = timezone.now().astimezone(location.zone).replace(minute=0, second=0, microsecond=0)
    cleared = IntakeFactory(location=location, patient__first_name="Asha", patient__last_name="Rao")
    review = IntakeFactory(
        location=location, needs_review=True, patient__first_name="Vikram", patient__last_name="Das"
    )
    asha = AppointmentFactory(
        patient=cleared.patient, intake=cleared, therapist=arjun, location=location, service=needling, start=start
    )
    AppointmentFactory(
        patient=review.patient,
        intake=review,
        therapist=meera,
        location=location,
        service=needling,
        start=start,
        status=Appointment.Status.PENDING_REVIEW,
    )
    other = AppointmentFactory(
        therapist=arjun, location=location, service=assessment, start=start + timedelta(hours=1)
    )
    message = message_queue(subject=other, kind=KIND_CONFIRMATION)
    OutboundMessage.objects.filter(pk=message.pk).update(status="failed", attempts=5, last_error="SMTP 550 no mailbox")
    message_queue(subject=asha, kind=KIND_CONFIRMATION, due_at=start + timedelta(days=1))
    user = front_desk_user(username="priya", first_name="Priya", last_name="Shah")
    StaffProfile.objects.create(user=user).locations.set([location])
    return {"location": location, "asha": asha, "user": user}


# Monday 17 June 2030, 08:30 in Bengaluru: a fixed day in the future, so the session cookie is valid for Chromium.
JOURNEY_START = datetime(2030, 6, 17, 3, 0, tzinfo=UTC)


def test_the_front_desk_books_a_returning_caller_found_by_a_misspelt_name_and_sees_her_through(desktop):
    """Logs in, lands on the schedule, finds Asha Rao as "Asha Rau", books her without retyping, checks her in,
    finishes after the start (time-machine) and prints the day sheet."""
    page = desktop
    with time_machine.travel(JOURNEY_START, tick=True) as traveller:
        location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
        assessment = ServiceFactory(
            name="Initial assessment", slug="assessment", duration_minutes=60, locations=[location]
        )
        therapist_at(location, [assessment], hours=EVERY_DAY, display_name="Arjun Menon")
        asha = PatientFactory(first_name="Asha", last_name="Rao", email="asha.rao@example.com")
        AppointmentFactory(  # her visit last month: a returning patient of this location
            patient=asha, location=location, service=assessment, start=JOURNEY_START - timedelta(days=30),
            status=Appointment.Status.COMPLETED,
        )  # fmt: skip
        user = front_desk_user(username="priya", first_name="Priya", last_name="Shah")
        StaffProfile.objects.create(user=user).locations.set([location])

        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("priya")
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile("/desk/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("(today)")
        expect(page.get_by_role("navigation", name="Staff").get_by_role("link", name="Schedule")).to_have_attribute(
            "aria-current", "page"
        )
        assert_accessible(page)

        page.get_by_role("link", name="Patients").click()
        page.get_by_label("Name, phone or e-mail").fill("Asha Rau")
        page.get_by_role("button", name="Search").click()
        assert_accessible(page)
        page.get_by_role("link", name="Asha Rao").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Asha Rao")
        assert_accessible(page)

        page.get_by_role("link", name="Book for Asha").click()
        page.get_by_label("Service").select_option(label="Initial assessment")
        page.get_by_role("button", name="Find times").click()
        page.get_by_role("link", name="10:00 with Arjun Menon").click()
        expect(page.get_by_label("E-mail address")).to_have_value("asha.rao@example.com")  # nothing retyped
        page.get_by_role("button", name="Book").click()
        expect(page.get_by_text("Booked: Asha Rao.")).to_be_visible()
        booked = Appointment.objects.get(patient=asha, status=Appointment.Status.CONFIRMED)

        page.get_by_role("button", name="Check in").click()
        expect(page.get_by_text("Checked in: Asha Rao.")).to_be_visible()
        expect(page.get_by_role("button", name="Finish")).to_have_count(0)  # not before the start
        assert_accessible(page)

        # The morning passes with the desk in use (each page a click, so the idle timeout never ends the session).
        for minutes in (25, 50, 75, 100):  # 10:10, ten minutes after the start
            traveller.move_to(JOURNEY_START + timedelta(minutes=minutes))
            page.reload()
        page.get_by_role("button", name="Finish").click()
        expect(page.get_by_text("Finished: Asha Rao.")).to_be_visible()
        booked.refresh_from_db()
        assert booked.status == Appointment.Status.COMPLETED

        page.get_by_role("navigation", name="Staff").get_by_role("link", name="Schedule").click()
        expect(page.locator(".grid-appt.appointment-completed")).to_have_count(1)
        page.emulate_media(media="print")
        expect(page.get_by_role("heading", name=re.compile("^Day sheet"))).to_be_visible()
        expect(page.locator("#schedule-scroll")).to_be_hidden()
        expect(page.get_by_role("navigation", name="Staff")).to_be_hidden()
        expect(page.get_by_role("cell", name="Asha Rao")).to_be_visible()
        page.emulate_media(media="screen")
        save_screenshot(page, "desk-schedule")


def test_the_schedule_and_the_week_pass_axe_on_a_tablet(browser, live_server, day):
    """On a 768x1024 tablet: the header's wordmark, today's grid opened at the now-line, the grid scrolling within
    its own region (never the page sideways), the printed day sheet, and the week."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024}, has_touch=True)
    page = context.new_page()
    page.viewport_name = "tablet"
    page.context.add_cookies([_session_cookie(live_server.url, day["user"])])
    page.goto("/desk/")
    expect(page.get_by_text("Failed messages (1)")).to_be_visible()
    expect(page.locator(".staff-header .brand-symbol")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Arjun Menon ?: week"))).to_be_visible()
    expect(page.get_by_text("Screening: needs review (pending)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    if timezone.now().astimezone(day["location"].zone).hour < 23:  # the hours run 00:00-23:00 every day
        scroller, now = page.locator("#schedule-scroll").bounding_box(), page.locator(".now-line").bounding_box()
        assert scroller["y"] < now["y"] < scroller["y"] + scroller["height"]  # in view on load, whatever the hour
    save_screenshot(page, "desk-schedule")
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name=re.compile("^Day sheet"))).to_be_visible()
    expect(page.locator("#schedule-scroll")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name=re.compile("^Arjun Menon ?: week")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arjun Menon: week of")
    assert_accessible(page)
    context.close()


def test_the_schedule_shows_an_online_booking_at_its_next_refresh(desktop, live_server, day):
    """The schedule refreshes itself every 30 seconds (static/desk/schedule.js), from the schedule section alone
    (desk/views.py: home): a booking made meanwhile shows, and the rest of the page stays as it was."""
    location, asha = day["location"], day["asha"]
    desktop.clock.install()
    desktop.context.add_cookies([_session_cookie(live_server.url, day["user"])])
    desktop.goto("/desk/")
    expect(desktop.locator("a.grid-appt")).to_have_count(3)
    when = asha.start.astimezone(location.zone)
    when = when.replace(hour=1 if when.hour != 1 else 3)  # today, at an hour nobody is booked
    AppointmentFactory(
        patient=PatientFactory(first_name="Kavya", last_name="Nair"),
        therapist=asha.therapist,
        location=location,
        service=asha.service,
        start=when,
    )
    expect(desktop.get_by_text("Kavya Nair")).to_have_count(0)
    desktop.clock.run_for("00:31")
    expect(desktop.locator("a.grid-appt")).to_have_count(4)
    expect(desktop.locator("a.grid-appt", has_text="Kavya Nair")).to_be_visible()
    expect(desktop.get_by_text("Failed messages (1)")).to_be_visible()
    expect(desktop.locator("header")).to_have_count(1)
    assert_accessible(desktop)


def _session_cookie(url, user, *, second_factor=False):
    """A logged-in session for `user` (the login page itself is walked in the desktop test); with `second_factor`,
    one that has passed it too (therapists and clinic admins owe a code otherwise)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "desk.auth.StaffBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


def test_the_other_desk_pages_pass_axe(desktop, live_server, day):
    """Booking for a caller, hours and time off, and a time off that lists a clashing appointment."""
    page = desktop
    page.context.add_cookies([_session_cookie(live_server.url, day["user"])])
    tomorrow = (timezone.now().astimezone(day["location"].zone) + timedelta(days=1)).date().isoformat()
    asha = day["asha"]
    time_off = TimeOff.objects.create(
        therapist=asha.therapist, start=asha.start, end=asha.start + timedelta(hours=2), reason="Course"
    )

    page.goto(f"/desk/book/?location=indiranagar&service=assessment&therapist=&date={tomorrow}")
    expect(page.get_by_role("heading", name=re.compile("^Free times on"))).to_be_visible()
    save_screenshot(page, "desk-book")
    assert_accessible(page)
    page.locator("a.slot").first.click()
    expect(page.get_by_role("heading", name="Patient details")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Book").click()  # empty: the errors are shown, nothing is booked
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    save_screenshot(page, "desk-book-errors")
    assert_accessible(page)

    for url in ("/desk/hours/", "/desk/hours/add/", f"/desk/patients/{asha.patient_id}/", "/desk/time-off/add/",
                f"/desk/time-off/{time_off.pk}/"):  # fmt: skip
        page.goto(url)
        assert_accessible(page)
    expect(page.get_by_role("heading", name="2 booked appointments inside this time off")).to_be_visible()
    save_screenshot(page, "desk-time-off")


def test_a_therapist_is_warned_that_approving_would_confirm_a_booking_in_their_time_off(desktop, live_server):
    from django.test import Client

    from tests.support.auth import staff_login

    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    needling = ServiceFactory(needling=True, locations=[location])
    arjun = therapist_at(location, [needling], hours=EVERY_DAY, display_name="Arjun Menon")
    intake = IntakeFactory(location=location, needs_review=True, patient__first_name="Vikram")
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    AppointmentFactory(
        patient=intake.patient, intake=intake, therapist=arjun, location=location, service=needling, start=start,
        status=Appointment.Status.PENDING_REVIEW,
    )  # fmt: skip
    TimeOff.objects.create(therapist=arjun, start=start - timedelta(hours=1), end=start + timedelta(hours=3))
    client = Client()
    staff_login(client, arjun.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    desktop.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    desktop.goto(f"/intake/review/{intake.pk}/")
    expect(desktop.get_by_text("It falls in Arjun Menon's time off.")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Move it first").click()
    expect(desktop).to_have_url(re.compile(r"/desk/appointments/\d+/reschedule/"))
