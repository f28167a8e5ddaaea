"""Two-factor login and the idle warning in Chromium (docs/access.md, "Signing in"): a therapist enrols with an
authenticator app on first sign-in, keeps the recovery codes, signs in again with a code, sees the idle warning and
stays signed in. Zero axe violations on every sign-in page and on the open warning."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.test import override_settings
from playwright.sync_api import expect

from clinic.core.models import AuditEvent
from tests.booking.factories import ServiceFactory, therapist_at
from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.factories import LocationFactory, therapist_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def therapist():
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar")
    user = therapist_user(username="arjun", first_name="Arjun", last_name="Menon")
    return therapist_at(location, [ServiceFactory(locations=[location])], user=user, display_name="Arjun Menon")


def sign_in_with_password(page):
    page.goto("/accounts/login/?next=/desk/")
    page.get_by_label("Username").fill("arjun")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


def test_a_therapist_enrols_signs_in_with_a_code_and_stays_signed_in_past_the_warning(desktop, therapist):
    page = desktop
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name="Forgot password?")).to_be_visible()
    assert_accessible(page)

    # First sign-in: enrolment.
    sign_in_with_password(page)
    expect(page.get_by_role("heading", name="Set up two-factor login")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    save_screenshot(page, "two-factor-setup")
    assert_accessible(page)
    app = pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.get_by_label("Code").fill("000000" if app.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_text("That code did not match")).to_be_visible()
    assert_accessible(page)
    page.wait_for_timeout(1100)  # after a wrong code the next try waits a second (django-otp throttling)
    page.get_by_label("Code").fill(app.now())
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", name="Two-factor login is on")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bangalore – Indiranagar")

    # Signing out and in again asks for the code the app shows (the next one: each code works once).
    page.get_by_role("button", name="Log out Arjun").click()
    sign_in_with_password(page)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Type the 6 digits your app shows")).to_be_visible()
    save_screenshot(page, "two-factor-wrong-code")
    assert_accessible(page)
    page.get_by_label("Code").fill(app.at(datetime.now(tz=UTC) + timedelta(seconds=30)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bangalore – Indiranagar")
    assert AuditEvent.objects.filter(action="two_factor_enrolled").count() == 1

    # The idle warning: with a 125-second timeout it comes after 5 seconds, two minutes before the end.
    with override_settings(SESSION_IDLE_MINUTES=125 / 60):
        page.reload()
        warning = page.get_by_role("dialog", name="Are you still there?")
        expect(warning).to_be_visible(timeout=15_000)
        expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
        save_screenshot(page, "session-timeout-warning")
        assert_accessible(page)
        page.get_by_role("button", name="Stay signed in").click()
        expect(warning).to_be_hidden()

        page.goto("/desk/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Bangalore – Indiranagar")


def test_the_password_reset_pages_pass_axe(desktop, therapist):
    page = desktop
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("arjun@clinic.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page)
    page.goto("/accounts/reset/MQ/not-a-real-token/")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert_accessible(page)
