"""seed_demo loads the demo clinic once, again without duplicates, and never when DEBUG is off."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from clinic.core.models import Location

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_it_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Location.objects.count(), get_user_model().objects.count())
    call_command("seed_demo", verbosity=0)

    assert (Location.objects.count(), get_user_model().objects.count()) == counts
    zones = set(Location.objects.values_list("time_zone", flat=True))
    assert len(zones) >= 2  # at least two time zones, one with DST
    assert "Europe/London" in zones


def test_it_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
    assert not get_user_model().objects.filter(username="frontdesk").exists()
