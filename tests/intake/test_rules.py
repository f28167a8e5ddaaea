"""The rule set judged row by row against CLINICAL.md's table, both sides of every threshold. No database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake import rules
from intake.rules import judge

CLEARED, NEEDS_REVIEW, NOT_SUITABLE = "cleared", "needs_review", "not_suitable"


def healthy(**changes) -> dict:
    """Answers of a healthy 40-year-old adult who is fine with needles, changed by `changes`."""
    answers = {q.name: q.choices[0][0] for q in rules.QUESTIONS}
    answers["needle_fear"] = "fine"
    answers["age"] = 40
    answers.update(changes)
    return answers


def outcome(estim=False, **changes) -> str:
    return judge(healthy(**changes), service_uses_estim=estim).outcome


def rule_ids(**changes) -> list[str]:
    return [r.rule for r in judge(healthy(**changes), service_uses_estim=False).reasons]


def test_it_clears_a_healthy_adult():
    judgement = judge(healthy(), service_uses_estim=True)
    assert judgement.outcome == CLEARED
    assert judgement.reasons == ()
    assert judgement.version == rules.VERSION


def test_it_declares_one_rule_per_row_of_the_clinical_table():
    # 19 rows; the immune/heart-valve row is asked as two plain questions.
    assert len(rules.RULES) == 20
    assert len({r.id for r in rules.RULES}) == len(rules.RULES)
    asked = {q.name for q in rules.QUESTIONS} | {"age", "service_uses_estim"}
    fields = asked | set(rules.FOLLOW_UP_PARENT)
    for rule in rules.RULES:
        for condition in rule.applies_when + tuple(c for e in rule.escalations for c in e.when):
            assert condition.field in fields, (rule.id, condition.field)


# --- Headline contraindications ----------------------------------------------------------------------------------


def test_it_refuses_a_bleeding_disorder_online():
    assert outcome(bleeding_disorder="yes", bleeding_disorder_which="haemophilia A") == NOT_SUITABLE


def test_it_sends_one_antithrombotic_medicine_to_review():
    assert outcome(antithrombotic="yes", antithrombotic_medicines=["doac"]) == NEEDS_REVIEW


def test_it_refuses_two_antithrombotic_medicines_online():
    assert outcome(antithrombotic="yes", antithrombotic_medicines=["aspirin", "clopidogrel"]) == NOT_SUITABLE


def test_it_refuses_an_inr_above_the_target_range():
    assert (
        outcome(antithrombotic="yes", antithrombotic_medicines=["warfarin"], inr_latest="3.4", inr_target_high="3")
        == NOT_SUITABLE
    )


@pytest.mark.parametrize("inr", ["3", "3.0", "2.4"])
def test_it_reviews_an_inr_at_or_below_the_target_range(inr):
    assert (
        outcome(antithrombotic="yes", antithrombotic_medicines=["warfarin"], inr_latest=inr, inr_target_high="3")
        == NEEDS_REVIEW
    )


def test_it_reviews_warfarin_when_the_inr_is_not_known():
    assert outcome(antithrombotic="yes", antithrombotic_medicines=["warfarin"], inr_latest="") == NEEDS_REVIEW


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"pregnancy_stage": "first"}, NOT_SUITABLE),
        ({"pregnancy_stage": "unsure"}, NOT_SUITABLE),
        ({"pregnancy_stage": "later"}, NEEDS_REVIEW),
        ({"pregnancy_stage": "later", "pregnancy_weeks": 12}, NOT_SUITABLE),
        ({"pregnancy_stage": "later", "pregnancy_weeks": 13}, NEEDS_REVIEW),
        ({"pregnancy_stage": "first", "pregnancy_weeks": 8}, NOT_SUITABLE),
    ],
)
def test_it_refuses_the_first_trimester_and_reviews_later_pregnancy(changes, expected):
    assert outcome(pregnant="yes", **changes) == expected


def test_it_refuses_when_unsure_about_being_pregnant():
    assert outcome(pregnant="unsure") == NOT_SUITABLE


def test_it_ignores_pregnancy_follow_ups_when_not_pregnant():
    assert outcome(pregnant="no", pregnancy_stage="first") == CLEARED


@pytest.mark.parametrize(("where", "expected"), [("at_area", NOT_SUITABLE), ("elsewhere", NEEDS_REVIEW)])
def test_it_judges_skin_infection_by_where_it_is(where, expected):
    assert outcome(skin_problem="yes", skin_where=where) == expected


# --- Other rows -----------------------------------------------------------------------------------------------


def test_it_asks_people_who_are_unwell_today_to_book_when_well():
    judgement = judge(healthy(acute_illness="yes"), service_uses_estim=False)
    assert judgement.outcome == NOT_SUITABLE
    assert "when you feel better" in judgement.reasons[0].patient_text


@pytest.mark.parametrize(
    ("fear", "expected"), [("fine", CLEARED), ("nervous", NEEDS_REVIEW), ("strong", NOT_SUITABLE)]
)
def test_it_reviews_mild_nervousness_and_refuses_strong_fear(fear, expected):
    assert outcome(needle_fear=fear) == expected


def test_it_refuses_when_the_patient_cannot_give_consent():
    assert outcome(consent_capacity="yes") == NOT_SUITABLE


@pytest.mark.parametrize(("age", "expected"), [(17, NEEDS_REVIEW), (18, CLEARED), (12, NEEDS_REVIEW)])
def test_it_reviews_patients_under_18(age, expected):
    assert outcome(age=age) == expected


def test_it_refuses_an_earlier_bad_reaction():
    assert outcome(bad_reaction="yes") == NOT_SUITABLE


@pytest.mark.parametrize(("where", "expected"), [("at_area", NOT_SUITABLE), ("elsewhere", NEEDS_REVIEW)])
def test_it_judges_lymphoedema_by_the_affected_limb(where, expected):
    assert outcome(lymphoedema="yes", lymph_where=where) == expected


@pytest.mark.parametrize(
    "question",
    [
        "weakened_immunity",
        "heart_valve",
        "diabetes",
        "vascular",
        "epilepsy",
        "metal_allergy",
        "cancer_near_area",
        "recent_surgery",
    ],
)
def test_it_sends_relative_contraindications_to_review(question):
    assert outcome(**{question: "yes"}) == NEEDS_REVIEW
    assert rule_ids(**{question: "yes"}) == [question]


@pytest.mark.parametrize(("estim", "expected"), [(True, NEEDS_REVIEW), (False, CLEARED)])
def test_it_reviews_a_pacemaker_only_with_electrical_stimulation(estim, expected):
    judgement = judge(healthy(implanted_device="yes"), service_uses_estim=estim)
    assert judgement.outcome == expected
    # Without electrical stimulation it is still recorded for the therapist.
    assert judgement.reasons[0].rule == "implanted_device"
    assert judgement.reasons[0].disposition == ("needs_review" if estim else "inform")


def test_it_only_informs_about_alcohol_today():
    judgement = judge(healthy(alcohol_today="yes"), service_uses_estim=False)
    assert judgement.outcome == CLEARED
    assert judgement.results == [
        {
            "rule": "alcohol_today",
            "disposition": "inform",
            "reasons": [rules.RULES_BY_ID["alcohol_today"].staff_reason],
            "questions": ["alcohol_today"],
        }
    ]


def test_it_takes_the_strictest_disposition_and_keeps_every_reason():
    judgement = judge(healthy(diabetes="yes", acute_illness="yes", alcohol_today="yes"), service_uses_estim=False)
    assert judgement.outcome == NOT_SUITABLE
    assert [r.rule for r in judgement.reasons] == ["acute_illness", "diabetes", "alcohol_today"]


def test_it_never_puts_rule_ids_in_patient_wording():
    for rule in rules.RULES:
        # Ids such as "needle_fear" or "consent_capacity" are ours; plain words like "pregnancy" may appear.
        assert "_" not in rule.patient_text


@given(
    st.dictionaries(
        st.sampled_from([q.name for q in rules.QUESTIONS]),
        st.sampled_from(["yes", "no", "unsure", "fine", "nervous", "strong"]),
    ),
    st.booleans(),
)
def test_it_is_a_pure_function_of_the_answers(changes, estim):
    answers = healthy(**changes)
    first = judge(answers, service_uses_estim=estim)
    assert judge(dict(answers), service_uses_estim=estim) == first
    assert first.outcome in (CLEARED, NEEDS_REVIEW, NOT_SUITABLE)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2008, 5, 10), date(2026, 5, 9), 17),
        (date(2008, 5, 10), date(2026, 5, 10), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_it_counts_age_in_whole_years(born, day, age):
    assert rules.age_on(born, day) == age
