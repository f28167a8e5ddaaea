"""The screening rule set as data (CLINICAL.md, "Default rules"), and the pure function that judges answers by it.

Each row of CLINICAL.md's table is one `Rule` here: the question it reads, its default disposition, and any
escalations ("first trimester: not suitable online") as declarative conditions. A clinician changing a disposition
changes the data below, then bumps VERSION; `judge()` never needs to change. Nothing here touches the database.

Rule ids are internal (staff see them, patients never do); `patient_text` is what a patient may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

VERSION = "2026.1"

# Dispositions, from least to most restrictive.
CLEAR = "clear"
INFORM = "inform"
NEEDS_REVIEW = "needs_review"
NOT_SUITABLE = "not_suitable"
SEVERITY = {CLEAR: 0, INFORM: 1, NEEDS_REVIEW: 2, NOT_SUITABLE: 3}

# Outcomes of a whole intake (the same strings as intake.models.Intake.Outcome).
OUTCOME_CLEARED = "cleared"
OUTCOME_NEEDS_REVIEW = "needs_review"
OUTCOME_NOT_SUITABLE = "not_suitable"

ADULT_AGE = 18


# --- Questions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """A question asked only when its parent question's answer makes it relevant ("If yes: ...")."""

    name: str
    label: str
    kind: str = "text"  # text | long_text | choice | multi | yesno | number | decimal | date
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    help: str = ""
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = (("no", "No"), ("yes", "Yes"))
    reveal_on: tuple[str, ...] = ("yes",)  # answers that make the follow-ups relevant
    follow_ups: tuple[FollowUp, ...] = ()

    @property
    def reveal_label(self) -> str:
        labels = [label for value, label in self.choices if value in self.reveal_on]
        return " or ".join(f"“{label}”" for label in labels)


YES_NO = (("no", "No"), ("yes", "Yes"))
YES_NO_UNSURE = (("no", "No"), ("yes", "Yes"), ("unsure", "Not sure"))

# Where it hurts (step 2). Several rules compare a problem's place with the area to treat.
AREAS = (
    ("head_jaw", "Head or jaw"),
    ("neck", "Neck"),
    ("shoulder", "Shoulder"),
    ("upper_back", "Upper back"),
    ("lower_back", "Lower back"),
    ("elbow_arm", "Elbow or forearm"),
    ("wrist_hand", "Wrist or hand"),
    ("hip_buttock", "Hip or buttock"),
    ("thigh", "Thigh"),
    ("knee", "Knee"),
    ("calf_shin", "Calf or shin"),
    ("ankle_foot", "Ankle or foot"),
    ("other", "Somewhere else"),
)

AT_AREA = (("at_area", "At or near the area I want treated"), ("elsewhere", "Somewhere else on my body"))

