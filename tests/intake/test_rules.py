"""The rule set judged row by row against the table of docs/clinical.md, both sides of every threshold. No database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake import rules
from intake.rules import judge

CLEARED, NEEDS_REVIEW, NOT_SUITABLE = "cleared", "needs_review", "not_suitable"


def healthy(**changes) -> dict:
    """Answers of a healthy 40-year-old adult who is fine with needles and wants the left calf treated, answered on
    10 May 2026, changed by `changes`."""
    answers = {q.name: q.choices[0][0] for q in rules.QUESTIONS}
    answers.update(needle_fear="fine", age=40, areas=["calf_shin"], area_side="left", answered_on="2026-05-10")
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
    # 24 rows; the immune/heart-valve row is asked as two plain questions.
    assert len(rules.RULES) == 25
    assert len({r.id for r in rules.RULES}) == len(rules.RULES)
    asked = {q.name for q in rules.QUESTIONS} | set(rules.OTHER_ANSWERS) | {"service_uses_estim"}
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
    assert "when you feel better" in judgement.reasons[0].patient_texts[0]


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


LEFT_ARM = {"lymphoedema": "yes", "lymph_part": ["arm"], "lymph_side": "left"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # The example of docs/clinical.md: lymphoedema of the left arm, the right shoulder to treat.
        ({**LEFT_ARM, "areas": ["shoulder"], "area_side": "right"}, NEEDS_REVIEW),
        ({**LEFT_ARM, "areas": ["shoulder"], "area_side": "left"}, NOT_SUITABLE),
        ({**LEFT_ARM, "areas": ["wrist_hand"], "area_side": "both"}, NOT_SUITABLE),
        ({**LEFT_ARM, "lymph_side": "both", "areas": ["elbow_arm"], "area_side": "right"}, NOT_SUITABLE),
        # Armpit nodes removed: the trunk quadrant beside the arm (neck, upper back, chest) counts too.
        ({**LEFT_ARM, "areas": ["neck"], "area_side": "middle"}, NOT_SUITABLE),
        ({**LEFT_ARM, "areas": ["upper_back"], "area_side": "left"}, NOT_SUITABLE),
        ({**LEFT_ARM, "areas": ["chest"], "area_side": "right"}, NEEDS_REVIEW),
        ({**LEFT_ARM, "areas": ["calf_shin"], "area_side": "left"}, NEEDS_REVIEW),
        ({**LEFT_ARM, "areas": ["lower_back"], "area_side": "middle"}, NEEDS_REVIEW),
        # A leg (or groin nodes): the leg and the lower trunk beside it.
        ({"lymphoedema": "yes", "lymph_part": ["leg"], "lymph_side": "right", "area_side": "right"}, NOT_SUITABLE),
        ({"lymphoedema": "yes", "lymph_part": ["leg"], "lymph_side": "right"}, NEEDS_REVIEW),  # left calf
        (
            {"lymphoedema": "yes", "lymph_part": ["leg"], "lymph_side": "right", "areas": ["lower_back"],
             "area_side": "middle"},
            NOT_SUITABLE,
        ),
        ({"lymphoedema": "yes", "lymph_part": ["other"], "lymph_side": "left"}, NEEDS_REVIEW),
        # Not sure which side: not suitable online, wherever the area is.
        ({"lymphoedema": "yes", "lymph_part": ["leg"], "lymph_side": "unsure", "areas": ["neck"]}, NOT_SUITABLE),
    ],
)  # fmt: skip
def test_it_judges_lymphoedema_by_the_affected_limb_and_its_side(changes, expected):
    assert outcome(**changes) == expected


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
        "joint_replacement",
        "blood_clot",
    ],
)
def test_it_sends_relative_contraindications_to_review(question):
    assert outcome(**{question: "yes"}) == NEEDS_REVIEW
    assert rule_ids(**{question: "yes"}) == [question]


@pytest.mark.parametrize(("estim", "expected"), [(True, NOT_SUITABLE), (False, CLEARED)])
def test_it_refuses_electrical_stimulation_with_a_pacemaker_and_informs_without_it(estim, expected):
    judgement = judge(healthy(implanted_device="yes"), service_uses_estim=estim)
    assert judgement.outcome == expected
    # Without electrical stimulation it is still recorded for the therapist.
    assert judgement.reasons[0].rule == "implanted_device"
    assert judgement.reasons[0].disposition == ("not_suitable" if estim else "inform")


def test_it_only_informs_about_alcohol_today():
    judgement = judge(healthy(alcohol_today="yes"), service_uses_estim=False)
    assert judgement.outcome == CLEARED
    assert judgement.results == [
        {
            "rule": "alcohol_today",
            "disposition": "inform",
            "reasons": [rules.RULES_BY_ID["alcohol_today"].staff_reason],
            "questions": ["alcohol_today"],
            "patient_texts": [rules.RULES_BY_ID["alcohol_today"].patient_text],
        }
    ]


def test_it_takes_the_strictest_disposition_and_keeps_every_reason():
    judgement = judge(healthy(diabetes="yes", acute_illness="yes", alcohol_today="yes"), service_uses_estim=False)
    assert judgement.outcome == NOT_SUITABLE
    assert [r.rule for r in judgement.reasons] == ["acute_illness", "diabetes", "alcohol_today"]


def test_it_never_puts_rule_ids_in_patient_wording():
    for rule in rules.RULES:
        # Ids such as "needle_fear" or "consent_capacity" are ours; plain words like "pregnancy" may appear.
        for _, text in rule.wordings():
            assert "_" not in text


@given(
    st.dictionaries(
        st.sampled_from([q.name for q in rules.QUESTIONS] + ["lymph_side", "clot_when", "clot_side", "area_side"]),
        st.sampled_from(["yes", "no", "unsure", "fine", "nervous", "strong", "left", "right", "both", "recent"]),
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


# --- Rows added or changed in rule set 2026.2 ---------------------------------------------------------------------

VKA = {"antithrombotic": "yes", "antithrombotic_medicines": ["warfarin"], "inr_date": "2026-05-08"}


@pytest.mark.parametrize(
    ("inr", "expected"),
    [("4.5", NOT_SUITABLE), ("3.6", NOT_SUITABLE), ("3.5", NEEDS_REVIEW), ("2.5", NEEDS_REVIEW)],
)
def test_it_refuses_an_inr_above_3_5_when_the_target_is_not_known(inr, expected):
    assert outcome(**VKA, inr_latest=inr) == expected


def test_it_judges_a_known_target_before_the_3_5_limit():
    # A target of 3.5 to 4.5 (mechanical valves): 4.0 is within it, so a therapist decides.
    assert outcome(**VKA, inr_latest="4.0", inr_target_high="4.5") == NEEDS_REVIEW
    assert outcome(**VKA, inr_latest="4.6", inr_target_high="4.5") == NOT_SUITABLE


@pytest.mark.parametrize(
    ("inr_date", "stale"),
    [("2026-05-10", False), ("2026-05-03", False), ("2026-05-02", True), ("2025-11-01", True)],
)
def test_it_never_clears_an_inr_older_than_seven_days(inr_date, stale):
    answers = healthy(**{**VKA, "inr_date": inr_date}, inr_latest="2.4", inr_target_high="3")
    judgement = judge(answers, service_uses_estim=False)

    assert judgement.outcome == NEEDS_REVIEW
    assert ("Vitamin K antagonist: INR more than 7 days old" in judgement.reasons[0].staff_reasons) is stale


def test_it_reviews_an_inr_of_unknown_date_and_says_so():
    judgement = judge(healthy(**{**VKA, "inr_date": ""}, inr_latest="2.4"), service_uses_estim=False)

    assert judgement.outcome == NEEDS_REVIEW
    assert judgement.reasons[0].patient_texts == (rules.RULES_BY_ID["antithrombotic"].escalations[3].patient_text,)


def test_it_reads_an_inr_date_without_the_day_of_answering_as_not_recent():
    answers = healthy(**VKA, inr_latest="2.4")
    del answers["answered_on"]

    assert (
        "Vitamin K antagonist: INR more than 7 days old"
        in judge(answers, service_uses_estim=False).reasons[0].staff_reasons
    )


def test_it_does_not_ask_other_blood_thinners_for_an_inr_date():
    judgement = judge(healthy(antithrombotic="yes", antithrombotic_medicines=["doac"]), service_uses_estim=False)

    assert judgement.reasons[0].staff_reasons == ("Takes an anticoagulant or antiplatelet medicine",)


def test_it_names_every_vitamin_k_antagonist_in_the_inr_questions():
    follow_ups = {f.name: f.label for f in rules.QUESTIONS_BY_NAME["antithrombotic"].follow_ups}

    for name in ("inr_latest", "inr_date", "inr_target_high"):
        assert "warfarin, acenocoumarol or another vitamin K antagonist" in follow_ups[name]
    assert "acenocoumarol" in dict(rules.ANTITHROMBOTICS)["warfarin"]


@pytest.mark.parametrize("area", ["neck", "shoulder", "upper_back", "chest"])
def test_it_reviews_lung_disease_when_the_area_is_near_the_chest(area):
    judgement = judge(healthy(lung_disease="yes", areas=["knee", area]), service_uses_estim=False)

    assert judgement.outcome == NEEDS_REVIEW
    assert judgement.reasons[0].rule == "lung_disease"


@pytest.mark.parametrize("area", ["lower_back", "elbow_arm", "calf_shin", "head_jaw"])
def test_it_informs_about_lung_disease_away_from_the_chest(area):
    judgement = judge(healthy(lung_disease="yes", areas=[area]), service_uses_estim=False)

    assert judgement.outcome == CLEARED
    assert [(r.rule, r.disposition) for r in judgement.reasons] == [("lung_disease", "inform")]


RECENT_LEFT_LEG_CLOT = {"blood_clot": "yes", "clot_when": "recent", "clot_where": ["leg"], "clot_side": "left"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (RECENT_LEFT_LEG_CLOT, NOT_SUITABLE),  # the left calf is to be treated
        ({**RECENT_LEFT_LEG_CLOT, "clot_when": "older"}, NEEDS_REVIEW),
        ({**RECENT_LEFT_LEG_CLOT, "clot_side": "right"}, NEEDS_REVIEW),
        ({**RECENT_LEFT_LEG_CLOT, "clot_side": "unsure"}, NOT_SUITABLE),
        ({**RECENT_LEFT_LEG_CLOT, "area_side": "both"}, NOT_SUITABLE),
        ({**RECENT_LEFT_LEG_CLOT, "areas": ["neck"]}, NEEDS_REVIEW),
        ({**RECENT_LEFT_LEG_CLOT, "clot_where": ["lung"]}, NEEDS_REVIEW),
        ({**RECENT_LEFT_LEG_CLOT, "clot_where": ["arm"], "areas": ["shoulder"]}, NOT_SUITABLE),
        ({**RECENT_LEFT_LEG_CLOT, "clot_where": ["arm"]}, NEEDS_REVIEW),
    ],
)
def test_it_refuses_a_recent_clot_in_the_limb_to_treat_and_reviews_the_others(changes, expected):
    assert outcome(**changes) == expected


def test_it_reviews_a_joint_replacement_however_long_ago():
    judgement = judge(
        healthy(joint_replacement="yes", joint_replacement_which="Left knee, 2009"), service_uses_estim=False
    )

    assert judgement.outcome == NEEDS_REVIEW
    assert "However long ago" in rules.QUESTIONS_BY_NAME["joint_replacement"].help


def test_it_shows_all_medicines_to_the_therapist_without_holding_the_booking():
    judgement = judge(
        healthy(medicines="yes", medicines_list="Sertraline 50 mg, fish oil", medicines_bleeding=["ssri", "fish_oil"]),
        service_uses_estim=False,
    )

    assert judgement.outcome == CLEARED
    assert [(r.rule, r.disposition) for r in judgement.reasons] == [("medicines", "inform")]
    assert judgement.reasons[0].questions == ("medicines",)


@pytest.mark.parametrize(("bleeding", "reasons"), [(["nsaid"], 2), ([], 1)])
def test_it_counts_bleeding_medicines_with_a_blood_thinner_in_the_review(bleeding, reasons):
    judgement = judge(
        healthy(
            antithrombotic="yes",
            antithrombotic_medicines=["aspirin"],
            medicines="yes",
            medicines_list="Ibuprofen when needed",
            medicines_bleeding=bleeding,
        ),
        service_uses_estim=False,
    )

    assert judgement.outcome == NEEDS_REVIEW  # one blood thinner and an NSAID: reviewed, not refused
    medicines = judgement.reasons[1]
    assert medicines.rule == "medicines"
    assert len(medicines.staff_reasons) == reasons
    assert medicines.disposition == ("needs_review" if bleeding else "inform")


@pytest.mark.parametrize(
    ("fear", "expected", "fainting"),
    [("fine", CLEARED, "inform"), ("nervous", NEEDS_REVIEW, "inform"), ("strong", NOT_SUITABLE, "not_suitable")],
)
def test_it_asks_everyone_about_fainting_and_refuses_it_with_strong_fear(fear, expected, fainting):
    judgement = judge(healthy(fainted_needles="yes", needle_fear=fear), service_uses_estim=False)

    assert judgement.outcome == expected
    assert {r.rule: r.disposition for r in judgement.reasons}["fainted_needles"] == fainting
    assert not rules.QUESTIONS_BY_NAME["needle_fear"].follow_ups  # no longer asked of nervous people only


def test_it_words_the_reaction_question_so_a_sore_arm_after_a_vaccine_is_not_one():
    question = rules.QUESTIONS_BY_NAME["bad_reaction"]

    assert "serious or allergic reaction" in question.label
    assert "A sore arm after a vaccine does not count." in question.help


def test_it_gives_every_not_suitable_wording_no_promise_of_a_therapists_check():
    for rule in rules.RULES:
        for disposition, text in rule.wordings():
            if disposition == rules.NOT_SUITABLE:
                assert "will look at your answers" not in text, rule.id
                assert "check" not in text, rule.id
                assert "review" not in text, rule.id
            assert text[0].isupper(), text
            assert text.endswith("."), text


def test_it_gives_each_rule_and_escalation_its_own_wording():
    wordings = [text for rule in rules.RULES for _, text in rule.wordings()]

    assert len(wordings) == len(set(wordings)) == 42


# --- Versions -----------------------------------------------------------------------------------------------------


def test_it_ties_the_rule_set_version_to_the_rules():
    """Fails when the rules or questions change without a new version: intakes are judged by a version, so a
    version's content must never change once released. Bump rules.VERSION and record its fingerprint."""
    assert list(rules.FINGERPRINTS)[-1] == rules.VERSION
    assert rules.fingerprint() == rules.FINGERPRINTS[rules.VERSION], (
        f"The rules changed: release them as a new rules.VERSION with fingerprint {rules.fingerprint()!r}."
    )
    assert len(set(rules.FINGERPRINTS.values())) == len(rules.FINGERPRINTS)


