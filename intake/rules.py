"""The screening rule set as data (docs/clinical.md, "The rules"), and the pure function that judges answers by it.

Each row of the clinical table is one `Rule` here: the question it reads, its default disposition, and any
escalations ("first trimester: not suitable online") as declarative conditions. A clinician changing a disposition
changes the data below, bumps VERSION and records its fingerprint in FINGERPRINTS (a test refuses a change to the
rules or questions under an old version); `judge()` never needs to change. Nothing here touches the database.

Rule ids are internal (staff see them, patients never do). Every rule and every escalation has its own patient
wording, so an outcome page never says "a therapist will check" when the answer is "please call us".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

VERSION = "2026.2"

# The fingerprint (see fingerprint()) of each released version. Intakes keep the version they were judged by, so a
# version's rules never change once released: any change to AREAS, SIDES, QUESTIONS or RULES is a new version here.
FINGERPRINTS = {
    "2026.1": "1f1a06def9c52783",
    "2026.2": "3dc34ac6eb7565a1",
}

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
INR_MAX_AGE_DAYS = 7  # an INR older than this is not a current one (Muñoz et al. 2022)
INR_LIMIT_WITHOUT_TARGET = "3.5"  # above this, with no target range known, no needling before a talk


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
    ("chest", "Chest or ribs"),
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

# The side of the body the areas to treat are on (step 2), asked so that "lymphoedema of the left arm" can be
# compared with "right shoulder".
SIDES = (
    ("left", "Left"),
    ("right", "Right"),
    ("both", "Both sides"),
    ("middle", "The middle, such as the spine or the front of the neck"),
)

# The areas that belong to an affected arm, leg or head and neck, and those of the trunk quadrant beside it (whose
# lymph drains to the same nodes). The neck counts with the arm: the upper trapezius spans neck and shoulder, and
# a patient with armpit nodes removed cannot be expected to know where a quadrant ends. Tuples, not sets, so the
# fingerprint does not depend on hash order.
LIMB_AREAS = {
    "arm": ("shoulder", "elbow_arm", "wrist_hand"),
    "leg": ("hip_buttock", "thigh", "knee", "calf_shin", "ankle_foot"),
    "head_neck": ("head_jaw", "neck"),
}
QUADRANT_AREAS = {
    "arm": ("neck", "upper_back", "chest"),
    "leg": ("lower_back", "hip_buttock"),
    "head_neck": ("shoulder", "upper_back"),
}
NEAR_THE_CHEST = ("neck", "shoulder", "upper_back", "chest")

BODY_SIDE_OR_UNSURE = (("left", "Left"), ("right", "Right"), ("both", "Both sides"), ("unsure", "Not sure"))

ANTITHROMBOTICS = (
    ("warfarin", "Warfarin, acenocoumarol or another vitamin K antagonist"),
    ("doac", "Apixaban, rivaroxaban, dabigatran or edoxaban"),
    ("heparin", "Heparin injections (for example enoxaparin)"),
    ("clopidogrel", "Clopidogrel, prasugrel or ticagrelor"),
    ("aspirin", "Aspirin (including low dose)"),
    ("other", "Another blood-thinning medicine"),
)
IF_VKA = "If you take warfarin, acenocoumarol or another vitamin K antagonist: "

# Medicines and supplements that add to a blood thinner's effect on bleeding (docs/clinical.md, "all medicines").
BLEEDING_RISK_MEDICINES = (
    ("nsaid", "Anti-inflammatory painkillers, such as ibuprofen, naproxen or diclofenac"),
    ("ssri", "Antidepressants such as sertraline, fluoxetine or citalopram"),
    ("fish_oil", "Fish oil or omega-3"),
    ("ginkgo", "Ginkgo"),
    ("garlic", "Garlic tablets or capsules"),
    ("turmeric", "Turmeric or curcumin"),
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
        "Do you take a medicine that thins the blood or stops clots, such as warfarin, acenocoumarol, apixaban, "
        "heparin, clopidogrel or aspirin?",
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
                f"{IF_VKA}your latest INR, if you know it",
                kind="decimal",
                required=False,
                min_value=0.5,
                max_value=15,
                help="For example 2.4",
            ),
            FollowUp(
                "inr_date",
                f"{IF_VKA}the date of that INR test",
                kind="date",
                required=False,
                help="If it was more than a week ago, a therapist may ask for a newer result.",
            ),
            FollowUp(
                "inr_target_high",
                f"{IF_VKA}the top of your INR target range, if you know it",
                kind="decimal",
                required=False,
                min_value=1,
                max_value=5,
                help="For a target range of 2 to 3, enter 3",
            ),
        ),
    ),
    Question(
        "medicines",
        "Do you take any other medicines, vitamins or supplements, including ones you buy without a prescription?",
        help="Some painkillers, antidepressants and supplements can make you bleed or bruise a little more easily.",
        follow_ups=(
            FollowUp(
                "medicines_list",
                "If yes: please list them all",
                kind="long_text",
                help="For example: ibuprofen when needed, sertraline 50 mg, fish oil.",
            ),
            FollowUp(
                "medicines_bleeding",
                "If yes: do you take any of these? Choose all that apply.",
                kind="multi",
                choices=BLEEDING_RISK_MEDICINES,
                required=False,
            ),
        ),
    ),
    Question(
        "blood_clot",
        "Have you had a blood clot, such as a deep vein thrombosis (DVT) in a leg or a clot in the lungs?",
        follow_ups=(
            FollowUp(
                "clot_when",
                "If yes: when?",
                kind="choice",
                choices=(("recent", "Now, or in the last 3 months"), ("older", "More than 3 months ago")),
            ),
            FollowUp(
                "clot_where",
                "If yes: where was the clot? Choose all that apply.",
                kind="multi",
                choices=(("leg", "A leg"), ("arm", "An arm"), ("lung", "The lungs"), ("other", "Somewhere else")),
            ),
            FollowUp(
                "clot_side",
                "If yes: on which side?",
                kind="choice",
                choices=(
                    ("left", "Left"),
                    ("right", "Right"),
                    ("both", "Both sides"),
                    ("unsure", "Not sure, or not in an arm or leg"),
                ),
            ),
            FollowUp("clot_treatment", "If yes: how is it treated, or how was it treated?"),
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
            FollowUp(
                "skin_where",
                "If yes: where is it?",
                kind="choice",
                choices=(
                    ("at_area", "At or near the area I want treated"),
                    ("elsewhere", "Somewhere else on my body"),
                ),
            ),
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
        reveal_on=(),
    ),
    Question(
        "fainted_needles",
        "Have you ever fainted, or nearly fainted, with needles, injections or blood tests?",
    ),
    Question(
        "consent_capacity",
        "Does the person having treatment find it hard to understand information or make decisions about their "
        "care, for example because of confusion or memory problems?",
        follow_ups=(FollowUp("decision_maker", "If yes: who makes care decisions with or for them?", required=False),),
    ),
    Question(
        "bad_reaction",
        "Have you ever had a serious or allergic reaction to dry needling, acupuncture or an injection?",
        help="For example a severe allergy (anaphylaxis), fainting and getting hurt, or an infection that needed "
        "treatment. A sore arm after a vaccine does not count.",
        follow_ups=(FollowUp("bad_reaction_what", "If yes: what happened?", kind="long_text"),),
    ),
    Question(
        "lymphoedema",
        "Do you have lymphoedema (swelling from the lymph system), or have you had lymph nodes removed?",
        follow_ups=(
            FollowUp(
                "lymph_part",
                "If yes: which part of your body? Choose all that apply.",
                kind="multi",
                choices=(
                    ("arm", "An arm, or lymph nodes removed from the armpit"),
                    ("leg", "A leg, or lymph nodes removed from the groin"),
                    ("head_neck", "The head or neck, or lymph nodes removed from the neck"),
                    ("other", "Somewhere else"),
                ),
            ),
            FollowUp("lymph_side", "If yes: on which side?", kind="choice", choices=BODY_SIDE_OR_UNSURE),
            FollowUp("lymph_details", "If yes: when did it start, or when were the lymph nodes removed?"),
        ),
    ),
    Question(
        "lung_disease",
        "Do you have a lung disease, such as COPD, emphysema or cystic fibrosis, or have you ever had a collapsed "
        "lung?",
        follow_ups=(
            FollowUp("lung_which", "If yes: which condition?"),
            FollowUp("lung_collapse", "If a lung collapsed: when, and on which side?", required=False),
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
        "joint_replacement",
        "Do you have a joint replacement, such as a new hip, knee or shoulder, in or near the area you want treated?",
        help="However long ago it was.",
        follow_ups=(FollowUp("joint_replacement_which", "If yes: which joint, and when was it replaced?"),),
    ),
    Question(
        "alcohol_today",
        "Have you had alcohol or recreational drugs today?",
    ),
)

QUESTIONS_BY_NAME = {q.name: q for q in QUESTIONS}
FOLLOW_UP_PARENT = {f.name: q.name for q in QUESTIONS for f in q.follow_ups}
# Answers that are not questions of the health step: the areas and side (step 2), and what the service adds.
OTHER_ANSWERS = ("areas", "area_side", "what_brings_you", "age", "answered_on")


# --- Conditions ------------------------------------------------------------------------------------------------


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _sides_meet(area_side, other_side) -> bool:
    """Whether the side to treat can be the affected side. Only two definite, different sides (left and right) are
    apart: "both", "the middle" and "not sure" are taken to meet anything, the safe reading."""
    definite = ("left", "right")
    return not (area_side in definite and other_side in definite and area_side != other_side)


def _part_at_area(answers: dict, parts_field: str, side_field: str, with_quadrant: bool) -> bool:
    areas = answers.get("areas") or []
    if not isinstance(areas, list | tuple):
        return False
    parts = answers.get(parts_field) or []
    near = set()
    for part in parts if isinstance(parts, list | tuple) else [parts]:
        near.update(LIMB_AREAS.get(part, ()))
        if with_quadrant:
            near.update(QUADRANT_AREAS.get(part, ()))
    return bool(near.intersection(areas)) and _sides_meet(answers.get("area_side"), answers.get(side_field))


@dataclass(frozen=True)
class Condition:
    """A declarative test on the answers (or on the context, such as the chosen service)."""

    field: str
    # in | lt | lte | gt | gt_answer | count_gte | contains | any_of | missing | older_than_days | part_at_area
    # | context
    op: str
    value: object = None

    def holds(self, answers: dict, context: dict) -> bool:
        if self.op == "context":
            return bool(context.get(self.field))
        answer = answers.get(self.field)
        if self.op == "in":
            return answer in self.value
        if self.op in ("lt", "lte", "gt"):
            number = _number(answer)
            if number is None:
                return False
            limit = Decimal(str(self.value))
            return {"lt": number < limit, "lte": number <= limit, "gt": number > limit}[self.op]
        if self.op == "gt_answer":
            number, other = _number(answer), _number(answers.get(self.value))
            return number is not None and other is not None and number > other
        if self.op == "count_gte":
            return isinstance(answer, list | tuple) and len(answer) >= self.value
        if self.op == "contains":
            return isinstance(answer, list | tuple) and self.value in answer
        if self.op == "any_of":
            return isinstance(answer, list | tuple) and bool(set(answer) & set(self.value))
        if self.op == "missing":
            return answer in (None, "", [])
        if self.op == "older_than_days":
            # Compared with the day of answering; without that day (or a date), the date cannot be called recent.
            when, answered_on = _date(answer), _date(answers.get("answered_on"))
            return when is not None and (answered_on is None or (answered_on - when).days > self.value)
        if self.op == "part_at_area":
            side_field, with_quadrant = self.value
            return _part_at_area(answers, self.field, side_field, with_quadrant)
        raise ValueError(f"Unknown condition operator {self.op!r}")


def answer_in(name: str, *values: str) -> Condition:
    return Condition(name, "in", tuple(values))


def answer_is_yes(name: str) -> Condition:
    return answer_in(name, "yes")


def answer_below(name: str, limit: float) -> Condition:
    return Condition(name, "lt", limit)


def answer_at_most(name: str, limit: float) -> Condition:
    return Condition(name, "lte", limit)


def answer_above(name: str, limit: str) -> Condition:
    return Condition(name, "gt", limit)


def answer_above_answer(name: str, other: str) -> Condition:
    return Condition(name, "gt_answer", other)


def answer_missing(name: str) -> Condition:
    return Condition(name, "missing")


def chosen_at_least(name: str, count: int) -> Condition:
    return Condition(name, "count_gte", count)


def chosen(name: str, value: str) -> Condition:
    return Condition(name, "contains", value)


def chosen_any(name: str, *values: str) -> Condition:
    return Condition(name, "any_of", tuple(values))


def date_older_than(name: str, days: int) -> Condition:
    return Condition(name, "older_than_days", days)


def part_at_area(name: str, side: str, *, with_quadrant: bool) -> Condition:
    """The body parts chosen in `name` (arm, leg, head and neck), on the side answered in `side`, include an area to
    treat; with_quadrant: or the trunk quadrant beside the limb."""
    return Condition(name, "part_at_area", (side, with_quadrant))


def service_uses_estim() -> Condition:
    return Condition("service_uses_estim", "context")


# --- Rules -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    """A stricter (or different) disposition when all its conditions hold, with its own patient wording."""

    when: tuple[Condition, ...]
    disposition: str
    staff_reason: str
    patient_text: str


@dataclass(frozen=True)
class Rule:
    id: str
    applies_when: tuple[Condition, ...]
    disposition: str
    staff_reason: str
    patient_text: str
    escalations: tuple[Escalation, ...] = ()
    questions: tuple[str, ...] = ()  # questions whose answers the reviewer should look at

    def evaluate(self, answers: dict, context: dict) -> tuple[str, list[str], list[str]]:
        """(disposition, staff reasons, patient texts) of this rule; CLEAR when it does not apply.

        The patient reads the wording of the escalations that set the rule's disposition, else the rule's own."""
        if not all(c.holds(answers, context) for c in self.applies_when):
            return CLEAR, [], []
        disposition, reasons, fired = self.disposition, [self.staff_reason], []
        for escalation in self.escalations:
            if all(c.holds(answers, context) for c in escalation.when):
                reasons.append(escalation.staff_reason)
                fired.append(escalation)
                if SEVERITY[escalation.disposition] > SEVERITY[disposition]:
                    disposition = escalation.disposition
        texts = [e.patient_text for e in fired if e.disposition == disposition] or [self.patient_text]
        return disposition, reasons, texts

    def wordings(self) -> list[tuple[str, str]]:
        """(disposition, patient text) of the rule and of each escalation."""
        return [(self.disposition, self.patient_text)] + [(e.disposition, e.patient_text) for e in self.escalations]


KEEP_TAKING = "Please keep taking your medicine as your doctor advised."

RULES: tuple[Rule, ...] = (
    Rule(
        "bleeding_disorder",
        (answer_is_yes("bleeding_disorder"),),
        NOT_SUITABLE,
        "Bleeding disorder",
        "With a bleeding disorder, even a very fine needle can cause bleeding that is hard to stop. We would like "
        "to talk with you about what is safe before you book.",
        questions=("bleeding_disorder",),
    ),
    Rule(
        "antithrombotic",
        (answer_is_yes("antithrombotic"),),
        NEEDS_REVIEW,
        "Takes an anticoagulant or antiplatelet medicine",
        f"You take a medicine that thins your blood, so a therapist will look at your answers before your visit. "
        f"{KEEP_TAKING}",
        escalations=(
            Escalation(
                (answer_above_answer("inr_latest", "inr_target_high"),),
                NOT_SUITABLE,
                "Latest INR above the top of the target range",
                f"Your last INR was above your target range, so you may bleed more easily right now. We would like to "
                f"talk with you before any needling. {KEEP_TAKING}",
            ),
            Escalation(
                (answer_above("inr_latest", INR_LIMIT_WITHOUT_TARGET), answer_missing("inr_target_high")),
                NOT_SUITABLE,
                "Latest INR above 3.5 and no target range given",
                f"Your last INR was above 3.5, which is too high for needling to be safe, so we would like to talk "
                f"with you first. {KEEP_TAKING}",
            ),
            Escalation(
                (chosen_at_least("antithrombotic_medicines", 2),),
                NOT_SUITABLE,
                "Takes two or more antithrombotic medicines",
                "You take two medicines that thin the blood, and together they make bleeding more likely. We would "
                f"like to talk with you before any needling. {KEEP_TAKING}",
            ),
            Escalation(
                (chosen("antithrombotic_medicines", "warfarin"), answer_missing("inr_date")),
                NEEDS_REVIEW,
                "Vitamin K antagonist: INR date not given (never cleared without a recent INR)",
                "We do not know when your last INR test was. A therapist will look at your answers, and may ask for "
                "a test from the week before your visit.",
            ),
            Escalation(
                (chosen("antithrombotic_medicines", "warfarin"), date_older_than("inr_date", INR_MAX_AGE_DAYS)),
                NEEDS_REVIEW,
                "Vitamin K antagonist: INR more than 7 days old",
                "Your last INR test was more than a week ago. A therapist will look at your answers, and may ask for "
                "a newer result before needling.",
            ),
        ),
        questions=("antithrombotic",),
    ),
    Rule(
        "medicines",
        (answer_is_yes("medicines"),),
        INFORM,
        "Other medicines or supplements (see the list)",
        "Thank you for listing your medicines. Your therapist will read the list before your session.",
        escalations=(
            Escalation(
                (answer_is_yes("antithrombotic"), chosen_any("medicines_bleeding", *dict(BLEEDING_RISK_MEDICINES))),
                NEEDS_REVIEW,
                "Blood thinner together with medicines or supplements that add to bleeding",
                "Some of your other medicines or supplements can add to the effect of a blood thinner. A therapist "
                "will look at them all together before your visit.",
            ),
        ),
        questions=("medicines",),
    ),
    Rule(
        "blood_clot",
        (answer_is_yes("blood_clot"),),
        NEEDS_REVIEW,
        "Blood clot (DVT or other), elsewhere or more than 3 months ago",
        "You have had a blood clot, so a therapist will look at your answers before your visit.",
        escalations=(
            Escalation(
                (answer_in("clot_when", "recent"), part_at_area("clot_where", "clot_side", with_quadrant=False)),
                NOT_SUITABLE,
                "Blood clot now or in the last 3 months in the limb to treat",
                "You have had a blood clot in the last three months in the arm or leg you want treated. Needling "
                "there could move the clot, so we would like to talk with you before you book.",
            ),
        ),
        questions=("blood_clot",),
    ),
    Rule(
        "pregnancy",
        (answer_in("pregnant", "yes", "unsure"),),
        NEEDS_REVIEW,
        "Pregnant, or could be",
        "As you are pregnant, a therapist will look at your answers first and plan a gentle treatment that suits you.",
        escalations=(
            Escalation(
                (answer_in("pregnant", "unsure"),),
                NOT_SUITABLE,
                "Unsure whether pregnant",
                "As you might be pregnant, we would rather talk with you before any needling.",
            ),
            Escalation(
                (answer_in("pregnancy_stage", "first", "unsure"),),
                NOT_SUITABLE,
                "First trimester or unsure how far along",
                "In the first 12 weeks of pregnancy, or when you are not sure how far along you are, we do not "
                "needle. We would be glad to talk with you about other care.",
            ),
            Escalation(
                (answer_at_most("pregnancy_weeks", 12),),
                NOT_SUITABLE,
                "12 weeks pregnant or less",
                "At 12 weeks of pregnancy or less, we do not needle. We would be glad to talk with you about other "
                "care until then.",
            ),
        ),
        questions=("pregnant",),
    ),
    Rule(
        "skin_problem",
        (answer_is_yes("skin_problem"),),
        NEEDS_REVIEW,
        "Skin infection, open wound, rash or inflamed skin",
        "We never needle through skin that is infected, broken or inflamed. A therapist will look at your answers "
        "first to make sure the skin where we treat is healthy.",
        escalations=(
            Escalation(
                (answer_in("skin_where", "at_area"),),
                NOT_SUITABLE,
                "Skin problem at or near the area to treat",
                "We cannot needle where the skin is infected, broken or inflamed. Once it has healed, we would be "
                "glad to see you, and we can talk about other care in the meantime.",
            ),
        ),
        questions=("skin_problem",),
    ),
    Rule(
        "acute_illness",
        (answer_is_yes("acute_illness"),),
        NOT_SUITABLE,
        "Unwell or feverish today",
        "As you are unwell today, please rest and get well first, and book when you feel better.",
        questions=("acute_illness",),
    ),
    Rule(
        "needle_fear",
        (answer_in("needle_fear", "nervous", "strong"),),
        NEEDS_REVIEW,
        "Worried about needles",
        "Lots of people feel nervous about needles. A therapist will look at your answers and talk it through with "
        "you, so you know what to expect.",
        escalations=(
            Escalation(
                (answer_in("needle_fear", "strong"),),
                NOT_SUITABLE,
                "Strong fear of needles, or does not want needles",
                "Needling is only right for you when you feel happy to go ahead. We would like to talk with you about "
                "treatments that do not use needles.",
            ),
        ),
        questions=("needle_fear",),
    ),
    Rule(
        "fainted_needles",
        (answer_is_yes("fainted_needles"),),
        INFORM,
        "Has fainted with needles, injections or blood tests: treat lying down",
        "As you have fainted with needles before, your therapist will treat you lying down and check on you often.",
        escalations=(
            Escalation(
                (answer_in("needle_fear", "strong"),),
                NOT_SUITABLE,
                "Has fainted with needles and has a strong fear of them",
                "You have fainted with needles before and you feel strongly about them, so we would rather not "
                "needle. We would be glad to talk with you about other care.",
            ),
        ),
        questions=("fainted_needles", "needle_fear"),
    ),
    Rule(
        "consent_capacity",
        (answer_is_yes("consent_capacity"),),
        NOT_SUITABLE,
        "May not be able to give consent",
        "We would like to talk with you, and anyone who helps with your care decisions, before any needling.",
        questions=("consent_capacity",),
    ),
    Rule(
        "under_18",
        (answer_below("age", ADULT_AGE),),
        NEEDS_REVIEW,
        "Under 18 (guardian consented)",
        "For anyone under 18, a therapist looks at the answers first, and a parent or guardian gives consent.",
        questions=(),
    ),
    Rule(
        "bad_reaction",
        (answer_is_yes("bad_reaction"),),
        NOT_SUITABLE,
        "Earlier serious or allergic reaction to needling or an injection",
        "Because of your earlier reaction, we would like to talk it through with you before any needling.",
        questions=("bad_reaction",),
    ),
    Rule(
        "lymphoedema",
        (answer_is_yes("lymphoedema"),),
        NEEDS_REVIEW,
        "Lymphoedema or lymph nodes removed, away from the area to treat",
        "As you have lymphoedema or have had lymph nodes removed, a therapist will look at your answers first, "
        "then plan around the affected side.",
        escalations=(
            Escalation(
                (part_at_area("lymph_part", "lymph_side", with_quadrant=True),),
                NOT_SUITABLE,
                "Area to treat in the affected limb or its trunk quadrant",
                "We do not needle a limb with lymphoedema or removed lymph nodes, or the part of the body next to it, "
                "because of the risk of infection and swelling. The area you want treated is close to it, so we would "
                "like to talk with you first.",
            ),
            Escalation(
                (answer_in("lymph_side", "unsure"),),
                NOT_SUITABLE,
                "Not sure which side has lymphoedema or removed lymph nodes",
                "As you are not sure which side is affected, we would like to talk with you first, so we can keep "
                "well away from it.",
            ),
        ),
        questions=("lymphoedema",),
    ),
    Rule(
        "lung_disease",
        (answer_is_yes("lung_disease"),),
        INFORM,
        "Lung disease or an earlier collapsed lung (area away from the chest)",
        "Thank you for telling us about your lungs: your therapist will know about them, and will take extra care if "
        "they ever treat near your chest.",
        escalations=(
            Escalation(
                (chosen_any("areas", *NEAR_THE_CHEST),),
                NEEDS_REVIEW,
                "Lung disease or earlier collapsed lung; area includes neck, shoulders, upper back or chest",
                "You want treatment near your chest, and you have a lung condition or have had a collapsed lung. A "
                "therapist will look at your answers first and plan how to treat you safely.",
            ),
        ),
        questions=("lung_disease",),
    ),
    Rule(
        "weakened_immunity",
        (answer_is_yes("weakened_immunity"),),
        NEEDS_REVIEW,
        "Weakened immune system",
        "As your immune system is weaker, a therapist will look at your answers first to keep the chance of "
        "infection low.",
        questions=("weakened_immunity",),
    ),
    Rule(
        "heart_valve",
        (answer_is_yes("heart_valve"),),
        NEEDS_REVIEW,
        "Heart valve disease or replacement",
        "With a heart valve problem, an infection can be more serious, so a therapist will look at your answers "
        "first.",
        questions=("heart_valve",),
    ),
    Rule(
        "diabetes",
        (answer_is_yes("diabetes"),),
        NEEDS_REVIEW,
        "Diabetes",
        "A therapist will look at your answers first, as diabetes can affect circulation and healing.",
        questions=("diabetes",),
    ),
    Rule(
        "vascular",
        (answer_is_yes("vascular"),),
        NEEDS_REVIEW,
        "Vascular disease or varicose veins",
        "A therapist will look at your answers first, so we can plan around your veins and blood vessels.",
        questions=("vascular",),
    ),
    Rule(
        "epilepsy",
        (answer_is_yes("epilepsy"),),
        NEEDS_REVIEW,
        "Epilepsy or seizures",
        "A therapist will look at your answers first, so your treatment fits how your seizures are controlled.",
        questions=("epilepsy",),
    ),
    Rule(
        "metal_allergy",
        (answer_is_yes("metal_allergy"),),
        NEEDS_REVIEW,
        "Metal, latex or antiseptic allergy",
        "A therapist will look at your answers first, so we can choose needles, gloves and skin wipes that suit you.",
        questions=("metal_allergy",),
    ),
    Rule(
        "implanted_device",
        (answer_is_yes("implanted_device"),),
        INFORM,
        "Implanted electrical device: needling without electrical stimulation only",
        "Your therapist will know about your device and will not use electrical stimulation.",
        escalations=(
            Escalation(
                (service_uses_estim(),),
                NOT_SUITABLE,
                "Implanted electrical device and the chosen service uses electrical stimulation",
                "We do not use electrical stimulation with a pacemaker, defibrillator or other implanted electrical "
                "device, as it could upset the device. Needling without it may still suit you. We would be glad to "
                "talk it through.",
            ),
        ),
        questions=("implanted_device",),
    ),
    Rule(
        "cancer_near_area",
        (answer_is_yes("cancer_near_area"),),
        NEEDS_REVIEW,
        "Cancer in or near the area to treat",
        "A therapist will look at your answers first and plan carefully around the area where you had cancer.",
        questions=("cancer_near_area",),
    ),
    Rule(
        "recent_surgery",
        (answer_is_yes("recent_surgery"),),
        NEEDS_REVIEW,
        "Surgery or implant near the area in the last 3 months",
        "A therapist will look at your answers first, as the area may still be healing.",
        questions=("recent_surgery",),
    ),
    Rule(
        "joint_replacement",
        (answer_is_yes("joint_replacement"),),
        NEEDS_REVIEW,
        "Joint replacement near the area to treat",
        "A therapist will look at your answers first, so we can keep well away from your new joint and protect it "
        "from infection.",
        questions=("joint_replacement",),
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


def fingerprint() -> str:
    """A digest of everything that decides a judgement or that a patient reads. The dataclasses' reprs are stable
    (tuples and strings only), so the same rules give the same digest on any machine."""
    content = repr((AREAS, SIDES, LIMB_AREAS, QUADRANT_AREAS, QUESTIONS, RULES, ADULT_AGE))
    return hashlib.sha256(content.encode()).hexdigest()[:16]


# --- Judging ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule: str  # internal id: staff only
    disposition: str
    staff_reasons: tuple[str, ...]
    patient_texts: tuple[str, ...]
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Judgement:
    outcome: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    version: str = VERSION

    @property
    def results(self) -> list[dict]:
        """What an intake stores: every rule that applied, with its disposition, staff-facing reasons and the
        wording the patient was shown (kept, so a later version's wording never changes what they were told)."""
        return [
            {
                "rule": r.rule,
                "disposition": r.disposition,
                "reasons": list(r.staff_reasons),
                "questions": list(r.questions),
                "patient_texts": list(r.patient_texts),
            }
            for r in self.reasons
        ]


_OUTCOME_OF = {
    CLEAR: OUTCOME_CLEARED,
    INFORM: OUTCOME_CLEARED,
    NEEDS_REVIEW: OUTCOME_NEEDS_REVIEW,
    NOT_SUITABLE: OUTCOME_NOT_SUITABLE,
}
DISPOSITION_OF_OUTCOME = {
    OUTCOME_CLEARED: INFORM,
    OUTCOME_NEEDS_REVIEW: NEEDS_REVIEW,
    OUTCOME_NOT_SUITABLE: NOT_SUITABLE,
}


def judge(answers: dict, *, service_uses_estim: bool) -> Judgement:
    """Judge a complete set of answers. Pure: the same answers give the same judgement, with no database.

    `answers` holds the health answers and their follow-ups, the areas to treat and their side, plus "age" (whole
    years on the day of answering) and "answered_on" (that day, ISO), which the service adds."""
    context = {"service_uses_estim": service_uses_estim}
    reasons = []
    worst = CLEAR
    for rule in RULES:
        disposition, staff_reasons, patient_texts = rule.evaluate(answers, context)
        if disposition == CLEAR:
            continue
        reasons.append(Reason(rule.id, disposition, tuple(staff_reasons), tuple(patient_texts), rule.questions))
        if SEVERITY[disposition] > SEVERITY[worst]:
            worst = disposition
    return Judgement(outcome=_OUTCOME_OF[worst], reasons=tuple(reasons))


def patient_texts(result: dict) -> list[str]:
    """What the patient reads for one stored result. Results of rule set 2026.1 kept no wording: they get today's
    wording of the same rule at the same disposition, so a "please call us" result never reads "a therapist will
    check"."""
    if "patient_texts" in result:
        return list(result["patient_texts"])
    rule = RULES_BY_ID.get(result.get("rule"))
    if rule is None:
        return []
    return [text for disposition, text in rule.wordings() if disposition == result.get("disposition")][:1]


def outcome_wording(outcome: str, results: list[dict]) -> tuple[list[str], list[str]]:
    """(why, good to know) of an outcome page: the wording of the results that decided the outcome, and on a
    "needs review" page what the therapist will simply be told. A "please call us" page lists only the reasons to
    call, so it never also says that a therapist will check the answers."""
    decisive = DISPOSITION_OF_OUTCOME[outcome]
    why, good_to_know = [], []
    for result in results:
        if result["disposition"] == decisive:
            texts = why
        elif result["disposition"] == INFORM and decisive == NEEDS_REVIEW:
            texts = good_to_know
        else:
            continue
        texts.extend(text for text in patient_texts(result) if text not in texts)
    return why, good_to_know


# Questions of earlier rule sets that are no longer asked, so staff can still read old intakes' answers.
RETIRED_QUESTIONS = {
    "fainted_before": "Fainted with needles or blood tests before (asked of nervous patients until 2026.1)",
    "lymph_where": "Where the lymphoedema is, compared with the area to treat (until 2026.1)",
}
RETIRED_VALUES = {"yes": "Yes", "no": "No", "at_area": "At or near the area to treat", "elsewhere": "Elsewhere"}


def earlier_answers(answers: dict) -> list[tuple[str, str]]:
    """(label, answer) of the answers to questions that the current rule set no longer asks."""
    asked = set(QUESTIONS_BY_NAME) | set(FOLLOW_UP_PARENT) | set(OTHER_ANSWERS)
    return [
        (RETIRED_QUESTIONS.get(name, name), RETIRED_VALUES.get(str(value), str(value)))
        for name, value in answers.items()
        if name not in asked
    ]


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years between a birth date and a day (a 29 February birthday counts from 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def relevant_follow_ups(answers: dict) -> set[str]:
    """Names of the follow-ups that the main answers make relevant (the others are ignored and not stored)."""
    return {f.name for q in QUESTIONS if answers.get(q.name) in q.reveal_on for f in q.follow_ups}
