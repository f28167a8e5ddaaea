"""The questionnaire in Chromium on a phone: each of the three outcomes, follow-ups revealed by JavaScript, a page
with validation errors, the side of the area to treat against lymphoedema, and zero axe violations on every step and
outcome page."""

import pytest

from intake import rules
from intake.models import Intake
from tests.browser.axe import assert_accessible
from tests.browser.conftest import SCREENSHOTS, save_screenshot
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def location():
    return LocationFactory(name="Bangalore – Indiranagar", slug="bangalore", phone="+91 80 4567 8900")


def _about_you(page, location):
    page.goto("/intake/")
    assert page.get_by_text("Step 1 of 4: About you").is_visible()
    assert_accessible(page)
    save_screenshot(page, "intake-1-about")
    page.get_by_label(location.name).check()
    page.get_by_label("First name").fill("Asha")
    page.get_by_label("Last name").fill("Rao")
    page.get_by_label("E-mail address").fill("asha@example.com")
    page.get_by_label("Phone number").fill("098765 43210")
    page.get_by_label("Date of birth").fill("1985-03-27")
    page.get_by_role("button", name="Continue").click()


def _where(page, area="Calf or shin", side="Left"):
    assert page.get_by_text("Step 2 of 4").is_visible()
    assert_accessible(page)
    save_screenshot(page, "intake-2-where")
    page.get_by_label(area, exact=True).check()
    page.get_by_role("group", name="On which side of your body?").get_by_label(side, exact=True).check()
    page.get_by_label("What brings you to us?").fill("Tight calf after running")
    page.get_by_role("button", name="Continue").click()


def _health(page, answers: dict):
    assert page.get_by_text("Step 3 of 4").is_visible()
    for question in rules.QUESTIONS:
        value = answers.get(question.name, "fine" if question.name == "needle_fear" else "no")
        page.locator(f'input[name="health-{question.name}"][value="{value}"]').check()
    return page


def _continue(page):
    page.get_by_role("button", name="Continue").click()


def _consent(page, name="Asha Rao"):
    assert page.get_by_text("Step 4 of 4").is_visible()
    assert page.get_by_text("nothing is injected").is_visible()
    assert page.get_by_text("call 112 for an ambulance straight away").is_visible()
    assert_accessible(page)
    save_screenshot(page, "intake-4-consent")
    page.get_by_label("Type your full name").fill(name)
    page.get_by_label("I have read this information").check()
    page.get_by_role("button", name="Send my answers").click()


def test_it_walks_to_cleared_on_a_phone(phone, location):
    _about_you(phone, location)
    _where(phone)
    _health(phone, {})
    assert_accessible(phone)
    save_screenshot(phone, "intake-3-health")
    _continue(phone)
    _consent(phone)

    assert phone.get_by_role("heading", level=1).inner_text() == "You can book dry needling"
    continue_link = phone.get_by_role("link", name="Continue to booking")
    assert continue_link.get_attribute("href") == f"/book/?location={location.slug}"
    save_screenshot(phone, "intake-outcome-cleared")
    assert_accessible(phone)
    assert Intake.objects.get().outcome == "cleared"


def test_it_reveals_follow_ups_and_walks_to_needs_review(phone, location):
    _about_you(phone, location)
    _where(phone)
    _health(phone, {})
    assert not phone.locator('[data-reveal-for="health-diabetes"]').is_visible()
    phone.locator('input[name="health-diabetes"][value="yes"]').check()
    assert phone.locator('[data-reveal-for="health-diabetes"]').is_visible()
    phone.get_by_label("Well controlled", exact=True).check()
    phone.locator('input[name="health-diabetes_numbness"][value="no"]').check()
    phone.locator('input[name="health-diabetes_ulcers"][value="no"]').check()
    _continue(phone)
    _consent(phone)

    assert "A therapist will check your answers" in phone.get_by_role("heading", level=1).inner_text()
    save_screenshot(phone, "intake-outcome-needs-review")
    assert_accessible(phone)
    assert Intake.objects.get().outcome == "needs_review"


