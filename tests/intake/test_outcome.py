"""The outcome page for every rule and every escalation of the rule set (docs/clinical.md, "Outcomes").

Each is triggered through the service, as a submitted questionnaire would be, and its page is read as the patient
sees it: its own wording is there, and a "please call us" page never says that a therapist will check the answers.
Also: intakes and consents of earlier versions keep their version and read consistently.
"""

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils.html import escape

from intake import rules, services
from intake.consent import CONSENT_VERSION
from intake.models import Intake
from tests.factories import LocationFactory, therapist_user
from tests.intake.factories import IntakeFactory, healthy_answers
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 10, 9, 30, tzinfo=dt.UTC)  # 10 May 2026 in India too
FRESH, STALE = "2026-05-08", "2026-04-20"
VKA = {"antithrombotic": "yes", "antithrombotic_medicines": ["warfarin"], "antithrombotic_why": "AF"}
LEFT_ARM = {"lymphoedema": "yes", "lymph_part": ["arm"], "lymph_side": "left", "lymph_details": "2019"}
CLOT = {"blood_clot": "yes", "clot_where": ["leg"], "clot_side": "left", "clot_treatment": "Apixaban"}

# (rule id, escalation index or None for the rule itself) -> the answers that trigger it. The patient wants the left
# calf treated unless the answers say otherwise; "estim" chooses a service with electrical stimulation; "age" is
# reached through the date of birth.
TRIGGERS = {
    ("bleeding_disorder", None): {"bleeding_disorder": "yes"},
    ("antithrombotic", None): {"antithrombotic": "yes", "antithrombotic_medicines": ["doac"]},
    ("antithrombotic", 0): {**VKA, "inr_latest": "3.4", "inr_target_high": "3", "inr_date": FRESH},
    ("antithrombotic", 1): {**VKA, "inr_latest": "4.5", "inr_date": FRESH},
    ("antithrombotic", 2): {"antithrombotic": "yes", "antithrombotic_medicines": ["aspirin", "clopidogrel"]},
    ("antithrombotic", 3): {**VKA, "inr_latest": "2.4"},
    ("antithrombotic", 4): {**VKA, "inr_latest": "2.4", "inr_date": STALE},
    ("medicines", None): {"medicines": "yes", "medicines_list": "Sertraline"},
    ("medicines", 0): {
        "antithrombotic": "yes",
        "antithrombotic_medicines": ["doac"],
        "medicines": "yes",
        "medicines_list": "Ibuprofen",
        "medicines_bleeding": ["nsaid"],
    },
    ("blood_clot", None): {**CLOT, "clot_when": "older"},
    ("blood_clot", 0): {**CLOT, "clot_when": "recent"},
    ("pregnancy", None): {"pregnant": "yes", "pregnancy_stage": "later"},
    ("pregnancy", 0): {"pregnant": "unsure"},
    ("pregnancy", 1): {"pregnant": "yes", "pregnancy_stage": "first"},
    ("pregnancy", 2): {"pregnant": "yes", "pregnancy_stage": "later", "pregnancy_weeks": 12},
    ("skin_problem", None): {"skin_problem": "yes", "skin_where": "elsewhere"},
    ("skin_problem", 0): {"skin_problem": "yes", "skin_where": "at_area"},
    ("acute_illness", None): {"acute_illness": "yes"},
    ("needle_fear", None): {"needle_fear": "nervous"},
    ("needle_fear", 0): {"needle_fear": "strong"},
    ("fainted_needles", None): {"fainted_needles": "yes"},
    ("fainted_needles", 0): {"fainted_needles": "yes", "needle_fear": "strong"},
    ("consent_capacity", None): {"consent_capacity": "yes"},
    ("under_18", None): {"age": 16},
    ("bad_reaction", None): {"bad_reaction": "yes"},
    ("lymphoedema", None): LEFT_ARM,
    ("lymphoedema", 0): {**LEFT_ARM, "areas": ["neck"], "area_side": "middle"},
    ("lymphoedema", 1): {**LEFT_ARM, "lymph_side": "unsure"},
    ("lung_disease", None): {"lung_disease": "yes"},
    ("lung_disease", 0): {"lung_disease": "yes", "areas": ["shoulder"]},
    ("weakened_immunity", None): {"weakened_immunity": "yes"},
    ("heart_valve", None): {"heart_valve": "yes"},
    ("diabetes", None): {"diabetes": "yes"},
    ("vascular", None): {"vascular": "yes"},
    ("epilepsy", None): {"epilepsy": "yes"},
    ("metal_allergy", None): {"metal_allergy": "yes"},
    ("implanted_device", None): {"implanted_device": "yes"},
    ("implanted_device", 0): {"implanted_device": "yes", "estim": True},
    ("cancer_near_area", None): {"cancer_near_area": "yes"},
    ("recent_surgery", None): {"recent_surgery": "yes"},
    ("joint_replacement", None): {"joint_replacement": "yes"},
    ("alcohol_today", None): {"alcohol_today": "yes"},
}

