"""The desk sends a caller the screening link (issue 13): an outbox message by e-mail and/or SMS with a signed,
expiring link that opens the questionnaire with their details filled in, audited, and not sent twice by a double
click. From the patient's page, and from the booking form when the caller has no valid screening."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from booking.models import Appointment
from clinic.core import outbox
from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Patient
from intake.services import KIND_SCREENING_LINK
from tests.booking.conftest import NOW
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory
from tests.desk.test_desk import booking, desk_user
from tests.factories import LocationFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(clinic):
    patient = PatientFactory(first_name="Ravi", email="ravi@example.com", phone="+919845012345",
                             date_of_birth=date(1979, 1, 2))  # fmt: skip
    AppointmentFactory(patient=patient, location=clinic["location"], therapist=clinic["therapist"],
                       service=clinic["assessment"], start=datetime(2025, 6, 10, 4, 0, tzinfo=UTC))  # fmt: skip
    return patient


def send(client, patient, *channels):
    return client.post(f"/desk/patients/{patient.pk}/screening-link/", {"channels": list(channels)})


def link_in(message) -> str:
    rendered = outbox.get_kind(message.kind).render(message)
    return next(word for word in rendered.text.split() if "/intake/screening/" in word).rstrip(".")


def test_it_queues_the_link_on_each_channel_chosen_and_audits_it(client, clinic, caller, frozen):
    staff_login(client, desk_user(clinic["location"]))

    response = send(client, caller, "email", "sms")

    assert response.status_code == 302
    assert response["Location"] == f"/desk/patients/{caller.pk}/"
    sent = OutboundMessage.objects.filter(kind=KIND_SCREENING_LINK).order_by("channel")
    assert [(m.channel, m.status, m.object_id) for m in sent] == [
        ("email", "pending", str(caller.pk)),
        ("sms", "pending", str(caller.pk)),
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.SCREENING_LINK_SEND)
    assert (event.patient_id, event.detail) == (caller.pk, {"channels": ["email", "sms"]})
    page = client.get(response["Location"]).content.decode()
    assert "The screening link is on its way to Ravi" in page


def test_the_patient_page_lists_the_link_among_the_messages_with_no_appointment(client, clinic, caller, frozen):
    staff_login(client, desk_user(clinic["location"]))
    send(client, caller, "sms")

    page = client.get(f"/desk/patients/{caller.pk}/").content.decode()

    row = page[page.index('<th scope="row">Screening link</th>') :].split("</tr>")[0]
    assert "<td>SMS</td>" in row
    assert "<td>Pending</td>" in row
    assert "<td>None</td>" in row  # not about an appointment
    assert "(India time)" in row  # its due time in the desk's clock


def test_a_second_click_sends_nothing_more_and_says_when_it_went(client, clinic, caller, frozen):
    staff_login(client, desk_user(clinic["location"]))
    send(client, caller, "email")

    page = client.get(send(client, caller, "email", "sms")["Location"]).content.decode()

    assert OutboundMessage.objects.filter(kind=KIND_SCREENING_LINK, channel="email").get().sequence == 0
    assert "already went to Ravi" in page
    assert "11:30 IST" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCREENING_LINK_SEND).count() == 2  # e-mail, then SMS
    # After the short window it may go again: the same row (sent meanwhile), owed anew.
    OutboundMessage.objects.update(status="sent", sent_at=NOW)
    frozen.shift(timedelta(minutes=11))
    send(client, caller, "email")
    assert OutboundMessage.objects.get(kind=KIND_SCREENING_LINK, channel="email").sequence == 1


def test_the_message_carries_a_signed_link_and_no_health_details(client, clinic, caller, frozen):
    IntakeFactory(patient=caller, location=clinic["location"], needs_review=True)
    staff_login(client, desk_user(clinic["location"]))
    send(client, caller, "email", "sms")
    email, sms = OutboundMessage.objects.filter(kind=KIND_SCREENING_LINK).order_by("channel")

    rendered = outbox.get_kind(email.kind).render(email)
    text = outbox.get_kind(sms.kind).render(sms)

    assert rendered.to == ["ravi@example.com"]
    assert text.to == ["+919845012345"]
    for words in (rendered.text, text.text):
        assert "review" not in words.lower()
        assert "diabetes" not in words.lower()
        assert "ravi@example.com" not in link_in(email)
        assert "1979" not in link_in(email)
    assert len(text.text) < 200


def test_the_link_opens_the_questionnaire_filled_in_until_it_expires(client, clinic, caller, frozen, settings):
    staff_login(client, desk_user(clinic["location"]))
    send(client, caller, "email")
    path = link_in(OutboundMessage.objects.get(kind=KIND_SCREENING_LINK)).removeprefix(settings.SITE_URL)
    client.logout()

    response = client.get(path, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/intake/step/about/"
    assert 'value="ravi@example.com"' in page
    assert 'value="1979-01-02"' in page
    # A tampered or expired link still leads to the questions, empty.
    client.cookies.clear()
    assert client.get(path[:-3] + "abc/", follow=True).redirect_chain[-1][0] == "/intake/step/about/"
    frozen.shift(timedelta(hours=settings.INTAKE_LINK_MAX_AGE_HOURS, seconds=1))
    page = client.get(path, follow=True).content.decode()
    assert "That link has expired" in page
    assert "ravi@example.com" not in page


def test_it_is_refused_for_other_locations_patients_and_anonymous_people(client, clinic, caller, frozen):
    elsewhere = LocationFactory(slug="london", time_zone="Europe/London", country="GB")
    assert send(client, caller, "email").status_code == 302  # to the login page
    staff_login(client, desk_user(elsewhere))
    assert send(client, caller, "email").status_code == 404
    assert client.get(f"/desk/patients/{caller.pk}/screening-link/").status_code == 405
    assert not OutboundMessage.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SCREENING_LINK_SEND).exists()


def test_no_channel_chosen_sends_nothing(client, clinic, caller, frozen):
    staff_login(client, desk_user(clinic["location"]))
    page = client.get(send(client, caller)["Location"]).content.decode()
    assert "Choose e-mail, SMS or both. Nothing was sent." in page
    assert not OutboundMessage.objects.exists()


def test_the_booking_form_offers_the_link_to_an_unscreened_caller_and_sends_it(client, clinic, frozen):
    staff_login(client, desk_user(clinic["location"]))
    refused = client.post("/desk/book/confirm/", booking(clinic, service="needling"))
    assert refused.status_code == 409
    assert 'formaction="/desk/book/screening-link/"' in refused.content.decode()

    response = client.post("/desk/book/screening-link/", booking(clinic, service="needling", channels=["email"]))

    assert response.status_code == 302
    assert response["Location"].startswith("/desk/book/?location=indiranagar&service=")
    patient = Patient.objects.get()  # the caller's record, so their answers and the booking meet
    assert OutboundMessage.objects.get().object_id == str(patient.pk)
    assert not Appointment.objects.exists()
    # Bad details send nothing and store nobody.
    Patient.objects.all().delete()
    OutboundMessage.objects.all().delete()
    client.post("/desk/book/screening-link/", booking(clinic, service="needling", email="nope", channels=["email"]))
    assert not Patient.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_an_expired_screening_still_shows_the_form_on_the_patient_page(client, clinic, caller):
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        IntakeFactory(patient=caller, location=clinic["location"])
    with time_machine.travel(NOW, tick=False):
        staff_login(client, desk_user(clinic["location"]))
        page = client.get(f"/desk/patients/{caller.pk}/").content.decode()
    assert f'action="/desk/patients/{caller.pk}/screening-link/"' in page
