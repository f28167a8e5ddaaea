"""The engine that judges answers by the rule rows: evaluation, the rule set's versions and their fingerprints.

Pure functions, no database. A clinician changing the rules changes questions.py or table.py, never this file,
except to release the change as a new VERSION with its fingerprint.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from . import questions
from .table import RULES, RULES_BY_ID
from .vocabulary import CLEAR, INFORM, NEEDS_REVIEW, NOT_SUITABLE, SEVERITY, Condition, Rule

VERSION = "2026.2"

# The fingerprint (intake.rules.fingerprint()) of each released version. Intakes keep the version they were judged
# by, so a version's rules never change once released: any change to the areas, sides, questions or rules is a new
# version.
FINGERPRINTS = {
    "2026.1": "1f1a06def9c52783",
    "2026.2": "3dc34ac6eb7565a1",
}

# Outcomes of a whole intake (the same strings as intake.models.Intake.Outcome).
OUTCOME_CLEARED = "cleared"
OUTCOME_NEEDS_REVIEW = "needs_review"
OUTCOME_NOT_SUITABLE = "not_suitable"


def fingerprint_of(*content) -> str:
    """A digest of everything that decides a judgement or that a patient reads. The rows' reprs are stable (tuples
    and strings only), so the same rules give the same digest on any machine."""
    return hashlib.sha256(repr(content).encode()).hexdigest()[:16]


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
        near.update(questions.LIMB_AREAS.get(part, ()))
        if with_quadrant:
            near.update(questions.QUADRANT_AREAS.get(part, ()))
    return bool(near.intersection(areas)) and _sides_meet(answers.get("area_side"), answers.get(side_field))


def holds(condition: Condition, answers: dict, context: dict) -> bool:
    """Whether one condition of a row holds for these answers."""
    op, value = condition.op, condition.value
    if op == "context":
        return bool(context.get(condition.field))
    answer = answers.get(condition.field)
    if op == "in":
        return answer in value
    if op in ("lt", "lte", "gt"):
        number = _number(answer)
        if number is None:
            return False
        limit = Decimal(str(value))
        return {"lt": number < limit, "lte": number <= limit, "gt": number > limit}[op]
    if op == "gt_answer":
        number, other = _number(answer), _number(answers.get(value))
        return number is not None and other is not None and number > other
    if op == "count_gte":
        return isinstance(answer, list | tuple) and len(answer) >= value
    if op == "contains":
        return isinstance(answer, list | tuple) and value in answer
    if op == "any_of":
        return isinstance(answer, list | tuple) and bool(set(answer) & set(value))
    if op == "missing":
        return answer in (None, "", [])
    if op == "older_than_days":
        # Compared with the day of answering; without that day (or a date), the date cannot be called recent.
        when, answered_on = _date(answer), _date(answers.get("answered_on"))
        return when is not None and (answered_on is None or (answered_on - when).days > value)
    if op == "part_at_area":
        side_field, with_quadrant = value
        return _part_at_area(answers, condition.field, side_field, with_quadrant)
    raise ValueError(f"Unknown condition operator {op!r}")


def evaluate(rule: Rule, answers: dict, context: dict) -> tuple[str, list[str], list[str]]:
    """(disposition, staff reasons, patient texts) of one rule; CLEAR when it does not apply.

    The patient reads the wording of the escalations that set the rule's disposition, else the rule's own."""
    if not all(holds(c, answers, context) for c in rule.applies_when):
        return CLEAR, [], []
    disposition, reasons, fired = rule.disposition, [rule.staff_reason], []
    for escalation in rule.escalations:
        if all(holds(c, answers, context) for c in escalation.when):
            reasons.append(escalation.staff_reason)
            fired.append(escalation)
            if SEVERITY[escalation.disposition] > SEVERITY[disposition]:
                disposition = escalation.disposition
    texts = [e.patient_text for e in fired if e.disposition == disposition] or [rule.patient_text]
    return disposition, reasons, texts


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
        disposition, staff_reasons, patient_texts = evaluate(rule, answers, context)
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


def earlier_answers(answers: dict) -> list[tuple[str, str]]:
    """(label, answer) of the answers to questions that the current rule set no longer asks."""
    asked = set(questions.QUESTIONS_BY_NAME) | set(questions.FOLLOW_UP_PARENT) | set(questions.OTHER_ANSWERS)
    return [
        (questions.RETIRED_QUESTIONS.get(name, name), questions.RETIRED_VALUES.get(str(value), str(value)))
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
    return {f.name for q in questions.QUESTIONS if answers.get(q.name) in q.reveal_on for f in q.follow_ups}