CALL_US = "Please call us, and we will talk it through with you"
THERAPIST_CHECKS = ("a therapist will check", "will look at your answers", "checks the answers", "review")


def _submit(location, changes: dict) -> Intake:
    changes = dict(changes)
    estim = changes.pop("estim", False)
    age = changes.pop("age", 40)
    answers = {k: v for k, v in healthy_answers(**changes).items() if k not in ("age", "answered_on")}
    return services.intake_submit(
        submission_key=uuid.uuid4(),
        first_name="Asha",
        last_name="Rao",
        email="asha@example.com",
        phone="+91 98765 43210",
        date_of_birth=dt.date(2026 - age - 1, 3, 27),
        location=location,
        service_slug="needling-estim" if estim else "dry-needling",
        answers=answers,
        consent_name="Asha Rao",
        guardian_name="Ravi Rao" if age < rules.ADULT_AGE else "",
        guardian_relationship="parent" if age < rules.ADULT_AGE else "",
        consent_ip="203.0.113.5",
    )


def _outcome_page(client, intake) -> str:
    session = client.session
    session["intake_id"] = intake.pk
    session.save()
    response = client.get("/intake/result/")
    assert response.status_code == 200
    return response.content.decode()


def _wording(rule_id: str, index: int | None) -> tuple[str, str]:
    rule = rules.RULES_BY_ID[rule_id]
    part = rule if index is None else rule.escalations[index]
    return part.disposition, part.patient_text


def test_it_has_a_trigger_for_every_rule_and_escalation():
    """A new rule or escalation needs a line in TRIGGERS, so its outcome page is walked too."""
    parts = {(r.id, i) for r in rules.RULES for i in [None, *range(len(r.escalations))]}

    assert set(TRIGGERS) == parts


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("part", list(TRIGGERS), ids=lambda p: f"{p[0]}-{'base' if p[1] is None else p[1]}")
def test_it_shows_the_wording_of_each_rule_and_escalation_on_its_outcome_page(client, services, part):
    location = LocationFactory(name="Bangalore – Indiranagar", phone="+91 80 4567 8900", country="IN")
    intake = _submit(location, TRIGGERS[part])
    disposition, text = _wording(*part)

    page = _outcome_page(client, intake)

    assert escape(text) in page
    result = next(r for r in intake.results if r["rule"] == part[0])
    assert result["disposition"] == disposition  # the trigger reaches exactly this part
    assert text in result["patient_texts"]
    assert "_" not in page.split("<main", 1)[-1].split("</main>", 1)[0].replace("tel:", "")  # no rule ids
    if intake.outcome == Intake.Outcome.NOT_SUITABLE:
        assert CALL_US in page
        assert 'href="tel:+918045678900"' in page
        assert 'href="tel:112"' in page
        for phrase in THERAPIST_CHECKS:
            assert phrase not in page.lower(), phrase
    elif intake.outcome == Intake.Outcome.NEEDS_REVIEW:
        assert "A therapist will check your answers" in page
        assert CALL_US not in page
    else:
        assert "You can book dry needling" in page
        assert "Good to know" in page


@time_machine.travel(NOW, tick=False)
def test_it_lists_only_the_reasons_to_call_on_a_not_suitable_page(client, services):
    """The issue's example: a needs-review rule beside a not-suitable one must not say that a therapist checks."""
    location = LocationFactory()
    intake = _submit(location, {"diabetes": "yes", "pregnant": "yes", "pregnancy_stage": "first"})

    page = _outcome_page(client, intake)

    assert intake.outcome == Intake.Outcome.NOT_SUITABLE
    assert escape(rules.RULES_BY_ID["pregnancy"].escalations[1].patient_text) in page
    assert escape(rules.RULES_BY_ID["pregnancy"].patient_text) not in page
    assert escape(rules.RULES_BY_ID["diabetes"].patient_text) not in page