ANTITHROMBOTICS = (
    ("warfarin", "Warfarin or acenocoumarol"),
    ("doac", "Apixaban, rivaroxaban, dabigatran or edoxaban"),
    ("heparin", "Heparin injections (for example enoxaparin)"),
    ("clopidogrel", "Clopidogrel, prasugrel or ticagrelor"),
    ("aspirin", "Aspirin (including low dose)"),
    ("other", "Another blood-thinning medicine"),
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "bleeding_disorder",
        "Do you have a bleeding disorder, such as haemophilia, von Willebrand disease or a low platelet count?",
        follow_ups=(
            FollowUp("bleeding_disorder_which", "If yes: which condition?"),
            FollowUp("bleeding_platelets", "If yes: your platelet count, if you know it", required=False),
            FollowUp("bleeding_bruise_easily", "If yes: do you bruise easily?", kind="yesno"),
            FollowUp(
                "bleeding_long_after",
                "If yes: do you bleed for a long time after a blood test or dental work?",
                kind="yesno",
            ),
        ),
    ),
    Question(
        "antithrombotic",
        "Do you take a medicine that thins the blood or stops clots, such as warfarin, apixaban, heparin, "
        "clopidogrel or aspirin?",
        help="Please keep taking your medicines as prescribed. Never stop a medicine because of this appointment.",
        follow_ups=(
            FollowUp(
                "antithrombotic_medicines",
                "If yes: which medicines? Choose all you take.",
                kind="multi",
                choices=ANTITHROMBOTICS,
            ),
            FollowUp("antithrombotic_why", "If yes: what do you take them for?"),
            FollowUp(
                "inr_latest",
                "If you take warfarin: your latest INR, if you know it",
                kind="decimal",
                required=False,
                min_value=0.5,
                max_value=15,
                help="For example 2.4",
            ),
            FollowUp("inr_date", "If you take warfarin: the date of that INR test", kind="date", required=False),
            FollowUp(
                "inr_target_high",
                "If you take warfarin: the top of your INR target range, if you know it",
                kind="decimal",
                required=False,
                min_value=1,
                max_value=5,
                help="For a target range of 2 to 3, enter 3",
            ),
        ),
    ),
    Question(
        "pregnant",
        "Are you pregnant, or could you be?",
        choices=YES_NO_UNSURE,
        reveal_on=("yes",),
        follow_ups=(
            FollowUp(
                "pregnancy_stage",
                "If yes: how far along are you?",
                kind="choice",
                choices=(("first", "Up to 12 weeks"), ("later", "13 weeks or more"), ("unsure", "Not sure")),
            ),
            FollowUp(
                "pregnancy_weeks",
                "If yes: how many weeks pregnant, if you know",
                kind="number",
                required=False,
                min_value=1,
                max_value=42,
            ),
            FollowUp(
                "pregnancy_complications",
                "If yes: any complications in this pregnancy? Tell us briefly, or write “none”.",
            ),
        ),
    ),
    Question(
        "skin_problem",
        "Do you have a skin infection, an open wound, a rash or inflamed skin?",
        follow_ups=(
            FollowUp("skin_where", "If yes: where is it?", kind="choice", choices=AT_AREA),
            FollowUp("skin_signs", "If yes: is it red, hot or weeping pus?", kind="yesno"),
            FollowUp("skin_antibiotics", "If yes: are you taking antibiotics for it?", kind="yesno"),
        ),
    ),
    Question(
        "acute_illness",
        "Are you unwell today, or do you have a fever or a high temperature?",
    ),
    Question(
        "needle_fear",
        "How do you feel about needles?",
        choices=(
            ("fine", "I'm fine with needles"),
            ("nervous", "I'm a little nervous"),
            ("strong", "I have a strong fear of needles, or I don't want needles"),
        ),
        reveal_on=("nervous", "strong"),
        follow_ups=(
            FollowUp(
                "fainted_before",
                "If you are nervous: have you fainted with needles or blood tests before?",
                kind="yesno",
            ),
        ),
    ),
    Question(
        "consent_capacity",
        "Does the person having treatment find it hard to understand information or make decisions about their "
        "care, for example because of confusion or memory problems?",
        follow_ups=(FollowUp("decision_maker", "If yes: who makes care decisions with or for them?", required=False),),
    ),
    Question(
        "bad_reaction",
        "Have you had a bad reaction to dry needling, acupuncture or an injection before?",
        follow_ups=(FollowUp("bad_reaction_what", "If yes: what happened?", kind="long_text"),),
    ),
    Question(
        "lymphoedema",
        "Do you have lymphoedema (swelling from the lymph system), or have you had lymph nodes removed?",
        follow_ups=(
            FollowUp("lymph_where", "If yes: which part of your body is affected?", kind="choice", choices=AT_AREA),
            FollowUp("lymph_details", "If yes: which arm, leg or side, and when?"),
        ),
    ),
    Question(
        "weakened_immunity",
        "Is your immune system weakened, for example by chemotherapy, steroid tablets, biologic medicines or HIV?",
        follow_ups=(FollowUp("weakened_immunity_which", "If yes: which condition or medicine?"),),
    ),
    Question(
        "heart_valve",
        "Do you have heart valve disease or a replaced heart valve?",
        follow_ups=(FollowUp("heart_valve_which", "If yes: which condition or valve?"),),
    ),
    Question(
        "diabetes",
        "Do you have diabetes?",
        follow_ups=(
            FollowUp(
                "diabetes_control",
                "If yes: how well controlled is it?",
                kind="choice",
                choices=(("well", "Well controlled"), ("not_well", "Not well controlled"), ("unsure", "Not sure")),
            ),
            FollowUp("diabetes_numbness", "If yes: do you have numbness in your feet or hands?", kind="yesno"),
            FollowUp("diabetes_ulcers", "If yes: do you have, or have you had, foot ulcers?", kind="yesno"),
        ),
    ),
    Question(
        "vascular",
        "Do you have a circulation (blood vessel) disease or varicose veins?",
        follow_ups=(FollowUp("vascular_where", "If yes: where?"),),
    ),
    Question(
        "epilepsy",
        "Do you have epilepsy or seizures?",
        follow_ups=(
            FollowUp("epilepsy_type", "If yes: what type, if you know", required=False),
            FollowUp("epilepsy_last", "If yes: when was your last seizure?"),
            FollowUp(
                "epilepsy_controlled", "If yes: is it controlled with treatment?", kind="choice", choices=YES_NO_UNSURE
            ),
        ),
    ),
    Question(
        "metal_allergy",
        "Are you allergic to metals (such as nickel), latex or antiseptics?",
        follow_ups=(
            FollowUp(
                "metal_allergy_which",
                "If yes: which ones? Choose all that apply.",
                kind="multi",
                choices=(("nickel", "Nickel or other metals"), ("latex", "Latex"), ("antiseptic", "Antiseptics")),
            ),
        ),
    ),
    Question(
        "implanted_device",
        "Do you have a pacemaker, a defibrillator or another implanted electrical device?",
        follow_ups=(FollowUp("implanted_device_what", "If yes: what type, and where is it?"),),
    ),
    Question(
        "cancer_near_area",
        "Do you have, or have you had, cancer in or near the area you want treated?",
        follow_ups=(
            FollowUp("cancer_site", "If yes: where?"),
            FollowUp("cancer_treatment", "If yes: any current treatment? Tell us briefly, or write “none”."),
        ),
    ),
    Question(
        "recent_surgery",
        "Have you had surgery or an implant near the area you want treated in the last 3 months?",
        follow_ups=(FollowUp("recent_surgery_what", "If yes: what, where and when?"),),
    ),
    Question(
        "alcohol_today",
        "Have you had alcohol or recreational drugs today?",
    ),
)

