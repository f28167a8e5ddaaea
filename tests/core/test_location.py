"""A location's emergency number: what patients are told to call after needling near the chest (docs/clinical.md)."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("country", "expected"), [("IN", "112"), ("GB", "999"), ("US", "911")])
def test_it_uses_the_countrys_emergency_number_when_the_location_sets_none(country, expected):
    assert LocationFactory(country=country, emergency_number="").emergency_phone == expected


def test_it_prefers_the_locations_own_emergency_number():
    assert LocationFactory(country="IN", emergency_number="108").emergency_phone == "108"


def test_it_asks_for_a_number_for_a_country_it_does_not_know():
    location = LocationFactory.build(country="ZA", emergency_number="")

    with pytest.raises(ValidationError) as error:
        location.full_clean()

    assert "emergency_number" in error.value.message_dict
    location.emergency_number = "10177"
    location.full_clean()


@pytest.mark.parametrize("bad", ["1-1-2", "１１２", "9", "1120000"])
def test_it_refuses_an_emergency_number_that_is_not_a_few_digits(bad):
    location = LocationFactory.build(emergency_number=bad)

    with pytest.raises(ValidationError) as error:
        location.full_clean()

    assert set(error.value.message_dict) == {"emergency_number"}


@pytest.mark.parametrize(
    ("zone", "name"),
    [("Asia/Kolkata", "India time"), ("Europe/London", "UK time"), ("America/New_York", "New York time")],
)
def test_it_names_its_clock_once_for_patients(zone, name):
    assert LocationFactory.build(time_zone=zone).zone_name == name


@pytest.mark.parametrize(("country", "example"), [("IN", "081234 56789"), ("GB", "07400 123456")])
def test_it_gives_a_phone_example_of_its_own_country(country, example):
    assert LocationFactory.build(country=country).phone_example == example


def test_it_refuses_a_currency_that_is_not_an_iso_code():
    location = LocationFactory.build(currency="inr")

    with pytest.raises(ValidationError) as error:
        location.full_clean()

    assert set(error.value.message_dict) == {"currency"}
