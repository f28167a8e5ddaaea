"""Load demo data for trying the app locally: locations, staff, services, hours and content. Idempotent.

Refuses to run unless DEBUG is on: demo accounts with a published password must never reach a real clinic.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from clinic.core import demo as core_demo


class Command(BaseCommand):
    help = "Load demo data (only when DEBUG is on). Safe to run again."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG=1: demo accounts must never exist in production.")
        with transaction.atomic():
            locations = core_demo.seed_locations()
            staff = core_demo.seed_staff()
            for seeder in _app_seeders():
                seeder(locations=locations, staff=staff)
        if "load_content" in _commands():
            call_command("load_content", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(locations)} locations, {len(staff)} staff."))
        self.stdout.write(
            f"Demo staff logins (password for all: {core_demo.DEMO_PASSWORD}; with DEBUG on these demo accounts "
            "skip the two-factor code that real therapist and admin accounts must give):"
        )
        for user, role in staff:
            self.stdout.write(f"  {user.username:<12} {role}")
        # Links in e-mails and texts are built on SITE_URL, which a local run derives from PORT (clinic/settings.py).
        self.stdout.write(f"Links in e-mails and texts point at {settings.SITE_URL}/")
        if (link := _a_demo_manage_link()) is not None:
            self.stdout.write(f"  a demo patient's link to change their booking: {link}")


def _app_seeders():
    """Each app that has demo data exposes `<app>.demo.seed(locations=..., staff=...)`."""
    import importlib
    import importlib.util

    return [
        importlib.import_module(f"{app}.demo").seed
        for app in ("intake", "booking")
        if importlib.util.find_spec(f"{app}.demo") is not None
    ]


def _a_demo_manage_link() -> str | None:
    from booking.calendar import manage_url
    from booking.models import Appointment
    from booking.services import manage_token

    appointment = Appointment.objects.filter(status=Appointment.Status.CONFIRMED, start__gt=timezone.now()).first()
    return manage_url(manage_token(appointment)) if appointment is not None else None


def _commands():
    from django.core.management import get_commands

    return get_commands()
