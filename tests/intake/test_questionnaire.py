"""The questionnaire at /intake/ end to end through the views, as a browser without JavaScript would use it."""

import datetime as dt

import pytest
import time_machine

from clinic.core.models import AuditEvent
from intake.consent import CONSENT_VERSION
from intake.models import Intake, Patient
from tests.factories import LocationFactory
from tests.intake import walk
from tests.intake.factories import PatientFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def location():
    return LocationFactory(name="Bangalore – Indiranagar", phone="+91 80 4567 8900", country="IN")


def test_it_shows_the_first_step_with_its_progress(client, location):
    response = client.get("/intake/", follow=True)

    assert response.redirect_chain == [("/intake/step/about/", 302)]
    assert response.status_code == 200
    html = response.content.decode()
    assert "Step 1 of 4: About you" in html
    assert '<progress max="4" value="1" aria-labelledby="progress-label"' in html
    assert "Bangalore – Indiranagar" in html


@time_machine.travel(NOW, tick=False)
def test_it_clears_a_healthy_patient_and_records_consent(client, location):
    response = walk.walk(client, location, start="/intake/?next=/book/dry-needling/")

    assert response.status_code == 302
    assert response["Location"] == "/intake/result/"
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.CLEARED
    assert intake.review_status == Intake.ReviewStatus.NOT_NEEDED
    assert intake.consent_version == CONSENT_VERSION
    assert intake.consent_name == "Asha Rao"
    assert intake.consented_at == NOW
    assert intake.consent_ip == "127.0.0.1"
    assert intake.valid_until == NOW + dt.timedelta(days=183)
    assert intake.answers["age"] == 41
    assert intake.patient.phone.as_e164 == "+919876543210"
    assert client.session["intake_id"] == intake.pk

    page = client.get("/intake/result/").content.decode()
    assert "You can book dry needling" in page
    assert 'href="/book/dry-needling/">Continue to booking' in page


def test_it_holds_a_needs_review_patient_for_a_therapist(client, location):
    health = walk.health(diabetes="yes", diabetes_control="well", diabetes_numbness="no", diabetes_ulcers="no")
    walk.walk(client, location, health_data=health, start="/intake/?next=/book/x/")

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.NEEDS_REVIEW
    assert intake.review_status == Intake.ReviewStatus.PENDING
    assert intake.needling_booking == "hold"
    page = client.get("/intake/result/").content.decode()
    assert "A therapist will check your answers" in page
    assert 'href="/book/x/">Continue to booking' in page
    assert "as diabetes can affect circulation and healing" in page  # the patient's own wording, never rule ids
    assert "needs_review" not in page


def test_it_explains_not_suitable_kindly_with_the_clinic_phone(client, location):
    walk.walk(
        client,
        location,
        health_data=walk.health(needle_fear="strong", fainted_before="yes"),
        start="/intake/?next=/book/needling/",
    )

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.NOT_SUITABLE
    assert intake.needling_booking == "refuse"
    page = client.get("/intake/result/").content.decode()
    assert "Let’s talk it through first" in page
    assert 'href="tel:+918045678900"' in page
    assert "assessment or a virtual consultation" in page
    assert "/book/needling/" not in page  # no needling booking; the general booking page instead
    assert f'href="/book/?location={location.slug}&amp;needles=no">Book an assessment' in page
    assert "needle_fear" not in page


def test_it_requires_follow_ups_without_javascript_and_keeps_the_answers(client, location):
    client.get("/intake/")
    walk.post_step(client, "about", walk.about(location))
    walk.post_step(client, "where", walk.where())

    response = walk.post_step(client, "health", walk.health(antithrombotic="yes"))

    form = response.context["form"]
    assert set(form.errors) == {"antithrombotic_medicines", "antithrombotic_why"}
    html = response.content.decode()
    assert "Step 3 of 4" in html
    assert 'href="#id_health-antithrombotic_medicines_0"' in html  # error summary links to the field
    assert 'aria-describedby="id_health-antithrombotic_why_error"' in html
    assert 'value="yes" aria-describedby' in html or "checked" in html
    assert Intake.objects.count() == 0


def test_it_ignores_and_drops_follow_ups_that_do_not_apply(client, location):
    health = walk.health(pregnancy_stage="first", bleeding_disorder_which="none")
    walk.walk(client, location, health_data=health)

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.CLEARED
    assert "pregnancy_stage" not in intake.answers
    assert "bleeding_disorder_which" not in intake.answers


