"""The words the questions and the rule rows are written in: dispositions, questions, conditions, rules.

Nothing here judges anything (that is engine.py); these are plain records, so a row reads the same as it is stored
and the fingerprint of a version is the digest of its rows' reprs. The names and order of these records' fields are
therefore part of every fingerprint: renaming or reordering one would need a new version for unchanged rules.
"""

from __future__ import annotations

from dataclasses import dataclass

# Dispositions, from least to most restrictive (docs/clinical.md, "Outcomes").
CLEAR = "clear"
INFORM = "inform"
NEEDS_REVIEW = "needs_review"
NOT_SUITABLE = "not_suitable"
SEVERITY = {CLEAR: 0, INFORM: 1, NEEDS_REVIEW: 2, NOT_SUITABLE: 3}


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


# --- Conditions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A test on one answer (or on the context, such as the chosen service); engine.holds() says what each op
    means. Rows build conditions with the functions below, never by hand."""

    field: str
    # in | lt | lte | gt | gt_answer | count_gte | contains | any_of | missing | older_than_days | part_at_area
    # | context
    op: str
    value: object = None


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


def all_of(*conditions: Condition) -> tuple[Condition, ...]:
    """Several conditions that must all hold."""
    return conditions


# --- Rules -----------------------------------------------------------------------------------------------------


def _conditions(when: Condition | tuple[Condition, ...]) -> tuple[Condition, ...]:
    return (when,) if isinstance(when, Condition) else tuple(when)


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """A stricter (or different) disposition when its condition holds, with its own patient wording."""

    when: tuple[Condition, ...]  # one condition, or all_of(...)
    disposition: str
    staff_reason: str
    patient_text: str

    def __post_init__(self):
        object.__setattr__(self, "when", _conditions(self.when))


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str  # internal: staff see it, patients never do
    applies_when: tuple[Condition, ...]  # one condition, or all_of(...)
    disposition: str
    staff_reason: str
    patient_text: str
    escalations: tuple[Escalation, ...] = ()
    questions: tuple[str, ...] = ()  # questions whose answers the reviewer should look at

    def __post_init__(self):
        object.__setattr__(self, "applies_when", _conditions(self.applies_when))

    def wordings(self) -> list[tuple[str, str]]:
        """(disposition, patient text) of the rule and of each escalation."""
        return [(self.disposition, self.patient_text)] + [(e.disposition, e.patient_text) for e in self.escalations]


def yes_to(
    question: str,
    /,
    *,
    disposition: str,
    staff_reason: str,
    patient_text: str,
    escalations: tuple[Escalation, ...] = (),
    also_show: tuple[str, ...] = (),
) -> Rule:
    """The common row: the answer "yes" to `question` flags a rule of the same name, and the reviewer sees that
    answer (and those named in `also_show`)."""
    return Rule(
        id=question,
        applies_when=answer_is_yes(question),
        disposition=disposition,
        staff_reason=staff_reason,
        patient_text=patient_text,
        escalations=escalations,
        questions=(question, *also_show),
    )
