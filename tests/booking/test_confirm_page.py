"""What the confirm step shows before the patient books: the price in the clinic's currency, the therapist with
their picture and qualifications, the cancellation policy, a phone example of the clinic's country, and an error
summary that lists each problem first."""

import pytest

from tests.booking.factories import IntakeFactory, ServiceFactory, therapist_at
from tests.booking.test_views import confirm_url, details, with_intake
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_price_therapist_and_policy(client, clinic, frozen):
    with_intake(client, IntakeFactory(location=clinic["location"]))
    therapist = clinic["therapist"]
    therapist.qualifications = "MPT (Sports), certified in dry needling"
    therapist.save()

    page = client.get(confirm_url(therapist=therapist.pk)).content.decode()

    assert "<title>Confirm your booking · Needle &amp; Move</title>" in page
    assert "<dt>Price</dt><dd>₹2,500</dd>" in page
    assert "Your therapist: Arjun Menon" in page
    assert "MPT (Sports), certified in dry needling" in page
    assert f'href="/book/therapists/{therapist.pk}/"' in page
    assert ">AM</text>" in page
    assert "Cancellation policy" in page
    assert "up to 24 hours before your appointment" in page
    assert "Monday 16 June 2025, 09:00 (India time)" in page
    assert "Step 5 of 5: Your details" in page
    assert "For example 081234 56789." in page  # an Indian mobile, not a US number


def test_a_london_clinic_shows_pounds_and_a_uk_phone_example(client, frozen):
    london = LocationFactory(
        slug="london", name="London – Clerkenwell", country="GB", currency="GBP", time_zone="Europe/London"
    )
    service = ServiceFactory(slug="assessment", name="Initial assessment", price="65.50", locations=[london])
    therapist_at(london, [service], hours=((0, 9, 17),))

    page = client.get(
        "/book/confirm/?service=assessment&location=london&therapist=any&start=20250616T0800Z"
    ).content.decode()

    assert "<dt>Price</dt><dd>£65.50</dd>" in page
    assert "₹" not in page
    assert "For example 07400 123456." in page
    assert "Monday 16 June 2025, 09:00 (UK time)" in page
    assert "The first free therapist at London – Clerkenwell" in page


def test_its_error_summary_lists_each_problem_and_takes_focus(client, clinic, frozen):
    with_intake(client, IntakeFactory(location=clinic["location"]))

    response = client.post("/book/confirm/", details(email="not an address", phone="12"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Confirm your booking · Needle &amp; Move</title>" in page
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert "autofocus" in page.split('id="error-summary"')[1].split(">")[0]
    assert "Please check 2 answers" in summary
    assert 'href="#id_email">E-mail address: Enter an e-mail address such as name@example.com.</a>' in summary
    assert 'href="#id_phone">' in summary
    assert 'value="Asha"' in page  # nothing typed is lost
