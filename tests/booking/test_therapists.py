"""The therapists' public pages: who will treat the patient, with qualifications, registration and languages."""

import pytest

from tests.booking.factories import ServiceFactory, TherapistFactory
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def oliver():
    london = LocationFactory(
        name="London – Clerkenwell", slug="london", country="GB", currency="GBP", time_zone="Europe/London"
    )
    closed = LocationFactory(name="Old Street (closed)", slug="old-street", is_active=False)
    return TherapistFactory(
        display_name="Oliver Hughes",
        title="Chartered physiotherapist",
        bio="Back pain and returning to sport.\n\nHe also treats runners.",
        qualifications="BSc (Hons) Physiotherapy, MCSP",
        registration_body="Health and Care Professions Council (HCPC)",
        registration_number="PH123456",
        languages="English, French ,",
        locations=[london, closed],
    )


def test_it_shows_a_therapists_profile(client, oliver, django_assert_num_queries):
    # Nothing cached (the suite clears the cache before each test):
    # 1 booking_therapist: the therapist, if active
    # 2 core_location: their active clinics (prefetched)
    # 3 booking_serviceoffering: the sessions they offer at each, with the prices there
    # 4 core_location: the footer's clinics
    with django_assert_num_queries(4):
        response = client.get(f"/book/therapists/{oliver.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Oliver Hughes · Our therapists · Needle &amp; Move</title>" in page
    assert '<h1 class="mb-1">Oliver Hughes</h1>' in page
    assert "Chartered physiotherapist" in page
    assert "<p>Back pain and returning to sport.</p>" in page
    assert "<p>He also treats runners.</p>" in page
    assert "BSc (Hons) Physiotherapy, MCSP" in page
    assert "Health and Care Professions Council (HCPC), number PH123456" in page
    assert "<dd>English, French</dd>" in page
    assert "London – Clerkenwell" in page
    assert "Old Street" not in page  # a closed clinic is not offered
    assert ">OH</text>" in page  # the initials avatar


def test_its_sessions_show_each_clinics_price_in_that_clinics_currency(client, oliver):
    london = oliver.locations.get(slug="london")
    mumbai = LocationFactory(name="Mumbai", slug="mumbai", currency="INR")
    oliver.locations.add(mumbai)
    assessment = ServiceFactory(name="Initial assessment", slug="assessment", locations=[london, mumbai], price=None)
    assessment.offerings.filter(location=london).update(price="65.50")
    assessment.offerings.filter(location=mumbai).update(price=2000)
    not_theirs = ServiceFactory(name="Cupping", slug="cupping", locations=[london])
    oliver.services.set([assessment])

    page = client.get(f"/book/therapists/{oliver.pk}/").content.decode()

    assert "Initial assessment</a> · 45 minutes · £65.50" in page
    assert "Initial assessment</a> · 45 minutes · ₹2,000" in page
    assert f"?service=assessment&amp;location=london&amp;therapist={oliver.pk}" in page
    assert not_theirs.name not in page


def test_it_lists_the_active_therapists(client, oliver):
    TherapistFactory(display_name="Gone Away", is_active=False)

    page = client.get("/book/therapists/").content.decode()

    assert f'href="/book/therapists/{oliver.pk}/"' in page
    assert "Gone Away" not in page


def test_an_inactive_or_unknown_therapist_is_not_found(client, oliver):
    oliver.is_active = False
    oliver.save()

    assert client.get(f"/book/therapists/{oliver.pk}/").status_code == 404
    assert client.get("/book/therapists/999999/").status_code == 404


@pytest.mark.parametrize(
    ("name", "initials"), [("Oliver Hughes", "OH"), ("Priya", "P"), ("Anne-Marie de la Cruz", "AC")]
)
def test_its_initials_take_the_first_and_last_names(name, initials):
    assert TherapistFactory.build(display_name=name).initials == initials