@pytest.mark.parametrize(
    ("service", "expected"),
    [("needling-estim", Intake.Outcome.NOT_SUITABLE), ("dry-needling", Intake.Outcome.CLEARED)],
)
def test_it_judges_a_pacemaker_by_the_chosen_service(client, location, services, service, expected):
    health = walk.health(implanted_device="yes", implanted_device_what="Pacemaker, left chest")
    walk.walk(client, location, where_data=walk.where(service=service), health_data=health)

    intake = Intake.objects.get()
    assert intake.outcome == expected
    assert intake.service_slug == service


def test_it_offers_registered_services_and_not_sure_yet(client, location, services):
    client.get("/intake/")
    response = walk.post_step(client, "about", walk.about(location))

    html = response.content.decode()
    assert "Dry needling with electrical stimulation" in html
    assert "Not sure yet" in html


def test_it_offers_only_not_sure_yet_without_a_service_source(client, location):
    client.get("/intake/")
    response = walk.post_step(client, "about", walk.about(location))

    assert [c[0] for c in response.context["form"].fields["service"].choices] == [""]


def test_it_refuses_submission_without_consent(client, location):
    response = walk.walk(client, location, consent_data={"full_name": "Asha Rao"})

    assert response.status_code == 200
    assert "Tick the box to give your consent" in response.content.decode()
    assert Intake.objects.count() == 0


def test_it_asks_for_the_same_name_as_on_step_one(client, location):
    response = walk.walk(client, location, consent_data=walk.consent(full_name="Someone Else"))

    assert "Type your full name as you gave it on the first step: Asha Rao" in response.content.decode()
    assert Intake.objects.count() == 0


def test_it_accepts_the_typed_name_in_any_case_and_spacing(client, location):
    walk.walk(client, location, consent_data=walk.consent(full_name="  asha   RAO "))

    assert Intake.objects.get().consent_name == "asha   RAO"


@time_machine.travel(NOW, tick=False)
def test_it_asks_a_guardian_to_consent_for_a_minor(client, location):
    # 17 years old on the day (18th birthday tomorrow).
    about = walk.about(location, date_of_birth="2008-05-11")

    response = walk.walk(client, location, about_data=about)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"guardian_name", "guardian_relationship"}
    response = walk.post_step(
        client,
        "consent",
        walk.consent(guardian_name="Ravi Rao", guardian_relationship="bestie", full_name="Ravi Rao"),
    )
    assert set(response.context["form"].errors) == {"guardian_relationship"}
    response = walk.post_step(
        client, "consent", walk.consent(guardian_name="Ravi Rao", guardian_relationship="parent", full_name="Ravi Rao")
    )
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.NEEDS_REVIEW
    assert intake.guardian_name == "Ravi Rao"
    assert intake.guardian_relationship == "parent"
    assert intake.consent_name == "Ravi Rao"
    assert [r["rule"] for r in intake.results] == ["under_18"]


@time_machine.travel(NOW, tick=False)
def test_it_does_not_ask_for_a_guardian_on_the_18th_birthday(client, location):
    walk.walk(client, location, about_data=walk.about(location, date_of_birth="2008-05-10"))

    assert Intake.objects.get().outcome == Intake.Outcome.CLEARED


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("2026-05-11", "cannot be in the future"),
        ("1900-01-01", "more than 120 years ago"),
        ("27/13/1985", "Enter your date of birth as a date"),
    ],
)
def test_it_refuses_impossible_dates_of_birth(client, location, born, message):
    client.get("/intake/")
    response = walk.post_step(client, "about", walk.about(location, date_of_birth=born))

    assert message in response.content.decode()
    assert "Step 1 of 4" in response.content.decode()


def test_it_reads_phone_numbers_in_the_clinic_country(client):
    london = LocationFactory(country="GB", phone="+44 20 7946 0321")
    walk.walk(client, london, about_data=walk.about(london, phone="020 7946 0018"))

    assert Intake.objects.get().patient.phone.as_e164 == "+442079460018"


def test_it_refuses_a_phone_number_that_cannot_exist(client, location):
    client.get("/intake/")
    response = walk.post_step(client, "about", walk.about(location, phone="12345"))

    assert "Enter a phone number we can call" in response.content.decode()


def test_it_keeps_answers_when_going_back(client, location):
    client.get("/intake/")
    walk.post_step(client, "about", walk.about(location))
    walk.post_step(client, "where", walk.where(what_brings_you="Sore neck"))
    # Half-answered health step, then Back: nothing typed is lost.
    walk.post_step(client, "health", {"diabetes": "yes"}, **{"wizard_goto_step": "where"})

    response = walk.post_step(client, "where", walk.where(what_brings_you="Sore neck, mostly mornings"))

    assert response.context["form"]["diabetes"].value() == "yes"
    response = walk.post_step(client, "health", {}, **{"wizard_goto_step": "where"})
    response = walk.post_step(client, "where", {}, **{"wizard_goto_step": "about"})
    assert response.context["form"]["email"].value() == "asha@example.com"


