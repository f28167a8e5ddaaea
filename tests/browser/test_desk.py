"""The front desk in Chromium on a desktop: log in, open today's schedule, check a patient in from it, open the
appointment with its messages. Zero axe violations (WCAG 2.2 AA, target size included) on the schedule and the
appointment page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Appointment, TimeOff
from booking.services import KIND_CONFIRMATION
from clinic.core.models import AuditEvent, OutboundMessage, StaffProfile
from clinic.core.services import message_queue
from tests.booking.factories import AppointmentFactory, IntakeFactory, ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.factories import LocationFactory, front_desk_user

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


def test_the_front_desk_checks_a_patient_in_on_a_desktop(desktop, day):
    page = desktop
    page.goto("/accounts/login/?next=/desk/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Bangalore – Indiranagar")
    expect(page.get_by_role("heading", level=1)).to_contain_text("(today)")
    expect(page.get_by_text("Failed messages (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Arjun Menon")).to_be_visible()
    expect(page.get_by_role("heading", name="Meera Iyer")).to_be_visible()
    expect(page.get_by_text("Screening: needs review (pending)")).to_be_visible()
    save_screenshot(page, "desk-schedule")
    assert_accessible(page)

    page.get_by_role("button", name="Check in Asha Rao").click()

    expect(page.get_by_text("Checked in: Asha Rao.")).to_be_visible()
    asha = day["asha"]
    asha.refresh_from_db()
    assert asha.status == Appointment.Status.CHECKED_IN
    assert AuditEvent.objects.get(action=AuditEvent.Action.APPOINTMENT_CHANGE).actor == day["user"]
    expect(page.get_by_role("button", name="Finish Asha Rao")).to_be_visible()
    save_screenshot(page, "desk-checked-in")
    assert_accessible(page)

    page.get_by_role("link", name="Asha Rao").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asha Rao")
    expect(page.get_by_role("row", name=re.compile("Booking confirmation"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Send again"))).to_be_visible()
    expect(page.get_by_role("button", name="Finish")).to_be_visible()
    save_screenshot(page, "desk-appointment")
    assert_accessible(page)


def test_the_schedule_works_on_a_phone(phone, live_server, day):
    phone.context.add_cookies([_session_cookie(live_server.url, day["user"])])
    phone.goto("/desk/")

    expect(phone.get_by_role("heading", name="Arjun Menon")).to_be_visible()
    check_in = phone.get_by_role("button", name="Check in Asha Rao")
    box = check_in.bounding_box()
    assert box["height"] >= 44
    assert box["x"] + box["width"] <= 390
    save_screenshot(phone, "desk-schedule")
    assert_accessible(phone)


def _session_cookie(url, user):
    """A logged-in session for `user` (the login page itself is walked in the desktop test)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
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
