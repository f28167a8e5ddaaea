"""The home page in a real browser: renders on a phone and a desktop, passes axe, works offline under CSP."""

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_renders_the_home_page_accessibly(screen):
    LocationFactory(name="Bangalore – Indiranagar", phone="+91 80 4567 8900")
    console_errors = []
    screen.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    response = screen.goto("/")

    assert response.status == 200
    assert screen.get_by_role("heading", level=1).is_visible()
    assert screen.get_by_role("link", name="Am I suitable?").first.is_visible()
    assert "Bangalore – Indiranagar" in screen.locator("footer").inner_text()
    # Bootstrap's own CSS applied (served from our static files, not a CDN).
    assert screen.evaluate("getComputedStyle(document.body).display") == "flex"
    assert console_errors == []  # no CSP violation, no missing file
    save_screenshot(screen, "home")
    assert_accessible(screen)


def test_it_opens_the_menu_on_a_phone_with_the_keyboard(phone):
    phone.goto("/")
    toggler = phone.get_by_role("button", name="Show menu")
    toggler.focus()
    phone.keyboard.press("Enter")
    phone.get_by_role("link", name="Staff login").wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"


def test_it_offers_a_skip_link_to_the_main_content(phone):
    phone.goto("/")
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"
