"""Booking's demo data: four therapists with hours at every location, the four services, loaded once."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from booking.models import Service, ServiceOffering, Therapist, WorkingHours
from clinic.core.models import Location

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_it_seeds_services_therapists_and_hours_idempotently():
    call_command("seed_demo", verbosity=0)
    counts = (Service.objects.count(), Therapist.objects.count(), WorkingHours.objects.count())
    call_command("seed_demo", verbosity=0)

    assert (Service.objects.count(), Therapist.objects.count(), WorkingHours.objects.count()) == counts
    assert Therapist.objects.count() == 4
    assert set(Service.objects.filter(needs_screening=True).values_list("slug", flat=True)) == {
        "dry-needling",
        "dry-needling-estim",
    }
    for location in Location.objects.all():
        assert WorkingHours.objects.filter(location=location).exists(), location


@override_settings(DEBUG=True)
def test_it_fills_the_therapists_profiles_and_each_clinics_currency():
    call_command("seed_demo", verbosity=0)

    for therapist in Therapist.objects.all():
        assert therapist.title, therapist
        assert therapist.bio, therapist
        assert therapist.qualifications, therapist
        assert therapist.registration_body, therapist
        assert therapist.registration_number, therapist
        assert therapist.language_list, therapist
    currencies = dict(Location.objects.values_list("country", "currency"))
    assert currencies == {"IN": "INR", "GB": "GBP"}


@override_settings(DEBUG=True)
def test_each_clinic_has_its_prices_in_its_own_currency():
    call_command("seed_demo", verbosity=0)

    prices = {
        (offering.location.currency, offering.service.slug): offering.price
        for offering in ServiceOffering.objects.select_related("location", "service")
    }
    assert prices[("INR", "dry-needling")] == 2500
    assert prices[("GBP", "dry-needling")] == 65
    assert all(price is not None for price in prices.values())