def test_it_notices_a_changed_disposition(monkeypatch):
    changed = tuple(
        rules.Rule(**{**vars(rule), "disposition": rules.NEEDS_REVIEW}) if rule.id == "bleeding_disorder" else rule
        for rule in rules.RULES
    )
    monkeypatch.setattr(rules, "RULES", changed)

    assert rules.fingerprint() != rules.FINGERPRINTS[rules.VERSION]


def test_it_words_results_of_an_earlier_version_without_contradicting_their_outcome():
    """Rule set 2026.1 stored no wording; its "not suitable" results get today's "please call" wording."""
    old = {"rule": "needle_fear", "disposition": "not_suitable", "reasons": ["x", "y"], "questions": ["needle_fear"]}

    assert rules.patient_texts(old) == [rules.RULES_BY_ID["needle_fear"].escalations[0].patient_text]
    assert rules.patient_texts({**old, "disposition": "needs_review"}) == [
        rules.RULES_BY_ID["needle_fear"].patient_text
    ]
    assert rules.patient_texts({**old, "rule": "gone"}) == []


MIRROR = {"left": "right", "right": "left"}


@given(
    part=st.sampled_from(["arm", "leg", "head_neck", "other"]),
    affected=st.sampled_from(["left", "right", "both", "unsure"]),
    areas=st.lists(st.sampled_from([value for value, _ in rules.AREAS]), min_size=1, max_size=3, unique=True),
    side=st.sampled_from([value for value, _ in rules.SIDES]),
)
def test_it_judges_the_sides_of_lymphoedema_symmetrically_and_safely(part, affected, areas, side):
    """Mirroring the body never changes the outcome, "both sides" is never less strict than one side, and "not sure"
    is not suitable online."""
    judged = outcome(lymphoedema="yes", lymph_part=[part], lymph_side=affected, areas=areas, area_side=side)
    mirrored = outcome(
        lymphoedema="yes",
        lymph_part=[part],
        lymph_side=MIRROR.get(affected, affected),
        areas=areas,
        area_side=MIRROR.get(side, side),
    )
    both = outcome(lymphoedema="yes", lymph_part=[part], lymph_side="both", areas=areas, area_side=side)

    assert judged == mirrored
    if affected == "unsure":
        assert judged == NOT_SUITABLE  # stricter even than "both sides": where it is cannot be planned around
    else:
        assert rules.SEVERITY[_disposition(both)] >= rules.SEVERITY[_disposition(judged)]


def _disposition(outcome_: str) -> str:
    return rules.DISPOSITION_OF_OUTCOME[outcome_]
