"""Booking in Chromium on a phone: a cleared patient books, then reschedules and cancels through the e-mailed link;
a needs-review patient ends pending. Every page passes axe (WCAG 2.2 AA, target size included)."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from playwright.sync_api import expect

from booking.models import Appointment
from clinic.core import outbox
from intake.selectors import SESSION_KEY
from tests.booking.factories import IntakeFactory, ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import VIEWPORTS, save_screenshot
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_DAY = tuple((day, 0, 23) for day in range(7))


@pytest.fixture
def clinic():
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    service = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15)
    therapist_at(location, [service], hours=EVERY_DAY, display_name="Arjun Menon")
    return location


def sign_in_with_intake(page, live_server, intake):
    """The browser session that completed the questionnaire (the intake app's part, not under test here)."""
    session = SessionStore()
    session[SESSION_KEY] = intake.pk
    session.create()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def choose_a_time(page):
    page.goto("/book/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Dry needling session")).click()
    page.get_by_role("link", name=re.compile("Bangalore – Indiranagar")).click()
    page.get_by_role("link", name=re.compile("Any therapist")).click()
    page.get_by_role("heading", name="Choose a time").wait_for()
    save_screenshot(page, "booking-times")
    assert_accessible(page)
    # Three days ahead: beyond the 24-hour cut-off, so the patient may still change it online.
    page.locator("a.date-strip-day").nth(3).click()
    page.wait_for_url(re.compile(r"day=\d{4}-\d\d-\d\d"))
    expect(page.locator("a.date-strip-day").nth(3)).to_have_attribute("aria-current", "date")
    slot = page.locator(".day-times a.slot").first
    box = slot.bounding_box()
    assert box["width"] >= 44
    assert box["height"] >= 44
    time_text = slot.inner_text()
    slot.click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    return time_text


def emailed_link(live_server) -> str:
    """The manage link of the newest e-mail: whole, as the patient's mail program opens it."""
    outbox.deliver_due()
    link = re.search(r"(https?://[^\s]+/book/manage/[^\s/]+/)", mail.outbox[-1].body).group(1)
    assert link.startswith(live_server.url + "/")  # the port the server listens on, not a default one
    return link


def test_a_cleared_patient_books_then_reschedules_and_cancels_by_the_emailed_link(
    phone, live_server, clinic, settings
):
    settings.SITE_URL = live_server.url  # as `make run` derives it from PORT
    intake = IntakeFactory(location=clinic, patient__first_name="Asha", patient__email="asha@example.com")
    sign_in_with_intake(phone, live_server, intake)

    chosen = choose_a_time(phone)
    assert phone.get_by_label("First name").input_value() == "Asha"  # prefilled from the intake
    save_screenshot(phone, "booking-confirm")
    assert_accessible(phone)
    phone.get_by_role("button", name="Book this time").click()

    phone.get_by_role("heading", name="You’re booked").wait_for()
    assert chosen in phone.locator("main").inner_text()
    assert "(India time)" in phone.locator("main").inner_text()
    assert phone.get_by_role("heading", name="Before you come").is_visible()
    save_screenshot(phone, "booking-booked")
    assert_accessible(phone)
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED

    link = emailed_link(live_server)
    phone.goto(link)
    phone.get_by_role("link", name="Change the time").click()
    phone.get_by_role("heading", name="Change the time").wait_for()
    save_screenshot(phone, "manage-reschedule-choose")
    assert_accessible(phone)
    new_time = phone.locator("section.day").nth(4).locator("a.slot").first  # still before the cut-off
    new_time.click()
    phone.get_by_role("heading", name="Move your appointment?").wait_for()
    save_screenshot(phone, "manage-reschedule-confirm")
    assert_accessible(phone)
    assert Appointment.objects.get().start == appointment.start  # nothing moved by choosing
    phone.get_by_role("button", name="Move my appointment").click()
    phone.get_by_role("heading", name="Your appointment has moved").wait_for()
    moved = Appointment.objects.get()
    assert moved.pk == appointment.pk
    assert moved.start != appointment.start

    moved_link = emailed_link(live_server)  # the "moved" message's link, on the same port
    phone.goto(moved_link)
    phone.get_by_role("link", name="Cancel this appointment").click()
    phone.get_by_role("heading", name="Cancel your appointment?").wait_for()
    save_screenshot(phone, "manage-cancel-confirm")
    assert_accessible(phone)
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED  # nothing cancelled by looking
    phone.get_by_label("Reason (optional)").fill("Feeling better")
    phone.get_by_role("button", name="Yes, cancel it").click()
    phone.get_by_role("heading", name="Your appointment is cancelled").wait_for()
    save_screenshot(phone, "booking-cancelled")
    assert_accessible(phone)
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED

    # The link of the first e-mail was replaced by the move: it says so, and shows nothing of the booking.
    phone.goto(link)
    phone.get_by_role("heading", name="This link was replaced").wait_for()
    assert "Asha" not in phone.locator("main").inner_text()
    assert chosen not in phone.locator("main").inner_text()
    save_screenshot(phone, "booking-link-replaced")
    assert_accessible(phone)


