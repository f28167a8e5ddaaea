"""The screening rules that judge a patient's health answers before they book needling (docs/clinical.md).

Read it in this order:

- questions.py: what the patient is asked, with the follow-ups each answer reveals;
- table.py: the rules, one row per rule, in the order of the table of docs/clinical.md, "The rules";
- vocabulary.py: the words the rows are written in; engine.py: how the rows are applied, and the versions.

How to read a row of table.py:

    yes_to(
        "diabetes",                  # the question: answering "yes" to it flags a rule of the same name
        disposition=NEEDS_REVIEW,    # what the rule does (below)
        staff_reason="Diabetes",     # what staff read on the review page
        patient_text="A therapist will look at your answers first, ...",  # what the patient reads
        escalations=(...),           # optional: stricter dispositions, each when its condition holds
    ),

A row that is not a plain "yes to X" is written `Rule(id=..., applies_when=<condition>, ...)` with the same named
fields and `questions=` (the answers the reviewer is shown). Conditions read as they say: `answer_in("pregnant",
"yes", "unsure")`, `answer_below("age", ADULT_AGE)`, `chosen("antithrombotic_medicines", "warfarin")`, and
`all_of(a, b)` when both must hold. An escalation is `Escalation(when=<condition>, disposition=..., staff_reason=...,
patient_text=...)`.

Dispositions, from mildest: INFORM (the therapist is told; the booking goes ahead), NEEDS_REVIEW (the booking waits
for a therapist's approval), NOT_SUITABLE (needling cannot be booked online; the patient is asked to call). A rule
takes the strictest of its own disposition and its escalations that hold, and the patient reads the wording of
that one. An intake's outcome is the strictest disposition of all the rules that apply; every one is kept.

Changing a row, a question or its wording changes what intakes are judged by, so it is released as a new version:
set engine.VERSION and add its fingerprint to engine.FINGERPRINTS (tests/intake/test_rules.py prints the new one).
Intakes keep the version they were judged by, and a released version's content never changes.
"""

from .engine import (
    DISPOSITION_OF_OUTCOME,
    FINGERPRINTS,
    VERSION,
    age_on,
    earlier_answers,
    fingerprint_of,
    judge,
    outcome_wording,
    patient_texts,
    relevant_follow_ups,
)
from .questions import (
    ANTITHROMBOTICS,
    AREAS,
    FOLLOW_UP_PARENT,
    LIMB_AREAS,
    OTHER_ANSWERS,
    QUADRANT_AREAS,
    QUESTIONS,
    QUESTIONS_BY_NAME,
    SIDES,
    YES_NO,
)
from .table import ADULT_AGE, RULES, RULES_BY_ID
from .vocabulary import CLEAR, INFORM, NEEDS_REVIEW, NOT_SUITABLE, SEVERITY, Rule

__all__ = [
    "ADULT_AGE",
    "ANTITHROMBOTICS",
    "AREAS",
    "CLEAR",
    "DISPOSITION_OF_OUTCOME",
    "FINGERPRINTS",
    "FOLLOW_UP_PARENT",
    "INFORM",
    "NEEDS_REVIEW",
    "NOT_SUITABLE",
    "OTHER_ANSWERS",
    "QUESTIONS",
    "QUESTIONS_BY_NAME",
    "RULES",
    "RULES_BY_ID",
    "SEVERITY",
    "SIDES",
    "VERSION",
    "YES_NO",
    "Rule",
    "age_on",
    "earlier_answers",
    "fingerprint",
    "judge",
    "outcome_wording",
    "patient_texts",
    "relevant_follow_ups",
]


def fingerprint() -> str:
    """The fingerprint of the rule set as this package holds it: the areas, sides, questions and rules, and the
    adult age. Read from this package's names, so a test that swaps RULES here sees its fingerprint change."""
    return fingerprint_of(AREAS, SIDES, LIMB_AREAS, QUADRANT_AREAS, QUESTIONS, RULES, ADULT_AGE)