# --- Post/Redirect/Get: Back, reload and a second tab never re-post or lose answers -------------------------------


def _post(client, step, data, **extra):
    payload = {f"{walk.PREFIX}-current_step": step, **{f"{step}-{k}": v for k, v in data.items()}, **extra}
    return client.post(f"/intake/step/{step}/", payload)


def test_it_answers_every_step_post_with_a_redirect_to_a_get_of_a_step(client, location):
    client.get("/intake/")

    assert _post(client, "about", walk.about(location))["Location"] == "/intake/step/where/"
    assert _post(client, "where", walk.where(what_brings_you=""))["Location"] == "/intake/step/where/"
    assert _post(client, "where", {}, wizard_goto_step="about")["Location"] == "/intake/step/about/"


def test_a_step_that_did_not_validate_shows_its_errors_and_what_was_typed_from_a_get(client, location):
    client.get("/intake/")
    _post(client, "about", walk.about(location, email="not-an-address", first_name="Asha"))

    response = client.get("/intake/step/about/")  # what the redirect shows, and what a reload shows again

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email"}
    assert response.context["form"]["first_name"].value() == "Asha"
    assert "<title>Error: About you" in response.content.decode()


def test_back_and_reload_show_the_answers_kept_without_posting(client, location):
    client.get("/intake/")
    _post(client, "about", walk.about(location))
    _post(client, "where", walk.where(what_brings_you="Sore neck"))

    back = client.get("/intake/step/where/")  # the browser's Back: a GET of the step's own address
    again = client.get("/intake/step/where/")

    for response in (back, again):
        assert response.status_code == 200
        assert response.context["form"]["what_brings_you"].value() == "Sore neck"
        assert not response.context["form"].errors
    assert client.get("/intake/step/about/").context["form"]["email"].value() == "asha@example.com"
    assert not Intake.objects.exists()


def test_a_second_tab_carries_on_with_the_answers_so_far(client, location):
    client.get("/intake/?location=" + location.slug)
    _post(client, "about", walk.about(location))

    response = client.get("/intake/")

    assert response["Location"] == "/intake/step/where/"
    assert client.get("/intake/step/about/").context["form"]["email"].value() == "asha@example.com"
    assert client.get("/intake/?restart=1")["Location"] == "/intake/step/about/"
    assert client.get("/intake/step/about/").context["form"]["email"].value() in (None, "")


def test_a_step_further_on_than_answered_shows_the_first_unanswered_one(client, location):
    client.get("/intake/")
    _post(client, "about", walk.about(location))

    assert client.get("/intake/step/consent/")["Location"] == "/intake/step/where/"
    assert client.get("/intake/step/done/")["Location"] == "/intake/step/where/"  # a GET never sends the answers
    assert client.get("/intake/step/no-such-step/")["Location"] == "/intake/step/where/"
    assert not Intake.objects.exists()


def test_a_step_without_a_questionnaire_started_goes_to_the_start_saying_why(client, location):
    response = client.get("/intake/step/health/", follow=True)

    assert response.redirect_chain[0] == ("/intake/", 302)
    assert "Your session expired" in response.content.decode()


def test_it_creates_one_intake_on_a_double_submit(client, location):
    walk.walk(client, location)
    key = str(Intake.objects.get().submission_key)

    response = walk.post_step(client, "consent", walk.consent(submission_key=key))

    assert response.status_code == 302
    assert response["Location"] == "/intake/result/"
    assert Intake.objects.count() == 1


def test_it_matches_a_returning_patient_by_email_and_birth_date(client, location):
    patient = PatientFactory(email="Asha@Example.com", date_of_birth=dt.date(1985, 3, 27))

    walk.walk(client, location)

    assert Patient.objects.count() == 1
    assert Intake.objects.get().patient == patient


def test_it_creates_a_new_patient_when_the_birth_date_differs(client, location):
    PatientFactory(email="asha@example.com", date_of_birth=dt.date(1990, 1, 1))

    walk.walk(client, location)

    assert Patient.objects.count() == 2


def test_it_ignores_a_next_url_to_another_site(client, location):
    walk.walk(client, location, start="/intake/?next=https://evil.example/")

    page = client.get("/intake/result/").content.decode()
    assert f'href="/book/?location={location.slug}">Continue to booking' in page


def test_it_sends_visitors_without_an_intake_to_the_start(client):
    assert client.get("/intake/result/")["Location"] == "/intake/"


def test_it_rate_limits_submissions_per_address(client, location, settings):
    settings.INTAKE_SUBMIT_RATE = "2/h"
    for _ in range(2):
        walk.walk(client, location)

    response = walk.walk(client, location)

    assert response.status_code == 429
    assert Intake.objects.count() == 2


