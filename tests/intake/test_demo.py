"""The intake's demo data: every outcome, some waiting for review, and idempotent."""

import pytest

from clinic.core import demo as core_demo
from intake import demo
from intake.models import Intake

pytestmark = pytest.mark.django_db


def test_it_seeds_each_outcome_once():
    locations = core_demo.seed_locations()

    demo.seed(locations=locations, staff=[])
    demo.seed(locations=locations, staff=[])

    assert Intake.objects.count() == len(demo.DEMO)
    assert set(Intake.objects.values_list("outcome", flat=True)) == {"cleared", "needs_review", "not_suitable"}
    assert Intake.objects.pending_review().count() == 3