def test_a_needs_review_patient_is_held_and_gets_the_holding_email_with_a_tentative_calendar_entry(
    phone, live_server, clinic, settings
):
    settings.SITE_URL = live_server.url
    sign_in_with_intake(phone, live_server, IntakeFactory(needs_review=True, location=clinic))

    choose_a_time(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name="Request this time").click()

    phone.get_by_role("heading", name="We are holding this time for you").wait_for()
    save_screenshot(phone, "booking-pending")
    assert_accessible(phone)
    assert Appointment.objects.get().status == Appointment.Status.PENDING_REVIEW
    link = emailed_link(live_server)
    (email,) = mail.outbox
    assert email.subject.startswith("Held for you: Dry needling session")
    assert "A therapist will confirm it" in email.body
    ((_, ics, _),) = email.attachments
    assert "STATUS:TENTATIVE" in (ics.decode() if isinstance(ics, bytes) else ics)
    phone.goto(link)
    phone.get_by_role("heading", name="We are holding this time for you").wait_for()
    assert "STATUS:TENTATIVE" in phone.request.get(link + "calendar.ics").text()


def test_a_not_suitable_patient_is_offered_only_services_without_needles(phone, live_server, clinic):
    ServiceFactory(name="Initial assessment", slug="assessment", locations=[clinic])
    sign_in_with_intake(phone, live_server, IntakeFactory(not_suitable=True, location=clinic))

    phone.goto("/book/")

    services = phone.locator("ul.choice-list a.choice")
    expect(services).to_have_count(1)
    assert "Initial assessment" in services.first.inner_text()
    note = phone.get_by_role("note")
    assert "Dry needling is not listed" in note.inner_text()
    assert "+91" in note.inner_text()
    save_screenshot(phone, "booking-not-suitable-services")
    assert_accessible(phone)


@pytest.fixture
def office_hours():
    """A clinic open 09:00-13:00 and 14:00-18:00 on weekdays, like the demo: 28 times a day for one therapist."""
    location = LocationFactory(slug="hyderabad", name="Hyderabad – Banjara Hills", time_zone="Asia/Kolkata")
    service = ServiceFactory(
        slug="assessment", name="Initial assessment", locations=[location], buffer_after_minutes=15
    )
    hours = tuple((day, 9, 13) for day in range(5)) + tuple((day, 14, 18) for day in range(5))
    therapist_at(location, [service], hours=hours, display_name="Priya Raman")
    return location


TIMES = "/book/?service=assessment&location=hyderabad&therapist=any"


def test_the_time_picker_shows_a_day_within_one_phone_screen(phone, office_hours):
    phone.goto(TIMES)
    days = phone.locator("a.date-strip-day")
    expect(days).to_have_count(14)
    busiest = next(n for n in range(14) if "28 free times" in days.nth(n).text_content())
    days.nth(busiest).click()
    phone.wait_for_url(re.compile(r"day=\d{4}-\d\d-\d\d"))  # the day is in place (the address follows it)
    expect(days.nth(busiest)).to_have_attribute("aria-current", "date")
    expect(phone.locator(".date-strip-nav")).to_be_visible()

    parts = phone.locator(".day-times h3").all_inner_texts()
    strip_top = phone.locator(".date-strip-nav").bounding_box()["y"]
    times = phone.locator(".day-times").bounding_box()
    save_screenshot(phone, "booking-date-strip")
    assert [part.lower() for part in parts] == ["morning", "afternoon", "evening"]  # 17:00 and 17:15 are evening
    assert phone.locator(".day-times a.slot").count() == 28
    # The strip and the whole day's times together fit the 844 px screen of a phone.
    assert times["y"] + times["height"] - strip_top <= 844, (strip_top, times)
    for slot in phone.locator(".day-times a.slot").all()[:3]:
        box = slot.bounding_box()
        assert box["width"] >= 44
        assert box["height"] >= 44
    assert_accessible(phone)


