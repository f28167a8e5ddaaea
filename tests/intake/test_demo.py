"""The intake's demo data: every outcome, some waiting for review, and idempotent."""

import pytest

from clinic.core import demo as core_demo
from intake import demo, rules
from intake.forms import HealthForm, WhereForm
from intake.models import Intake

pytestmark = pytest.mark.django_db


def test_it_seeds_each_outcome_once():
    locations = core_demo.seed_locations()

    demo.seed(locations=locations, staff=[])
    demo.seed(locations=locations, staff=[])

    assert Intake.objects.count() == len(demo.DEMO)
    assert set(Intake.objects.values_list("outcome", flat=True)) == {"cleared", "needs_review", "not_suitable"}
    assert Intake.objects.pending_review().count() == 4
    assert set(Intake.objects.values_list("rule_set_version", flat=True)) == {rules.VERSION}


@pytest.mark.parametrize("answers", [row[-1] for row in demo.DEMO])
def test_it_answers_the_current_questions_in_the_demo(answers):
    """Guards the demo against a change of the questions: each demo patient's answers pass today's forms."""
    health = HealthForm(data={k: v for k, v in answers.items() if k not in rules.OTHER_ANSWERS})
    where = WhereForm(data={"areas": answers["areas"], "side": answers["area_side"], "what_brings_you": "x"})

    assert health.is_valid(), health.errors
    assert where.is_valid(), where.errors
    assert health.answers() == {k: v for k, v in answers.items() if k not in rules.OTHER_ANSWERS}
