"""How the rows of intake/rules/table.py are written: named fields only, and the "yes to X" helper is the full row.
No database."""

import pytest

from intake import rules
from intake.rules.vocabulary import Escalation, Rule, all_of, answer_in, answer_is_yes, answer_missing, yes_to


def test_it_builds_a_yes_row_as_the_rule_written_out_in_full():
    escalation = Escalation(
        when=answer_in("needle_fear", "strong"), disposition=rules.NOT_SUITABLE, staff_reason="s2", patient_text="p2"
    )

    row = yes_to(
        "fainted_needles",
        disposition=rules.INFORM,
        staff_reason="s",
        patient_text="p",
        escalations=(escalation,),
        also_show=("needle_fear",),
    )

    assert row == Rule(
        id="fainted_needles",
        applies_when=(answer_is_yes("fainted_needles"),),
        disposition=rules.INFORM,
        staff_reason="s",
        patient_text="p",
        escalations=(escalation,),
        questions=("fainted_needles", "needle_fear"),
    )


def test_it_refuses_a_row_written_with_positional_arguments():
    with pytest.raises(TypeError):
        Rule("acute_illness", (answer_is_yes("acute_illness"),), rules.NOT_SUITABLE, "s", "p")  # type: ignore[misc]


def test_it_stores_one_condition_and_all_of_alike_as_a_tuple():
    one = Escalation(
        when=answer_missing("inr_date"), disposition=rules.NEEDS_REVIEW, staff_reason="s", patient_text="p"
    )
    both = Escalation(
        when=all_of(answer_missing("inr_date"), answer_is_yes("antithrombotic")),
        disposition=rules.NEEDS_REVIEW,
        staff_reason="s",
        patient_text="p",
    )

    assert one.when == (answer_missing("inr_date"),)
    assert both.when == (answer_missing("inr_date"), answer_is_yes("antithrombotic"))


def test_it_has_22_plain_yes_rows_and_three_others():
    """Only pregnancy, needle fear and under 18 need a Rule written out; the others are "yes to X" rows."""
    plain = [r for r in rules.RULES if r.applies_when == (answer_is_yes(r.id),) and r.questions[:1] == (r.id,)]

    assert len(plain) == 22
    assert {r.id for r in rules.RULES} - {r.id for r in plain} == {"pregnancy", "needle_fear", "under_18"}
