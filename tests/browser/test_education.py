"""Education pages in a real browser, on a phone and a desktop: index, a condition, the FAQ and a search.

Each must render under the strict CSP with no console errors and pass axe (WCAG 2.2 AA, target size included).
"""

import pytest
from django.core.management import call_command

from tests.browser.axe import assert_accessible
from tests.browser.conftest import save_screenshot
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)
    LocationFactory(name="Bangalore – Indiranagar", phone="+91 80 4567 8900")


def _console_errors(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_it_lets_a_patient_browse_the_index(screen, content):
    errors = _console_errors(screen)

    assert screen.goto("/learn/").status == 200
    screen.get_by_role("link", name="Foot and ankle").click()
    screen.get_by_role("link", name="Plantar fasciitis and heel pain").click()

    assert screen.get_by_role("heading", level=1).inner_text() == "Plantar fasciitis and heel pain"
    assert errors == []
    screen.goto("/learn/")
    save_screenshot(screen, "learn-index")
    assert_accessible(screen)


def test_it_shows_a_condition_page_with_contents_faq_and_next_step(screen, content):
    errors = _console_errors(screen)
    screen.goto("/learn/plantar-fasciitis-heel-pain/")

    contents = screen.get_by_role("navigation", name="On this page")
    contents.get_by_role("link", name="What the research says").click()
    assert screen.evaluate("location.hash") == "#what-the-research-says"
    question = screen.get_by_text("Will needling fix my heel for good?")
    question.click()
    assert screen.get_by_text("We cannot promise that.").is_visible()
    assert screen.get_by_role("link", name="Am I suitable?").last.get_attribute("href") == "/intake/"
    assert errors == []
    save_screenshot(screen, "learn-condition")
    assert_accessible(screen)


def test_it_opens_faq_answers_without_javascript(browser, live_server, content, viewport_name):
    from tests.browser.conftest import VIEWPORTS

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **VIEWPORTS[viewport_name])
    page = context.new_page()
    page.viewport_name = viewport_name
    page.goto("/learn/faq/")

    page.get_by_text("Does it hurt?").click()

    assert page.get_by_text("Most people feel a small prick").first.is_visible()
    context.close()


def test_it_shows_the_faq_accessibly(screen, content):
    screen.goto("/learn/faq/")
    for summary in screen.locator("summary").all()[:3]:
        summary.click()

    save_screenshot(screen, "learn-faq")
    assert_accessible(screen)


def test_it_finds_the_heel_page_from_a_misspelt_search(screen, content):
    errors = _console_errors(screen)
    screen.goto("/learn/")

    screen.get_by_label("Search our guides").fill("heal pain")
    screen.get_by_role("button", name="Search").click()

    results = screen.locator(".edu-results a")
    assert results.first.inner_text() == "Plantar fasciitis and heel pain"
    assert screen.get_by_text("Showing results for “heel pain”").is_visible()
    assert errors == []
    save_screenshot(screen, "learn-search")
    assert_accessible(screen)


def test_it_shows_the_safety_page_accessibly(screen, content):
    screen.goto("/learn/safety/")

    assert screen.get_by_role("heading", name="Who should not have dry needling").is_visible()
    save_screenshot(screen, "learn-safety")
    assert_accessible(screen)


def test_it_shows_the_home_page_with_conditions_accessibly(screen, content):
    screen.goto("/")

    assert screen.get_by_role("link", name="Plantar fasciitis and heel pain").is_visible()
    save_screenshot(screen, "home-education")
    assert_accessible(screen)