def test_it_writes_no_health_answers_to_the_log(client, location, caplog):
    caplog.set_level("DEBUG")
    walk.walk(
        client, location, health_data=walk.health(epilepsy="yes", epilepsy_last="March", epilepsy_controlled="yes")
    )

    assert "epilepsy" not in caplog.text.lower()
    assert "asha" not in caplog.text.lower()
    assert "needs_review" not in caplog.text  # not even the outcome
    # The submission is audited, with ids only.
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id) == ("intake_submit", None)
    assert "epilepsy" not in str(event.detail)
    assert "needs_review" not in str(event.detail)


def test_it_ties_every_help_text_to_its_input(client, location):
    """Prevents aria-describedby pointing at help text that was never rendered."""
    import re

    pages = [client.get("/intake/")]
    pages.append(walk.post_step(client, "about", walk.about(location)))
    pages.append(walk.post_step(client, "where", walk.where()))
    pages.append(walk.post_step(client, "health", walk.health(antithrombotic="yes")))  # with errors
    pages.append(walk.post_step(client, "health", walk.health()))

    for page in pages:
        html = page.content.decode()
        ids = set(re.findall(r' id="([^"]+)"', html))
        for refs in re.findall(r'aria-describedby="([^"]+)"', html):
            assert set(refs.split()) <= ids, refs
    assert 'id="id_consent-full_name_help"' in pages[-1].content.decode()


def test_it_shows_the_consent_text_with_the_clinics_emergency_number(client, location):
    london = LocationFactory(country="GB", phone="+44 20 7946 0321", emergency_number="999")
    client.get("/intake/")
    walk.post_step(client, "about", walk.about(london, phone="020 7946 0018"))
    walk.post_step(client, "where", walk.where())

    html = walk.post_step(client, "health", walk.health()).content.decode()

    assert f"Consent text version {CONSENT_VERSION}" in html
    assert "call 999 for an ambulance straight away" in html
    assert "{emergency}" not in html
    assert "much rarer than one in a thousand" in html
    assert "tingling or tapping" in html


@time_machine.travel(NOW, tick=False)
def test_it_records_the_consent_version_and_the_area_with_its_side(client, location):
    walk.walk(client, location, where_data=walk.where(areas=["shoulder", "neck"], side="right"))

    intake = Intake.objects.get()
    assert intake.consent_version == CONSENT_VERSION == "2026.2"
    assert intake.rule_set_version == "2026.2"
    assert intake.answers["areas"] == ["shoulder", "neck"]
    assert intake.answers["area_side"] == "right"
    assert intake.answers["answered_on"] == "2026-05-10"


@pytest.mark.parametrize("side", ["", "up", "left\x00"])
def test_it_asks_for_the_side_of_the_area_to_treat(client, location, side):
    client.get("/intake/")
    walk.post_step(client, "about", walk.about(location))

    response = walk.post_step(client, "where", walk.where(side=side))

    assert "side" in response.context["form"].errors
    assert "Step 2 of 4" in response.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("inr_date", "message"),
    [
        ("2026-05-11", "This date is in the future"),
        ("2015-01-01", "more than 10 years ago"),
        ("31/02/2026", "Enter a valid date"),
    ],
)
def test_it_refuses_an_impossible_inr_date_and_keeps_the_answers(client, location, inr_date, message):
    client.get("/intake/")
    walk.post_step(client, "about", walk.about(location))
    walk.post_step(client, "where", walk.where())
    health = walk.health(
        antithrombotic="yes",
        antithrombotic_medicines=["warfarin"],
        antithrombotic_why="Atrial fibrillation",
        inr_latest="2.5",
        inr_date=inr_date,
    )

    response = walk.post_step(client, "health", health)

    assert set(response.context["form"].errors) == {"inr_date"}
    assert message in response.content.decode()
    assert response.context["form"]["inr_latest"].value() == "2.5"
    assert Intake.objects.count() == 0


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("inr_date", "expected"), [("2026-05-03", 1), ("2026-05-02", 2)])
def test_it_uses_the_inr_date_counted_from_the_day_of_answering(client, location, inr_date, expected):
    health = walk.health(
        antithrombotic="yes",
        antithrombotic_medicines=["warfarin"],
        antithrombotic_why="Atrial fibrillation",
        inr_latest="2.5",
        inr_date=inr_date,
        inr_target_high="3",
    )
    walk.walk(client, location, health_data=health)

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.NEEDS_REVIEW
    assert len(intake.results[0]["reasons"]) == expected  # the second reason: INR more than 7 days old