def test_the_first_free_time_is_one_tap_from_the_picker(phone, office_hours):
    phone.goto(TIMES)
    first = phone.locator(".first-free strong").inner_text()

    phone.get_by_role("link", name="Book the first free time").click()

    phone.get_by_role("heading", name="Confirm your booking").wait_for()
    assert first in phone.locator("main").inner_text()


def test_the_time_picker_works_by_keyboard(phone, office_hours):
    phone.goto(TIMES)
    chosen = phone.locator('a.date-strip-day[aria-current="date"]')
    before = phone.locator("#day-title").inner_text()
    next_day = phone.locator('a.date-strip-day[aria-current="date"] >> xpath=../following-sibling::li[1]/a')
    next_day.focus()
    phone.keyboard.press("Enter")

    expect(phone.locator("#day-title")).not_to_have_text(before)
    expect(phone.locator("#day-title")).to_be_focused()  # the script put the keyboard on the day's times
    assert "day=" in phone.url  # and kept the address in step, so Back and reload show the same day
    expect(chosen).to_have_count(1)
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")  # past "Times are India time." to the first time of the day
    focused = phone.evaluate("document.activeElement.className")
    assert "slot" in focused
    phone.keyboard.press("Enter")
    phone.get_by_role("heading", name="Confirm your booking").wait_for()


def test_the_time_picker_works_without_javascript(browser, live_server, office_hours):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(TIMES)
    page.get_by_role("link", name="Later days").click()
    page.locator("a.date-strip-day").nth(3).click()

    assert "day=" in page.url
    page.locator(".day-times a.slot").first.click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    context.close()


def test_the_confirm_page_shows_price_therapist_and_policy_and_focuses_its_errors(phone, live_server, office_hours):
    intake = IntakeFactory(location=office_hours, patient__first_name="Asha")
    sign_in_with_intake(phone, live_server, intake)
    phone.goto("/book/?service=assessment&location=hyderabad")
    phone.get_by_role("link", name=re.compile("Priya Raman")).click()
    phone.locator(".day-times a.slot").first.click()
    phone.get_by_role("heading", name="Confirm your booking").wait_for()

    main = phone.locator("main").inner_text()
    assert "₹2,500" in main  # the factory's price, in the clinic's currency
    assert "Your therapist: Priya Raman" in main
    assert "Cancellation policy" in main
    assert "For example 081234 56789." in main
    assert "Step 5 of 5" in main
    save_screenshot(phone, "booking-confirm-details")
    assert_accessible(phone)

    phone.get_by_label("E-mail address").fill("not an address")
    phone.get_by_role("button", name="Book this time").click()

    phone.get_by_role("heading", name="Please check one answer").wait_for()
    expect(phone.locator("#error-summary")).to_be_focused()
    assert phone.get_by_label("First name").input_value() == "Asha"  # kept
    save_screenshot(phone, "booking-confirm-errors")
    assert_accessible(phone)
    phone.get_by_role("link", name=re.compile("E-mail address:")).click()
    expect(phone.get_by_label("E-mail address")).to_be_focused()


def test_a_therapist_profile_page(phone, office_hours):
    phone.goto("/book/?service=assessment&location=hyderabad")
    phone.get_by_role("link", name=re.compile("About our therapists")).click()
    phone.get_by_role("link", name=re.compile("Priya Raman")).click()

    phone.get_by_role("heading", name="Priya Raman", level=1).wait_for()
    assert phone.title() == "Priya Raman · Our therapists · Needle & Move"
    save_screenshot(phone, "therapist-profile")
    assert_accessible(phone)
