"""Prices per location (ServiceOffering): the migration that moved Service.price onto each clinic, the pages that show
a clinic's price in its own currency, and the admin that edits them."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from booking.models import ServiceOffering
from clinic.core import pagecache
from clinic.core.models import AuditEvent, DataVersion
from clinic.core.selectors import data_version
from tests.booking.factories import ServiceFactory, service_admin_form, therapist_at
from tests.factories import LocationFactory, clinic_admin_user
from tests.support.auth import staff_login

BEFORE = ("booking", "0010_therapist_calendar_feed_version")
AFTER = ("booking", "0011_service_offering_prices")


def _migrate(booking=None):
    """Every app at its latest migration, booking at `booking` (None: booking's latest too)."""
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if booking is None or node[0] != "booking"]
    targets += [booking] if booking else []
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_price_at_clinics_of_the_usual_currency_and_leaves_others_blank():
    """Prevents the London clinic from showing a rupee amount with a pound sign after the upgrade."""
    old = _migrate(BEFORE)
    Location, Service = old.get_model("core", "Location"), old.get_model("booking", "Service")
    place = {"address": "1 Road", "phone": "+918041234567"}
    bangalore = Location.objects.create(name="Bangalore", slug="blr", city="Bangalore", currency="INR", **place)
    mumbai = Location.objects.create(name="Mumbai", slug="bom", city="Mumbai", currency="INR", **place)
    london = Location.objects.create(
        name="London", slug="ldn", city="London", country="GB", currency="GBP", time_zone="Europe/London", **place
    )
    needling = Service.objects.create(name="Needling", slug="needling", price=Decimal("2500.00"))
    free = Service.objects.create(name="Call", slug="call", price=0)
    needling.locations.set([bangalore, mumbai, london])
    free.locations.set([bangalore])
    try:
        new = _migrate(AFTER)
        Offering = new.get_model("booking", "ServiceOffering")
        prices = {
            (o.service.slug, o.location.slug): o.price for o in Offering.objects.select_related("service", "location")
        }
        assert prices == {
            ("needling", "blr"): Decimal("2500.00"),
            ("needling", "bom"): Decimal("2500.00"),
            ("needling", "ldn"): None,  # not converted: the admin sets the London price in pounds
            ("call", "blr"): None,  # 0 meant "no price shown"
        }
        assert not any(f.name == "price" for f in new.get_model("booking", "Service")._meta.get_fields())
    finally:  # the later migrations too, for the tests that follow
        _migrate()


@pytest.fixture
def two_countries(db):
    """An assessment at a Bangalore clinic in rupees and at a London clinic in pounds."""
    bangalore = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", currency="INR")
    london = LocationFactory(
        slug="london", name="London – Clerkenwell", country="GB", currency="GBP", time_zone="Europe/London"
    )
    assessment = ServiceFactory(name="Initial assessment", slug="assessment", locations=[bangalore, london])
    ServiceOffering.objects.filter(service=assessment, location=london).update(price="65.50")
    for location in (bangalore, london):
        therapist_at(location, [assessment], hours=((0, 9, 17),))
    return {"bangalore": bangalore, "london": london, "assessment": assessment}


def test_the_service_list_of_a_clinic_shows_its_own_price(client, two_countries):
    london = client.get("/book/", {"location": "london"}).content.decode()
    bangalore = client.get("/book/", {"location": "indiranagar"}).content.decode()
    anywhere = client.get("/book/").content.decode()

    assert "45 minutes · £65.50" in london
    assert "₹" not in london
    assert "45 minutes · ₹2,500" in bangalore
    assert ("£" in anywhere, "₹" in anywhere) == (False, False)  # no clinic chosen: no one currency to say it in


def test_the_clinic_step_shows_each_clinics_price_in_its_currency(client, two_countries):
    page = client.get("/book/", {"service": "assessment"}).content.decode()

    assert "Initial assessment: £65.50" in page
    assert "Initial assessment: ₹2,500" in page


@pytest.mark.parametrize(("location", "price"), [("london", "£65.50"), ("indiranagar", "₹2,500")])
def test_the_confirm_page_shows_the_price_of_the_chosen_clinic(client, two_countries, location, price):
    page = client.get(
        "/book/confirm/",
        {"service": "assessment", "location": location, "therapist": "any", "start": "20990615T0800Z"},
    ).content.decode()

    assert f"<dt>Price</dt><dd>{price}</dd>" in page


def test_a_clinic_without_a_price_shows_none_rather_than_a_wrong_one(client, two_countries):
    ServiceOffering.objects.filter(location=two_countries["london"]).update(price=None)

    clinics = client.get("/book/", {"service": "assessment"}).content.decode()
    confirm = client.get(
        "/book/confirm/",
        {"service": "assessment", "location": "london", "therapist": "any", "start": "20990615T0800Z"},
    ).content.decode()

    assert "Initial assessment: ₹2,500" in clinics
    assert "£" not in clinics
    assert "<dt>Price</dt>" not in confirm


def test_an_admin_edits_each_clinics_price_inline_and_the_caches_are_told(
    two_countries, django_capture_on_commit_callbacks
):
    """Prices show on booking pages: an edit starts a new diary version and a new public-page generation."""
    admin = Client()
    staff_login(admin, clinic_admin_user(is_superuser=True))
    assessment = two_countries["assessment"]
    form = service_admin_form(assessment)
    london_row = next(  # by field and value: London's id may equal another field's number (a count, a service id)
        name for name, value in form.items() if name.endswith("-location") and value == two_countries["london"].pk
    )
    generation = cache.get(pagecache.GENERATION_KEY)
    before = data_version(DataVersion.DIARY)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin/booking/service/{assessment.pk}/change/",
            form | {london_row.replace("location", "price"): "70"},
        )

    assert response.status_code == 302
    assert ServiceOffering.objects.get(location=two_countries["london"]).price == Decimal("70.00")
    assert ServiceOffering.objects.get(location=two_countries["bangalore"]).price == Decimal("2500.00")
    assert data_version(DataVersion.DIARY) > before
    assert cache.get(pagecache.GENERATION_KEY) != generation
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.SERVICE_CHANGE)
    assert "Price" in event.detail["fields"]


def test_the_admin_refuses_a_negative_price(two_countries):
    admin = Client()
    staff_login(admin, clinic_admin_user(is_superuser=True))
    assessment = two_countries["assessment"]
    form = service_admin_form(assessment)
    price_field = next(name for name in form if name.endswith("-price"))

    response = admin.post(f"/admin/booking/service/{assessment.pk}/change/", form | {price_field: "-5"})

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert not ServiceOffering.objects.filter(price__lt=0).exists()
