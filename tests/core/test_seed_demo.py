"""seed_demo loads the demo clinic once, again without duplicates, and never when DEBUG is off."""

import os
import subprocess
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from booking.models import Appointment
from clinic.core.models import Location
from intake.models import Intake

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


@override_settings(DEBUG=True)
def test_it_books_today_and_this_week_at_every_location_held_and_confirmed(time_machine):
    """The desk and the review queue start with real work, and a second run adds nothing."""
    time_machine.move_to("2026-06-15 05:00:00+00:00", tick=False)  # a Monday morning in Bengaluru and London
    call_command("seed_demo", verbosity=0)
    rows = sorted(Appointment.objects.values_list("location__slug", "status", "start"))
    call_command("seed_demo", verbosity=0)

    assert sorted(Appointment.objects.values_list("location__slug", "status", "start")) == rows
    for location in Location.objects.all():
        mine = Appointment.objects.filter(location=location)
        today = timezone.now().astimezone(location.zone).date()
        local_days = {a.start.astimezone(location.zone).date() for a in mine.filter(status="confirmed")}
        assert today in local_days, location
        assert len(local_days) >= 5, location  # the working days of the coming week
        held = mine.get(status="pending_review")
        assert held.intake.review_status == Intake.ReviewStatus.PENDING
        assert held.start.astimezone(location.zone).date() - today <= timedelta(days=7)


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8843")
def test_it_prints_where_the_links_in_messages_point():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    printed = out.getvalue()
    assert "Links in e-mails and texts point at http://127.0.0.1:8843/" in printed
    assert "link to change their booking: http://127.0.0.1:8843/book/manage/" in printed


def _without(*names) -> dict:
    return {name: value for name, value in os.environ.items() if name not in names}


def test_make_run_prints_its_own_port():
    result = subprocess.run(
        ["make", "--dry-run", "run", "PORT=8843"],
        env=_without("SITE_URL"),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    printed = [line for line in result.stdout.splitlines() if "http://" in line]
    assert printed, result.stdout
    assert all("127.0.0.1:8843/" in line for line in printed), printed
    assert "runserver 127.0.0.1:$PORT" in (settings.BASE_DIR / "Procfile.dev").read_text()
