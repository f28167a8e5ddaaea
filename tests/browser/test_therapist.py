"""A therapist in Chromium, on a desktop and a tablet: lands on their day after signing in, reads why a patient's
screening was flagged and the precautions, checks the patient in from the day, filters the review queue by clinic,
is warned that approving would confirm a booking on a closure (with the way to move it), and finds their calendar
feed link. Zero axe violations (WCAG 2.2 AA, target size included) on each page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Appointment, Closure
from tests.booking.factories import AppointmentFactory, IntakeFactory, ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.factories import LocationFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_DAY = tuple((day, 0, 23) for day in range(7))
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}
# 10:00 on a Monday at the clinic, so "in half an hour" is the same day there whenever the suite runs.
MORNING = datetime(2030, 6, 17, 4, 30, tzinfo=UTC)
RESULTS = [{"rule": "diabetes", "disposition": "needs_review", "reasons": ["Diabetes"], "questions": ["diabetes"]}]


@pytest.mark.parametrize("viewport", ["desktop", "tablet"])
@time_machine.travel(MORNING, tick=True)
def test_a_therapists_day_review_queue_and_calendar_link(browser, live_server, viewport):
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    LocationFactory(slug="whitefield", name="Bangalore – Whitefield", time_zone="Asia/Kolkata")
    needling = ServiceFactory(needling=True, locations=[location])
    arjun = therapist_at(location, [needling], hours=EVERY_DAY, display_name="Arjun Menon")
    now = timezone.now()
    cleared = IntakeFactory(location=location, needs_review=True, results=RESULTS, review_status="approved",
                            precautions="Avoid the left calf", patient__first_name="Asha")  # fmt: skip
    AppointmentFactory(patient=cleared.patient, intake=cleared, therapist=arjun, location=location,
                       service=needling, start=now + timedelta(minutes=30))  # fmt: skip
    held = IntakeFactory(location=location, needs_review=True, results=RESULTS, patient__first_name="Vikram")
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    AppointmentFactory(patient=held.patient, intake=held, therapist=arjun, location=location, service=needling,
                       start=start, status=Appointment.Status.PENDING_REVIEW)  # fmt: skip
    closed = start.astimezone(location.zone).date()
    Closure.objects.create(location=location, first_day=closed, last_day=closed, reason="Founders' day")
    client = Client()
    staff_login(client, arjun.user)
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport], has_touch=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.viewport_name = viewport

    page.goto("/desk/start/")
    expect(page).to_have_url(re.compile(r"/desk/my-day/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("My day")
    expect(page.get_by_text("Needs review: Diabetes")).to_be_visible()
    expect(page.get_by_text("Avoid the left calf")).to_be_visible()
    save_screenshot(page, "therapist-my-day")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Check in Asha")).click()
    expect(page.get_by_text(re.compile("Checked in: Asha"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/desk/my-day/"))
    assert_accessible(page)

    page.goto("/intake/review/")
    expect(page.get_by_role("cell", name=re.compile("Founders|, 2\\d|Arjun Menon")).first).to_be_visible()
    page.get_by_label("Clinic", exact=True).select_option(label="Bangalore – Whitefield")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Nothing is waiting for review at Bangalore – Whitefield.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Clinic", exact=True).select_option(label="Bangalore – Indiranagar")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Needs review: Diabetes")).to_be_visible()
    save_screenshot(page, "therapist-review-queue")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Vikram")).click()
    expect(page.get_by_text(re.compile("is closed that day \\(Founders' day\\)"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Move it first").click()
    expect(page).to_have_url(re.compile(r"/desk/appointments/\d+/reschedule/"))

    page.goto("/desk/calendar/")
    expect(page.get_by_label("Calendar link")).to_have_value(re.compile(r"/desk/calendar/feed/.+\.ics$"))
    old = page.get_by_label("Calendar link").input_value()
    assert_accessible(page)
    page.get_by_role("button", name="Replace the link").click()
    expect(page.get_by_text(re.compile("The calendar link was replaced"))).to_be_visible()
    assert page.get_by_label("Calendar link").input_value() != old
    save_screenshot(page, "therapist-calendar-link")
    assert_accessible(page)
    context.close()
