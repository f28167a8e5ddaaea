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


def test_a_cleared_patient_books_then_reschedules_and_cancels_by_the_emailed_link(phone, live_server, clinic):
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
    save_screenshot(phone, "booking-booked")
    assert_accessible(phone)
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED

    outbox.deliver_due()
    link = re.search(r"https?://[^/]+(/book/manage/[^\s/]+/)", mail.outbox[-1].body).group(1)
    phone.goto(link)
    phone.get_by_role("link", name="Change the time").click()
    phone.get_by_role("heading", name="Change the time").wait_for()
    assert_accessible(phone)
    phone.locator("section.day").nth(4).locator("button.slot").first.click()  # still before the cut-off
    phone.get_by_role("heading", name="Your appointment has moved").wait_for()
    moved = Appointment.objects.get()
    assert moved.pk == appointment.pk
    assert moved.start != appointment.start

    phone.get_by_label("Reason (optional)").fill("Feeling better")
    phone.get_by_role("button", name="Cancel this appointment").click()
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


def test_a_needs_review_patient_ends_pending(phone, live_server, clinic):
    sign_in_with_intake(phone, live_server, IntakeFactory(needs_review=True, location=clinic))

    choose_a_time(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name="Request this time").click()

    phone.get_by_role("heading", name="We are holding this time for you").wait_for()
    save_screenshot(phone, "booking-pending")
    assert_accessible(phone)
    assert Appointment.objects.get().status == Appointment.Status.PENDING_REVIEW


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
