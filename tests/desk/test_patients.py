"""Patients at the desk: search by a misspelt name, a phone or an e-mail within the desk's locations (trigram
similarity), the patient page (contact, screening outcome and validity, appointments, messages) and booking for a
patient without typing their details again."""

from datetime import UTC, date, datetime

import pytest

from clinic.core.models import StaffProfile
from desk import selectors
from tests.booking.factories import AppointmentFactory
from tests.factories import LocationFactory, front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory, PatientFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
START = datetime(2025, 6, 16, 4, 0, tzinfo=UTC)


def desk_at(location):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([location])
    return user


@pytest.fixture
def places():
    return LocationFactory(slug="hyderabad"), LocationFactory(slug="london", country="GB", time_zone="Europe/London")


@pytest.fixture
def people(places):
    here, elsewhere = places
    priya = PatientFactory(first_name="Priya", last_name="Shah", email="priya.shah@example.com", phone="+919876543210")
    AppointmentFactory(patient=priya, location=here, start=START)
    ravi = PatientFactory(first_name="Ravi", last_name="Kumar", email="ravi@example.org", phone="+919811122233")
    IntakeFactory(patient=ravi, location=here)
    asha = PatientFactory(first_name="Asha", last_name="Rao", email="asha@example.org", phone="+919822233344")
    AppointmentFactory(patient=asha, location=here, start=START)
    # Same surname, another location: never found by Hyderabad's desk.
    far = PatientFactory(first_name="Meera", last_name="Shah", email="meera@example.co.uk", phone="+442079460321")
    AppointmentFactory(patient=far, location=elsewhere, start=START)
    return {"priya": priya, "ravi": ravi, "asha": asha, "far": far}


def found(user, query):
    staff = selectors.staff_for(user)
    return [patient.pk for patient in selectors.patient_search(staff, query)]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Priya Shaw", "priya"),  # a typo in the surname
        ("shaw priya", "priya"),  # the surname first
        ("pri sha", "priya"),  # the start of each name
        ("pria", "priya"),  # a first name spelt short
        ("SHAH", "priya"),
        ("98765 43210", "priya"),  # a phone as said on the phone
        ("+91 98111", "ravi"),
        ("ravi@example", "ravi"),
        ("Kumaar", "ravi"),  # an intake at this location counts too
        ("Ravi Kumr", "ravi"),
        ("Asha Rau", "asha"),  # a typo in a three-letter surname (pg_trgm's default threshold misses it)
    ],
)
def test_the_desk_finds_patients_of_its_locations_by_name_phone_or_e_mail(places, people, query, who):
    assert found(desk_at(places[0]), query) == [people[who].pk]


def test_it_finds_nobody_at_other_locations_and_nothing_for_one_letter(places, people):
    user = desk_at(places[0])
    assert found(user, "Meera") == []
    assert found(user, "+44 20 7946") == []
    assert found(user, "p") == []
    # A desk without a profile (a one-site clinic) sees everyone; the closest match first.
    assert found(front_desk_user(), "Shah")[:2] in (
        [people["priya"].pk, people["far"].pk],
        [people["far"].pk, people["priya"].pk],
    )


def test_the_search_page_lists_matches_and_survives_odd_input(client, places, people):
    staff_login(client, desk_at(places[0]))
    page = client.get("/desk/patients/", {"q": "priya shaw"}).content.decode()
    assert f'href="/desk/patients/{people["priya"].pk}/"' in page
    assert "Meera" not in page
    for odd in ("%", "'; drop table", "a" * 500, "@", "____"):
        assert client.get("/desk/patients/", {"q": odd}).status_code == 200


def test_a_result_reads_as_the_template_filters_wrote_it(client, places, people):
    """The results are plain values with their link, date and phone worked out in Python (desk/selectors.py:
    PatientMatch): the linked name, the date of birth as the date filter's "j M Y", the phone as the desk dials it,
    the e-mail, and a name's markup escaped."""
    here = places[0]
    staff_login(client, desk_at(here))
    priya = people["priya"]
    page = client.get("/desk/patients/", {"q": "priya shaw"}).content.decode()
    assert (
        f'<a href="/desk/patients/{priya.pk}/">Priya Shah</a></th>\n  <td>27 Mar 1985</td>\n'
        "  <td>+91 98765 43210</td>\n  <td>priya.shah@example.com</td>"
    ) in page
    odd = PatientFactory(first_name="<b>Zara</b>", last_name="Quinn", date_of_birth=date(2001, 12, 1))
    IntakeFactory(patient=odd, location=here)
    page = client.get("/desk/patients/", {"q": "zara quinn"}).content.decode()
    assert "&lt;b&gt;Zara&lt;/b&gt; Quinn</a></th>\n  <td>1 Dec 2001</td>" in page


def test_the_patient_page_shows_outcome_validity_appointments_but_no_answers(client, places, people):
    here, _ = places
    priya = people["priya"]
    intake = IntakeFactory(patient=priya, location=here, precautions="Avoid the left calf")
    staff_login(client, desk_at(here))
    page = client.get(f"/desk/patients/{priya.pk}/").content.decode()
    assert intake.get_outcome_display() in page
    assert "valid until" in page
    assert "Avoid the left calf" not in page
    assert "Coming appointments" in page
    assert f"/desk/book/?patient={priya.pk}" in page
    assert client.get(f"/desk/patients/{people['far'].pk}/").status_code == 404


def test_booking_for_a_patient_fills_in_their_details(client, places, people):
    from tests.booking.factories import ServiceFactory, therapist_at

    here, _ = places
    service = ServiceFactory(locations=[here])
    therapist = therapist_at(here, [service])
    staff_login(client, desk_at(here))
    priya = people["priya"]
    page = client.get(
        "/desk/book/details/",
        {"location": here.slug, "service": service.slug, "therapist": therapist.pk, "start": "20300617T0400Z",
         "patient": priya.pk},
    ).content.decode()  # fmt: skip
    assert 'value="priya.shah@example.com"' in page
    assert 'value="Shah"' in page
    far = people["far"].pk
    assert client.get("/desk/book/", {"patient": far}).status_code == 404
    assert client.get("/desk/book/", {"patient": "x1"}).status_code == 404


def test_a_therapist_reads_the_patient_page_but_cannot_edit(client, places, people):
    staff_login(client, therapist_user())
    page = client.get(f"/desk/patients/{people['priya'].pk}/").content.decode()
    assert "Change details" not in page
