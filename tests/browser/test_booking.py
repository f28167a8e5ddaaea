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
from tests.browser.conftest import save_screenshot
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
    save_screenshot(page, "booking-week")
    assert_accessible(page)
    # Three days ahead: beyond the 24-hour cut-off, so the patient may still change it online.
    slot = page.locator("section.day").nth(3).locator("a.slot").first
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
    assert "IST, Asia/Kolkata time" in phone.locator("main").inner_text()
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


def test_the_slot_picker_changes_week_with_the_keyboard(phone, live_server, clinic):
    phone.goto("/book/?service=dry-needling&location=indiranagar&therapist=any")
    first_week = phone.locator("#week h3").first.inner_text()
    later = phone.get_by_role("link", name="Later week")
    later.focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("#week h3").first).not_to_have_text(first_week)
    assert "week=" in phone.url  # the script kept the address in step, so a reload shows the same week
    assert phone.locator("a.slot").count() > 0
    assert_accessible(phone)