QUESTIONS_BY_NAME = {q.name: q for q in QUESTIONS}
FOLLOW_UP_PARENT = {f.name: q.name for q in QUESTIONS for f in q.follow_ups}


# --- Conditions ------------------------------------------------------------------------------------------------


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class Condition:
    """A declarative test on the answers (or on the context, such as the chosen service)."""

    field: str
    op: str  # in | lt | lte | gt_answer | count_gte | context
    value: object = None

    def holds(self, answers: dict, context: dict) -> bool:
        if self.op == "context":
            return bool(context.get(self.field))
        answer = answers.get(self.field)
        if self.op == "in":
            return answer in self.value
        if self.op in ("lt", "lte"):
            number = _number(answer)
            if number is None:
                return False
            return number < Decimal(str(self.value)) if self.op == "lt" else number <= Decimal(str(self.value))
        if self.op == "gt_answer":
            number, other = _number(answer), _number(answers.get(self.value))
            return number is not None and other is not None and number > other
        if self.op == "count_gte":
            return isinstance(answer, list | tuple) and len(answer) >= self.value
        raise ValueError(f"Unknown condition operator {self.op!r}")


def answer_in(name: str, *values: str) -> Condition:
    return Condition(name, "in", tuple(values))


def answer_is_yes(name: str) -> Condition:
    return answer_in(name, "yes")


def answer_below(name: str, limit: float) -> Condition:
    return Condition(name, "lt", limit)


def answer_at_most(name: str, limit: float) -> Condition:
    return Condition(name, "lte", limit)


def answer_above_answer(name: str, other: str) -> Condition:
    return Condition(name, "gt_answer", other)


def chosen_at_least(name: str, count: int) -> Condition:
    return Condition(name, "count_gte", count)


def service_uses_estim() -> Condition:
    return Condition("service_uses_estim", "context")


# --- Rules -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    """A stricter (or different) disposition when all its conditions hold."""

    when: tuple[Condition, ...]
    disposition: str
    staff_reason: str


@dataclass(frozen=True)
class Rule:
    id: str
    applies_when: tuple[Condition, ...]
    disposition: str
    staff_reason: str
    patient_text: str
    escalations: tuple[Escalation, ...] = ()
    questions: tuple[str, ...] = ()  # questions whose answers the reviewer should look at

    def evaluate(self, answers: dict, context: dict) -> tuple[str, list[str]]:
        """(disposition, staff reasons) of this rule; CLEAR when it does not apply."""
        if not all(c.holds(answers, context) for c in self.applies_when):
            return CLEAR, []
        disposition, reasons = self.disposition, [self.staff_reason]
        for escalation in self.escalations:
            if all(c.holds(answers, context) for c in escalation.when):
                reasons.append(escalation.staff_reason)
                if SEVERITY[escalation.disposition] > SEVERITY[disposition]:
                    disposition = escalation.disposition
        return disposition, reasons