def test_it_shows_errors_accessibly_then_walks_to_not_suitable(phone, location):
    _about_you(phone, location)
    _where(phone)
    _health(phone, {"skin_problem": "yes"})
    _continue(phone)

    # The follow-ups were left empty: the server says so, at the top and by each field, and keeps the answers.
    summary = phone.locator("#error-summary")
    assert summary.is_visible()
    assert summary.evaluate("el => el === document.activeElement")
    assert phone.title().startswith("Error:")
    assert phone.locator('input[name="health-skin_problem"][value="yes"]').is_checked()
    save_screenshot(phone, "intake-3-health-errors")
    assert_accessible(phone)
    summary.get_by_role("link").first.click()

    phone.locator("#id_health-skin_where_0").check()
    phone.locator('input[name="health-skin_signs"][value="yes"]').check()
    phone.locator('input[name="health-skin_antibiotics"][value="no"]').check()
    _continue(phone)
    _consent(phone)

    assert "Let’s talk it through first" in phone.get_by_role("heading", level=1).inner_text()
    assert phone.get_by_role("link", name="+91 80 4567 8900").first.is_visible()
    assert "skin_problem" not in phone.content()
    save_screenshot(phone, "intake-outcome-not-suitable")
    assert_accessible(phone)
    assert Intake.objects.get().outcome == "not_suitable"


def test_it_keeps_answers_when_going_back_in_the_browser(phone, location):
    _about_you(phone, location)
    phone.get_by_label("What brings you to us?").fill("Sore neck")
    phone.get_by_role("button", name="Back").click()

    assert phone.get_by_label("E-mail address").input_value() == "asha@example.com"
    _continue(phone)
    assert phone.get_by_label("What brings you to us?").input_value() == "Sore neck"


def test_the_browsers_back_and_reload_mid_way_keep_the_answers_and_never_post_again(phone, location):
    """Post/Redirect/Get: every step is a page of its own, so Back and reload are plain GETs (no "Confirm Form
    Resubmission") and show the answers kept in the session."""
    _about_you(phone, location)
    _where(phone)
    assert phone.get_by_text("Step 3 of 4").is_visible()
    assert phone.url.endswith("/intake/step/health/")
    requests = []
    phone.on("request", lambda request: requests.append((request.method, request.url)))

    phone.go_back()
    phone.get_by_text("Step 2 of 4").wait_for()
    save_screenshot(phone, "intake-back-to-where")
    assert_accessible(phone)
    assert phone.get_by_label("What brings you to us?").input_value() == "Tight calf after running"
    assert phone.get_by_label("Calf or shin", exact=True).is_checked()
    phone.reload()
    assert phone.get_by_label("What brings you to us?").input_value() == "Tight calf after running"
    phone.go_back()
    phone.get_by_text("Step 1 of 4").wait_for()
    assert phone.get_by_label("E-mail address").input_value() == "asha@example.com"

    assert [method for method, _ in requests if method == "POST"] == []
    _continue(phone)  # and on from where Back left off
    phone.get_by_text("Step 2 of 4").wait_for()
    _continue(phone)
    _health(phone, {})
    _continue(phone)
    _consent(phone)
    assert phone.get_by_role("heading", level=1).inner_text() == "You can book dry needling"
    assert Intake.objects.get().answers["what_brings_you"] == "Tight calf after running"


def test_it_shows_the_returning_patient_form_accessibly(phone, location):
    phone.goto("/intake/returning/")
    phone.get_by_role("button", name="Send me a link").click()

    assert phone.locator("#error-summary").is_visible()
    save_screenshot(phone, "intake-returning-errors")
    assert_accessible(phone)


def test_it_compares_the_side_of_lymphoedema_with_the_side_to_treat(phone, location):
    """Lymph nodes removed from the left armpit: the right shoulder is reviewed, never refused, and the new
    follow-ups (part of the body, side) are revealed and answered on a phone."""
    _about_you(phone, location)
    _where(phone, area="Shoulder", side="Right")
    _health(phone, {"lymphoedema": "yes"})
    follow_ups = phone.locator('[data-reveal-for="health-lymphoedema"]')
    assert follow_ups.is_visible()
    follow_ups.get_by_label("An arm, or lymph nodes removed from the armpit").check()
    follow_ups.get_by_role("group", name="If yes: on which side?").get_by_label("Left", exact=True).check()
    follow_ups.get_by_label("If yes: when did it start").fill("Nodes removed in 2019")
    follow_ups.scroll_into_view_if_needed()
    assert_accessible(phone)
    save_screenshot(phone, "intake-3-health-lymphoedema")
    # The question with its revealed follow-ups alone, readable at phone size (the full page is very long).
    follow_ups.locator("xpath=..").screenshot(path=str(SCREENSHOTS / "intake-3-lymphoedema-question-phone.png"))
    _continue(phone)
    _consent(phone)

    assert "A therapist will check your answers" in phone.get_by_role("heading", level=1).inner_text()
    assert phone.get_by_text("plan around the affected side").is_visible()
    assert_accessible(phone)
    intake = Intake.objects.get()
    assert intake.answers["area_side"] == "right"
    assert intake.answers["lymph_part"] == ["arm"]
    assert intake.outcome == "needs_review"
