"""The waiting list in Chromium on a phone: a cleared patient finds no time that suits and joins the list from the
week page; another patient cancels through their e-mailed link; the first gets an e-mail with a claim link, opens it
and books the freed time. Every page passes axe (WCAG 2.2 AA, target size included)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from booking import services
from booking.models import Appointment, WaitlistWish
from clinic.core import outbox
from clinic.core.models import StaffProfile
from tests.booking.factories import IntakeFactory, ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import VIEWPORTS, save_screenshot
from tests.browser.test_booking import EVERY_DAY, sign_in_with_intake
from tests.browser.test_desk import _session_cookie
from tests.factories import LocationFactory, front_desk_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    service = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15)
    therapist_at(location, [service], hours=EVERY_DAY, display_name="Arjun Menon")
    return location


def link_in_newest_mail(to: str, path: str) -> str:
    outbox.deliver_due()
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return re.search(rf"(https?://[^\s]+{path}[^\s/]+/)", message.body).group(1)


def test_a_patient_joins_the_list_another_cancels_and_the_first_claims_by_link(
    phone,
    live_server,
    clinic,
    settings,
):
    settings.SITE_URL = live_server.url
    service = clinic.services.get()
    # Bala holds Monday-week's 10:00; Asha would like a morning that week.
    day = timezone.now().astimezone(clinic.zone).date() + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=clinic.zone)
    bala = IntakeFactory(location=clinic, patient__first_name="Bala", patient__email="bala@example.com")
    taken = services.appointment_book(
        patient=bala.patient, service=service, location=clinic, therapist=None, start=start, intake=bala
    )
    bala_link = link_in_newest_mail("bala@example.com", "/book/manage/")
    asha = IntakeFactory(location=clinic, patient__first_name="Asha", patient__email="asha@example.com")
    sign_in_with_intake(phone, live_server, asha)

    phone.goto(f"/book/?service={service.slug}&location={clinic.slug}&therapist=any")
    phone.get_by_role("link", name="No time suits? Join the waiting list").click()
    phone.get_by_role("heading", name="Join the waiting list").wait_for()
    assert_accessible(phone)
    phone.get_by_label("Afternoon").uncheck()
    phone.get_by_label("Evening").uncheck()
    phone.get_by_label("Until").fill(f"{day + timedelta(days=7):%Y-%m-%d}")
    save_screenshot(phone, "waitlist-join")
    phone.get_by_role("button", name="Join the waiting list").click()
    phone.get_by_role("heading", name="You are on the waiting list").wait_for()
    assert_accessible(phone)
    wish = WaitlistWish.objects.get()
    assert (wish.patient, wish.parts_of_day) == (asha.patient, 1)

    # Bala cancels through the link in his confirmation, in his own browser.
    other = phone.context.browser.new_context(base_url=live_server.url, **VIEWPORTS["phone"])
    bala_page = other.new_page()
    bala_page.goto(bala_link)
    bala_page.get_by_role("link", name="Cancel this appointment").click()
    bala_page.get_by_role("button", name="Yes, cancel it").click()
    bala_page.get_by_role("heading", name="Your appointment is cancelled").wait_for()
    other.close()

    held = Appointment.objects.get(start=taken.start, status=Appointment.Status.OFFERED)
    assert held.patient == asha.patient
    claim_link = link_in_newest_mail("asha@example.com", "/book/waitlist/offer/")
    token = claim_link.rstrip("/").rsplit("/", 1)[-1]
    assert token.split(":")[0] == held.waitlist_offer.public_id.hex  # the offer's opaque id and its signature only
    phone.goto(claim_link)
    phone.get_by_role("heading", name="A time from the waiting list").wait_for()
    expect(phone.locator("main")).to_contain_text("10:00")
    save_screenshot(phone, "waitlist-offer")
    assert_accessible(phone)
    button = phone.get_by_role("button", name="Book this time")
    box = button.bounding_box()
    assert box["height"] >= 24
    button.click()
    phone.get_by_role("heading", name="You’re booked").wait_for()
    assert_accessible(phone)
    held.refresh_from_db()
    assert held.status == Appointment.Status.CONFIRMED
    wish.refresh_from_db()
    assert wish.status == WaitlistWish.Status.BOOKED


def test_the_desks_waiting_list_pages_pass_axe(desktop, live_server, clinic):
    """The list with a wish waiting and an offer out, a wish's free times to offer by hand, and a caller put on it."""
    service = clinic.services.get()
    day = timezone.now().astimezone(clinic.zone).date() + timedelta(days=3)
    bala = IntakeFactory(location=clinic, patient__first_name="Bala")
    taken = services.appointment_book(
        patient=bala.patient,
        service=service,
        location=clinic,
        therapist=None,
        start=datetime.combine(day, time(10), tzinfo=clinic.zone),
        intake=bala,
    )
    first, second = (IntakeFactory(location=clinic).patient for _ in range(2))
    for n, patient in enumerate((first, second)):
        WaitlistWish.objects.create(
            patient=patient, location=clinic, service=service, first_day=day, last_day=day + timedelta(days=7),
            created_at=timezone.now() - timedelta(minutes=10 - n),
        )  # fmt: skip
    services.appointment_cancel(appointment=taken, by_patient=False)
    desk = front_desk_user()
    StaffProfile.objects.create(user=desk).locations.set([clinic])
    desktop.context.add_cookies([_session_cookie(live_server.url, desk)])

    desktop.goto("/desk/waitlist/")
    desktop.get_by_role("heading", name=f"Waiting list: {clinic.name}").wait_for()
    expect(desktop.get_by_role("heading", name="Offers out")).to_be_visible()
    save_screenshot(desktop, "desk-waitlist")
    assert_accessible(desktop)
    desktop.get_by_role("link", name=f"Offer a time to {second.full_name}").click()
    desktop.get_by_role("heading", name=f"Offer a time to {second.full_name}").wait_for()
    assert_accessible(desktop)
    desktop.goto(f"/desk/patients/{bala.patient.pk}/waitlist/")
    desktop.get_by_role("heading", name=f"Waiting list for {bala.patient.full_name}").wait_for()
    assert_accessible(desktop)
