"""The desk's patient operations in Chromium on a desktop and a tablet (issue 13): send the screening link (twice:
the second click sends nothing more), move an appointment to another therapist's free time and to a typed time
outside hours with the override, book a typed time outside hours, and a clinic admin merging a duplicate record.
Zero axe violations (WCAG 2.2 AA, target size included) on each page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Appointment
from intake.models import Patient
from tests.browser.axe import assert_accessible
from tests.browser.conftest import VIEWPORTS, save_screenshot
from tests.browser.test_desk import _session_cookie, day  # noqa: F401  (the desk's day: fixture)
from tests.factories import clinic_admin_user
from tests.intake.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


@pytest.fixture(params=["desktop", "tablet"])
def desk_page(request, browser, live_server):
    settings = VIEWPORTS["desktop"] if request.param == "desktop" else TABLET
    context = browser.new_context(base_url=live_server.url, **settings)
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def test_the_desk_sends_the_link_and_moves_anywhere(desk_page, live_server, day):  # noqa: F811
    page = desk_page
    page.context.add_cookies([_session_cookie(live_server.url, day["user"])])
    asha = day["asha"]
    tomorrow = (timezone.now().astimezone(day["location"].zone) + timedelta(days=1)).date().isoformat()

    page.goto(f"/desk/patients/{asha.patient_id}/")
    page.get_by_role("button", name="Send the screening link").click()
    expect(page.get_by_text("The screening link is on its way to Asha Rao by e-mail and SMS.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the screening link").click()  # a second click: nothing more is sent
    expect(page.get_by_text(re.compile("already went to Asha Rao by e-mail"))).to_be_visible()

    page.goto(f"/desk/appointments/{asha.pk}/reschedule/?date={tomorrow}")
    expect(page.get_by_role("heading", name="Meera Iyer")).to_be_visible()
    save_screenshot(page, "desk-move")
    assert_accessible(page)
    page.get_by_role("button", name="10:00 with Meera Iyer").click()
    expect(page.get_by_text(re.compile("Moved to .* 10:00 IST with Meera Iyer: Asha Rao"))).to_be_visible()

    page.goto(f"/desk/appointments/{asha.pk}/reschedule/?date={tomorrow}")
    page.get_by_label("Time (Asia/Kolkata)").fill("23:15")
    page.get_by_role("button", name="Move to this time").click()  # outside hours, no override: refused
    expect(page.get_by_text(re.compile("That time is outside the therapist"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Time (Asia/Kolkata)").fill("23:15")
    page.get_by_label("Outside working hours, time off or a closure").check()
    page.get_by_label("Reason").fill("Only free after her late shift")
    page.get_by_role("button", name="Move to this time").click()
    expect(page.get_by_text(re.compile("Moved to .* 23:15 IST"))).to_be_visible()
    asha.refresh_from_db()
    assert asha.local_start.strftime("%H:%M") == "23:15"

    page.goto(f"/desk/book/?location=indiranagar&service=assessment&therapist=&date={tomorrow}")
    page.get_by_label("Time (Asia/Kolkata)").fill("23:30")
    page.get_by_role("button", name="Use this time").click()
    expect(page.get_by_label("Outside working hours, time off or a closure")).to_be_visible()
    assert_accessible(page)


def test_a_clinic_admin_merges_a_duplicate(desk_page, live_server, day):  # noqa: F811
    page = desk_page
    page.context.add_cookies([_session_cookie(live_server.url, clinic_admin_user(), second_factor=True)])
    asha = day["asha"].patient
    duplicate = PatientFactory(first_name="Asha", last_name="Rao", email="asha.typo@example.com")
    Appointment.objects.filter(pk=day["asha"].pk).update(patient=duplicate)  # the visit was booked on the typo

    page.goto(f"/desk/patients/{asha.pk}/")
    page.get_by_role("link", name="Merge a duplicate").click()
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name="Compare with Asha Rao").click()
    expect(page.get_by_role("heading", name="Merge two records of one person")).to_be_visible()
    save_screenshot(page, "desk-merge")
    assert_accessible(page)
    page.get_by_role(
        "button", name=f"Merge record #{duplicate.pk} into #{asha.pk}"
    ).click()  # not confirmed: nothing happens
    expect(page.get_by_text("Tick the box to confirm these are the same person.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("I have checked that these two records are the same person").check()
    page.get_by_role("button", name=f"Merge record #{duplicate.pk} into #{asha.pk}").click()
    expect(page.get_by_text("Merged: Asha Rao's record is now part of Asha Rao's.")).to_be_visible()
    assert not Patient.objects.filter(pk=duplicate.pk).exists()
    assert Appointment.objects.get(pk=day["asha"].pk).patient_id == asha.pk
