"""The new patient's whole journey on a phone, in one test: home -> a guide -> the screening (with the browser's
Back mid-way, answers kept) -> cleared -> booking with the date strip -> the confirm page (price, therapist, policy)
-> the e-mailed manage link on the live server's own, non-default port -> move with its confirm step -> cancel with
its confirm step. Every page passes axe (WCAG 2.2 AA, target size) and is saved as a screenshot per step
(var/screenshots/journey-*.png), which we look at."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from booking.models import Appointment
from clinic.core import outbox
from intake.models import Intake
from tests.booking.factories import ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.browser.test_intake import _health
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_DAY = tuple((day, 8, 20) for day in range(7))


@pytest.fixture
def clinic():
    call_command("load_content", verbosity=0)
    location = LocationFactory(
        slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata", phone="+91 80 4567 8900"
    )
    needling = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15, price=2500)
    therapist_at(
        location,
        [needling],
        hours=EVERY_DAY,
        display_name="Arjun Menon",
        qualifications="MPT (Sports), certified in dry needling",
    )
    return location


def step(page, number: int, name: str) -> None:
    """Each page of the journey: no axe violation, and a screenshot to look at."""
    assert_accessible(page)
    save_screenshot(page, f"journey-{number:02}-{name}")


def emailed_link(live_server) -> str:
    outbox.deliver_due()
    return re.search(r"(https?://\S+/book/manage/[^\s/]+/)", mail.outbox[-1].body)[1]


def test_a_new_patient_on_a_phone_learns_screens_books_moves_and_cancels(phone, live_server, clinic, settings):
    settings.SITE_URL = live_server.url  # as `make run` derives it from PORT
    port = urlparse(live_server.url).port
    assert port not in (None, 80, 443, 8000)  # the links must follow the server's own port, not a default one

    phone.goto("/")
    step(phone, 1, "home")
    phone.locator("main").get_by_role("link", name="Read how dry needling works").click()
    phone.get_by_role("heading", level=1).wait_for()
    assert phone.url.endswith("/learn/what-is-dry-needling/")
    step(phone, 2, "learn")

    phone.locator("main").get_by_role("link", name="Am I suitable?").click()
    phone.get_by_text("Step 1 of 4: About you").wait_for()
    step(phone, 3, "screening-about")
    phone.get_by_label(clinic.name).check()
    phone.get_by_label("First name").fill("Asha")
    phone.get_by_label("Last name").fill("Rao")
    phone.get_by_label("E-mail address").fill("asha@example.com")
    phone.get_by_label("Phone number").fill("098765 43210")
    phone.get_by_label("Date of birth").fill("1985-03-27")
    phone.get_by_role("button", name="Continue").click()

    phone.get_by_text("Step 2 of 4").wait_for()
    phone.get_by_label("Neck", exact=True).check()
    phone.get_by_role("group", name="On which side of your body?").get_by_label("Right", exact=True).check()
    phone.get_by_label("What brings you to us?").fill("Stiff neck after long days at a desk")
    phone.get_by_label("Dry needling session").check()
    step(phone, 4, "screening-where")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_text("Step 3 of 4").wait_for()

    posts = []
    phone.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    phone.go_back()  # the browser's Back, mid-way: the step as answered, and no form posted again
    phone.get_by_text("Step 2 of 4").wait_for()
    step(phone, 5, "screening-back")
    assert phone.get_by_label("Neck", exact=True).is_checked()
    assert phone.get_by_label("What brings you to us?").input_value() == "Stiff neck after long days at a desk"
    assert posts == []
    phone.get_by_role("button", name="Continue").click()

    phone.get_by_text("Step 3 of 4").wait_for()
    _health(phone, {})
    step(phone, 6, "screening-health")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_text("Step 4 of 4").wait_for()
    phone.get_by_label("Type your full name").fill("Asha Rao")
    phone.get_by_label("I have read this information").check()
    step(phone, 7, "screening-consent")
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You can book dry needling")
    step(phone, 8, "cleared")
    assert Intake.objects.get().outcome == Intake.Outcome.CLEARED
    phone.get_by_role("link", name="Continue to booking").click()

    # The service and clinic chosen in the screening are chosen; the area to treat came along in the session.
    phone.get_by_role("heading", name="Choose a therapist").wait_for()
    assert "Neck (right side)" in phone.locator("main").inner_text()
    assert "neck" not in phone.url.lower()
    step(phone, 9, "booking-therapist")
    phone.get_by_role("link", name=re.compile("Arjun Menon")).click()

    phone.get_by_role("heading", name="Choose a time").wait_for()
    step(phone, 10, "booking-date-strip")
    phone.locator("a.date-strip-day").nth(3).click()  # beyond the 24-hour cut-off, so it can be changed online
    expect(phone.locator("a.date-strip-day").nth(3)).to_have_attribute("aria-current", "date")
    step(phone, 11, "booking-day")
    chosen = phone.locator(".day-times a.slot").first
    chosen_time = chosen.inner_text()
    chosen.click()

    phone.get_by_role("heading", name="Confirm your booking").wait_for()
    main = phone.locator("main").inner_text()
    assert "₹2,500" in main  # the price at this clinic, in its currency
    assert "Your therapist: Arjun Menon" in main
    assert "MPT (Sports), certified in dry needling" in main
    assert "Cancellation policy" in main
    assert "up to 24 hours before your appointment" in main
    assert phone.get_by_label("First name").input_value() == "Asha"  # from the screening
    step(phone, 12, "booking-confirm")
    phone.get_by_role("button", name="Book this time").click()

    phone.get_by_role("heading", name="You’re booked").wait_for()
    assert chosen_time in phone.locator("main").inner_text()
    step(phone, 13, "booked")
    booked = Appointment.objects.get()
    assert (booked.status, booked.therapist.display_name) == (Appointment.Status.CONFIRMED, "Arjun Menon")

    link = emailed_link(live_server)
    assert urlparse(link).port == port
    phone.goto(link)
    phone.get_by_role("heading", name="Your appointment").wait_for()
    step(phone, 14, "manage")
    phone.get_by_role("link", name="Change the time").click()
    phone.get_by_role("heading", name="Change the time").wait_for()
    step(phone, 15, "move-choose")
    phone.locator("section.day").nth(4).locator("a.slot").first.click()
    phone.get_by_role("heading", name="Move your appointment?").wait_for()
    step(phone, 16, "move-confirm")
    assert Appointment.objects.get().start == booked.start  # choosing moved nothing
    phone.get_by_role("button", name="Move my appointment").click()
    phone.get_by_role("heading", name="Your appointment has moved").wait_for()
    step(phone, 17, "moved")
    assert Appointment.objects.get().start != booked.start

    moved_link = emailed_link(live_server)  # the "moved" e-mail's link, on the same port
    assert urlparse(moved_link).port == port
    phone.goto(moved_link)
    phone.get_by_role("link", name="Cancel this appointment").click()
    phone.get_by_role("heading", name="Cancel your appointment?").wait_for()
    step(phone, 18, "cancel-confirm")
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED  # looking cancelled nothing
    phone.get_by_role("button", name="Yes, cancel it").click()
    phone.get_by_role("heading", name="Your appointment is cancelled").wait_for()
    step(phone, 19, "cancelled")
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
