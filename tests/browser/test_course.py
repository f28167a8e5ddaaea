"""A course of treatment in Chromium: the desk books a six-week course from the first session (the dates checked
first, across the London clock change), and the patient moves week 4 by that session's link in the confirmation
e-mail. Zero axe violations (WCAG 2.2 AA, target size included) on each page."""

import re

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from booking.models import Appointment, Course
from clinic.core import outbox
from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.browser.test_desk import _session_cookie
from tests.desk.test_desk import desk_user
from tests.support.courses import NOW, anchor_of

pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(NOW, tick=True)
def test_the_desk_books_a_six_week_course_and_the_patient_moves_week_four(
    browser, desktop, phone, live_server, london, settings
):
    settings.SITE_URL = live_server.url
    anchor = anchor_of(london)
    desktop.context.add_cookies([_session_cookie(live_server.url, desk_user(london["location"]))])

    desktop.goto(f"/desk/appointments/{anchor.pk}/")
    desktop.get_by_role("link", name="Book a course of sessions").click()
    expect(desktop.get_by_role("heading", name=re.compile("^Course of treatment for"))).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_label("Every").fill("1")
    desktop.get_by_label("Weeks or days").select_option("weeks")
    desktop.get_by_label("More sessions").fill("5")
    desktop.get_by_role("button", name="Check the dates").click()
    expect(desktop.get_by_text("Tuesday 1 April 2025, 10:00 (UK time)")).to_be_visible()  # BST, same local time
    save_screenshot(desktop, "desk-course-plan")
    assert_accessible(desktop)
    assert not Course.objects.exists()  # nothing booked by looking
    desktop.get_by_role("button", name="Book 5 sessions").click()
    expect(desktop.get_by_text(re.compile("Booked a course of 6 sessions"))).to_be_visible()
    assert_accessible(desktop)
    course = Course.objects.get()
    assert course.sessions.count() == 6

    outbox.deliver_due()
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Booked: 6 sessions"))
    links = re.findall(r"(https?://[^\s]+/book/manage/[^\s/]+/)", confirmation.body)
    assert len(links) == 6
    week_four = course.sessions.order_by("start")[3]
    others = dict(course.sessions.exclude(pk=week_four.pk).values_list("pk", "start"))

    phone.goto(links[3])
    expect(phone.get_by_text("Tuesday 1 April 2025").first).to_be_visible()
    phone.get_by_role("link", name="Cancel this appointment").click()
    expect(phone.get_by_text("This one and the 2 later sessions")).to_be_visible()
    save_screenshot(phone, "manage-course-cancel-choice")
    assert_accessible(phone)
    phone.get_by_role("link", name="Keep my appointment").click()
    phone.get_by_role("link", name="Change the time").click()
    phone.get_by_role("heading", name="Change the time").wait_for()
    assert_accessible(phone)
    phone.locator("section.day").nth(1).locator("a.slot").first.click()
    phone.get_by_role("heading", name="Move your appointment?").wait_for()
    assert_accessible(phone)
    phone.get_by_role("button", name="Move my appointment").click()
    phone.get_by_role("heading", name="Your appointment has moved").wait_for()
    assert_accessible(phone)

    moved = Appointment.objects.get(pk=week_four.pk)
    assert moved.start != week_four.start
    assert moved.course_id == course.pk
    assert dict(course.sessions.exclude(pk=week_four.pk).values_list("pk", "start")) == others  # only week 4 moved