@time_machine.travel(NOW, tick=False)
def test_it_shows_what_the_therapist_will_know_beside_the_review_reasons(client, services):
    intake = _submit(LocationFactory(), {"diabetes": "yes", "alcohol_today": "yes"})

    page = _outcome_page(client, intake)

    assert "Why we check" in page
    assert "Good to know" in page
    assert escape(rules.RULES_BY_ID["alcohol_today"].patient_text) in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("country", "number"), [("IN", "112"), ("GB", "999")])
def test_it_gives_the_emergency_number_of_the_clinics_country(client, services, country, number):
    location = LocationFactory(country=country, phone="+44 20 7946 0321" if country == "GB" else "+91 80 4567 8900")

    page = _outcome_page(client, _submit(location, {}))

    assert f'href="tel:{number}"' in page
    assert "up to about two days later" in page


# --- Earlier versions keep theirs ----------------------------------------------------------------------------------

# How rule set 2026.1 stored a strong fear of needles: no wording of its own (the contradiction of issue 12).
OLD_RESULTS = [
    {
        "rule": "needle_fear",
        "disposition": "not_suitable",
        "reasons": ["Worried about needles", "Strong fear of needles, or does not want needles"],
        "questions": ["needle_fear"],
    }
]


@pytest.fixture
def earlier():
    """An intake judged by rule set 2026.1 with consent text 2026.1."""
    answers = healthy_answers(needle_fear="strong", fainted_before="yes")
    for name in ("fainted_needles", "area_side", "answered_on", "medicines", "lung_disease", "blood_clot"):
        answers.pop(name, None)
    return IntakeFactory(
        answers=answers,
        results=OLD_RESULTS,
        rule_set_version="2026.1",
        consent_version="2026.1",
        outcome=Intake.Outcome.NOT_SUITABLE,
    )


def test_it_words_an_earlier_versions_result_without_contradiction(client, earlier):
    page = _outcome_page(client, earlier)

    assert escape(rules.RULES_BY_ID["needle_fear"].escalations[0].patient_text) in page
    assert "therapist will" not in page.lower()
    earlier.refresh_from_db()
    assert (earlier.rule_set_version, earlier.consent_version, earlier.results) == ("2026.1", "2026.1", OLD_RESULTS)


def test_it_keeps_the_versions_when_a_patient_confirms_nothing_changed(earlier):
    services.intake_confirm_unchanged(intake=earlier)

    earlier.refresh_from_db()
    assert (earlier.rule_set_version, earlier.consent_version, earlier.results) == ("2026.1", "2026.1", OLD_RESULTS)
    assert earlier.outcome == Intake.Outcome.NOT_SUITABLE


def test_it_keeps_the_versions_through_a_review_and_shows_them_to_staff(client):
    old = IntakeFactory(
        needs_review=True,
        rule_set_version="2026.1",
        consent_version="2026.1",
        results=[{"rule": "diabetes", "disposition": "needs_review", "reasons": ["Diabetes"], "questions": []}],
    )
    therapist = therapist_user()
    staff_login(client, therapist)

    services.intake_review_decide(intake_id=old.pk, actor=therapist, decision="approved", seen_status="pending")
    page = client.get(f"/intake/review/{old.pk}/").content.decode()

    old.refresh_from_db()
    assert (old.rule_set_version, old.consent_version) == ("2026.1", "2026.1")
    assert "rules 2026.1, consent 2026.1" in page


def test_it_shows_staff_the_answers_to_questions_no_longer_asked(client, earlier):
    staff_login(client, therapist_user())

    page = client.get(f"/intake/review/{earlier.pk}/").content.decode()

    assert "Answers to questions no longer asked" in page
    assert "Fainted with needles or blood tests before (asked of nervous patients until 2026.1): <strong>Yes" in page
    assert CONSENT_VERSION != "2026.1"
    assert rules.VERSION != "2026.1"


@pytest.mark.parametrize(
    ("areas", "side", "said"),
    [
        (["neck", "shoulder"], "right", "Neck, shoulder (right side)"),
        (["lower_back"], "middle", "Lower back"),
        (["knee"], "both", "Knee (both sides)"),
        ([], "left", ""),
    ],
)
def test_the_area_to_treat_is_said_as_the_patient_chose_it(areas, side, said):
    assert Intake(answers={"areas": areas, "area_side": side}).area_to_treat == said