RULES: tuple[Rule, ...] = (
    Rule(
        "bleeding_disorder",
        (answer_is_yes("bleeding_disorder"),),
        NOT_SUITABLE,
        "Bleeding disorder",
        "Needling is not advised online for people with a bleeding disorder; we would like to talk it through.",
        questions=("bleeding_disorder",),
    ),
    Rule(
        "antithrombotic",
        (answer_is_yes("antithrombotic"),),
        NEEDS_REVIEW,
        "Takes an anticoagulant or antiplatelet medicine",
        "Because you take a blood-thinning medicine, a therapist will check your answers first.",
        escalations=(
            Escalation(
                (answer_above_answer("inr_latest", "inr_target_high"),),
                NOT_SUITABLE,
                "Latest INR above the top of the target range",
            ),
            Escalation(
                (chosen_at_least("antithrombotic_medicines", 2),),
                NOT_SUITABLE,
                "Takes two or more antithrombotic medicines",
            ),
        ),
        questions=("antithrombotic",),
    ),
    Rule(
        "pregnancy",
        (answer_in("pregnant", "yes", "unsure"),),
        NEEDS_REVIEW,
        "Pregnant, or could be",
        "During pregnancy a therapist checks your answers first and plans a gentle treatment.",
        escalations=(
            Escalation((answer_in("pregnant", "unsure"),), NOT_SUITABLE, "Unsure whether pregnant"),
            Escalation(
                (answer_in("pregnancy_stage", "first", "unsure"),),
                NOT_SUITABLE,
                "First trimester or unsure how far along",
            ),
            Escalation((answer_at_most("pregnancy_weeks", 12),), NOT_SUITABLE, "12 weeks pregnant or less"),
        ),
        questions=("pregnant",),
    ),
    Rule(
        "skin_problem",
        (answer_is_yes("skin_problem"),),
        NEEDS_REVIEW,
        "Skin infection, open wound, rash or inflamed skin",
        "We never needle skin that is infected, broken or inflamed, so we would like to check first.",
        escalations=(
            Escalation(
                (answer_in("skin_where", "at_area"),), NOT_SUITABLE, "Skin problem at or near the area to treat"
            ),
        ),
        questions=("skin_problem",),
    ),
    Rule(
        "acute_illness",
        (answer_is_yes("acute_illness"),),
        NOT_SUITABLE,
        "Unwell or feverish today",
        "As you are unwell today, please book when you feel better.",
        questions=("acute_illness",),
    ),
    Rule(
        "needle_fear",
        (answer_in("needle_fear", "nervous", "strong"),),
        NEEDS_REVIEW,
        "Worried about needles",
        "Many people feel nervous about needles; a therapist will check your answers and talk it through with you.",
        escalations=(
            Escalation(
                (answer_in("needle_fear", "strong"),), NOT_SUITABLE, "Strong fear of needles, or does not want needles"
            ),
        ),
        questions=("needle_fear",),
    ),
    Rule(
        "consent_capacity",
        (answer_is_yes("consent_capacity"),),
        NOT_SUITABLE,
        "May not be able to give consent",
        "We would like to talk with you, and anyone who helps with care decisions, before needling.",
        questions=("consent_capacity",),
    ),
    Rule(
        "under_18",
        (answer_below("age", ADULT_AGE),),
        NEEDS_REVIEW,
        "Under 18 (guardian consented)",
        "For anyone under 18, a therapist checks the answers first.",
        questions=(),
    ),
    Rule(
        "bad_reaction",
        (answer_is_yes("bad_reaction"),),
        NOT_SUITABLE,
        "Earlier bad reaction to needling or injections",
        "Because of your earlier reaction, we would like to talk it through with you before any needling.",
        questions=("bad_reaction",),
    ),
    Rule(
        "lymphoedema",
        (answer_is_yes("lymphoedema"),),
        NEEDS_REVIEW,
        "Lymphoedema or lymph nodes removed",
        "Because of lymphoedema or removed lymph nodes, a therapist will check your answers first.",
        escalations=(
            Escalation((answer_in("lymph_where", "at_area"),), NOT_SUITABLE, "Affected limb is the area to treat"),
        ),
        questions=("lymphoedema",),
    ),
    Rule(
        "weakened_immunity",
        (answer_is_yes("weakened_immunity"),),
        NEEDS_REVIEW,
        "Weakened immune system",
        "A therapist will check your answers first to keep the risk of infection low.",
        questions=("weakened_immunity",),
    ),
    Rule(
        "heart_valve",
        (answer_is_yes("heart_valve"),),
        NEEDS_REVIEW,
        "Heart valve disease or replacement",
        "A therapist will check your answers first to keep the risk of infection low.",
        questions=("heart_valve",),
    ),
    Rule(
        "diabetes",
        (answer_is_yes("diabetes"),),
        NEEDS_REVIEW,
        "Diabetes",
        "A therapist will check your answers first, as diabetes can affect circulation and healing.",
        questions=("diabetes",),
    ),
    Rule(
        "vascular",
        (answer_is_yes("vascular"),),
        NEEDS_REVIEW,
        "Vascular disease or varicose veins",
        "A therapist will check your answers first so we can plan around your veins.",
        questions=("vascular",),
    ),
    Rule(
        "epilepsy",
        (answer_is_yes("epilepsy"),),
        NEEDS_REVIEW,
        "Epilepsy or seizures",
        "A therapist will check your answers first.",
        questions=("epilepsy",),
    ),
    Rule(
        "metal_allergy",
        (answer_is_yes("metal_allergy"),),
        NEEDS_REVIEW,
        "Metal, latex or antiseptic allergy",
        "A therapist will check your answers first so we can choose suitable materials.",
        questions=("metal_allergy",),
    ),
    Rule(
        "implanted_device",
        (answer_is_yes("implanted_device"),),
        INFORM,
        "Implanted electrical device: no electrical stimulation near it",
        "Your therapist will know about your device and will not use electrical stimulation near it.",
        escalations=(
            Escalation(
                (service_uses_estim(),),
                NEEDS_REVIEW,
                "Implanted electrical device and the chosen service uses electrical stimulation",
            ),
        ),
        questions=("implanted_device",),
    ),
    Rule(
        "cancer_near_area",
        (answer_is_yes("cancer_near_area"),),
        NEEDS_REVIEW,
        "Cancer in or near the area to treat",
        "A therapist will check your answers first.",
        questions=("cancer_near_area",),
    ),
    Rule(
        "recent_surgery",
        (answer_is_yes("recent_surgery"),),
        NEEDS_REVIEW,
        "Surgery or implant near the area in the last 3 months",
        "A therapist will check your answers first, as the area may still be healing.",
        questions=("recent_surgery",),
    ),
    Rule(
        "alcohol_today",
        (answer_is_yes("alcohol_today"),),
        INFORM,
        "Alcohol or recreational drugs today (therapist decides on the day)",
        "Please tell your therapist on the day; they may suggest another time.",
        questions=("alcohol_today",),
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}


# --- Judging ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule: str  # internal id: staff only
    disposition: str
    staff_reasons: tuple[str, ...]
    patient_text: str
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Judgement:
    outcome: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    version: str = VERSION

    @property
    def results(self) -> list[dict]:
        """What an intake stores: every rule that applied, with its disposition and staff-facing reasons."""
        return [
            {
                "rule": r.rule,
                "disposition": r.disposition,
                "reasons": list(r.staff_reasons),
                "questions": list(r.questions),
            }
            for r in self.reasons
        ]


_OUTCOME_OF = {
    CLEAR: OUTCOME_CLEARED,
    INFORM: OUTCOME_CLEARED,
    NEEDS_REVIEW: OUTCOME_NEEDS_REVIEW,
    NOT_SUITABLE: OUTCOME_NOT_SUITABLE,
}


def judge(answers: dict, *, service_uses_estim: bool) -> Judgement:
    """Judge a complete set of answers. Pure: the same answers give the same judgement, with no database.

    `answers` holds the health answers and their follow-ups, plus "age" (whole years on the day of answering)."""
    context = {"service_uses_estim": service_uses_estim}
    reasons = []
    worst = CLEAR
    for rule in RULES:
        disposition, staff_reasons = rule.evaluate(answers, context)
        if disposition == CLEAR:
            continue
        reasons.append(Reason(rule.id, disposition, tuple(staff_reasons), rule.patient_text, rule.questions))
        if SEVERITY[disposition] > SEVERITY[worst]:
            worst = disposition
    return Judgement(outcome=_OUTCOME_OF[worst], reasons=tuple(reasons))


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years between a birth date and a day (a 29 February birthday counts from 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def relevant_follow_ups(answers: dict) -> set[str]:
    """Names of the follow-ups that the main answers make relevant (the others are ignored and not stored)."""
    return {f.name for q in QUESTIONS if answers.get(q.name) in q.reveal_on for f in q.follow_ups}
