"""Returning patients: an e-mailed, signed, expiring link lets them reuse a valid intake after confirming nothing
changed. The page never reveals whether an address is known."""

import datetime as dt

import pytest
import time_machine

from clinic.core import outbox
from clinic.core.models import AuditEvent, OutboundMessage
from intake import services
from intake.models import Intake
from tests.factories import front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory, PatientFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 10, 9, 30, tzinfo=dt.UTC)


def _link_of(message) -> str:
    rendered = outbox.get_kind(message.kind).render(message)
    return next(line for line in rendered.text.splitlines() if "/intake/returning/" in line).strip()


def test_it_gives_the_same_answer_for_known_and_unknown_addresses(client):
    IntakeFactory(patient=PatientFactory(email="known@example.com"))

    known = client.post("/intake/returning/", {"email": "KNOWN@example.com"})
    unknown = client.post("/intake/returning/", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/intake/returning/sent/"
    assert OutboundMessage.objects.count() == 1


def test_it_sends_no_link_for_an_expired_intake(client):
    with time_machine.travel(NOW - dt.timedelta(days=184), tick=False):
        IntakeFactory(patient=PatientFactory(email="old@example.com"))

    with time_machine.travel(NOW, tick=False):
        client.post("/intake/returning/", {"email": "old@example.com"})

    assert not OutboundMessage.objects.exists()


def test_it_uses_the_configured_validity(client, settings):
    settings.INTAKE_VALID_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        intake = services.intake_submit(
            submission_key=__import__("uuid").uuid4(),
            first_name="A",
            last_name="B",
            email="a@example.com",
            phone="+919876543210",
            date_of_birth=dt.date(1980, 1, 1),
            location=None,
            service_slug="",
            answers=IntakeFactory.build().answers,
            consent_name="A B",
            consent_ip=None,
        )
    assert intake.valid_until == NOW + dt.timedelta(days=30)
    assert intake.is_valid_at(NOW + dt.timedelta(days=29))
    assert not intake.is_valid_at(NOW + dt.timedelta(days=30))


def test_it_emails_a_signed_link_without_health_details(client):
    intake = IntakeFactory(patient=PatientFactory(email="asha@example.com"), needs_review=True)
    client.post("/intake/returning/", {"email": "asha@example.com"})

    message = OutboundMessage.objects.get()
    rendered = outbox.get_kind(message.kind).render(message)

    assert rendered.to == ["asha@example.com"]
    assert "diabetes" not in rendered.text.lower()
    link = _link_of(message)
    assert str(intake.pk) not in link.rsplit("/", 2)[-2].split(":")[0]
    assert str(intake.reference) not in link  # signed, not readable


def test_it_reuses_the_intake_after_the_patient_confirms_nothing_changed(client):
    intake = IntakeFactory(patient=PatientFactory(email="asha@example.com"))
    client.post("/intake/returning/", {"email": "asha@example.com"})
    path = _link_of(OutboundMessage.objects.get()).split("localhost:8000", 1)[1]

    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome back, Asha" in page.content.decode()
    assert "intake_id" not in client.session  # opening the link alone does not reuse anything

    response = client.post(path, {"action": "confirm"})

    assert response["Location"] == "/intake/result/"
    assert client.session["intake_id"] == intake.pk
    assert Intake.objects.get().confirmed_unchanged_at is not None
    event = AuditEvent.objects.get()
    assert (event.action, event.patient_id, event.detail["confirmed_unchanged"]) == (
        "intake_submit",
        intake.patient_id,
        True,
    )


def test_a_link_works_once(client):
    """Once confirmed, that link (and any other sent before) opens nothing: whoever finds it later in the mailbox
    or a forwarded e-mail cannot reuse the patient's answers."""
    IntakeFactory(patient=PatientFactory(email="asha@example.com"))
    client.post("/intake/returning/", {"email": "asha@example.com"})
    path = _link_of(OutboundMessage.objects.get()).split("localhost:8000", 1)[1]
    client.post(path, {"action": "confirm"})
    stranger = type(client)()

    page = stranger.get(path)
    again = stranger.post(path, {"action": "confirm"})

    assert page.status_code == again.status_code == 410
    assert "Asha" not in page.content.decode()
    assert "intake_id" not in stranger.session


def test_a_link_used_while_its_page_was_open_is_refused():
    """Two tabs (or a double click): the link was valid when each page opened, but only the first confirm counts."""
    intake = IntakeFactory()
    seen_by_second_tab = services.intake_from_returning_token(services.returning_link_token(intake))
    services.intake_confirm_unchanged(
        intake=services.intake_from_returning_token(services.returning_link_token(intake))
    )

    with pytest.raises(services.ReturningLinkUsed):
        services.intake_confirm_unchanged(intake=seen_by_second_tab)

    assert AuditEvent.objects.count() == 1


def test_it_starts_again_when_something_changed(client):
    intake = IntakeFactory()
    path = f"/intake/returning/{services.returning_link_token(intake)}/"

    response = client.post(path, {"action": "again"})

    assert response["Location"] == "/intake/"
    assert "intake_id" not in client.session


def test_it_refuses_an_expired_or_tampered_link(client):
    intake = IntakeFactory()
    with time_machine.travel(NOW, tick=False):
        token = services.returning_link_token(intake)
    with time_machine.travel(NOW + dt.timedelta(hours=73), tick=False):
        expired = client.get(f"/intake/returning/{token}/")
    tampered = client.get(f"/intake/returning/{token[:-2]}xx/")

    assert expired.status_code == tampered.status_code == 410
    assert "This link has expired" in expired.content.decode()


@pytest.mark.parametrize("make_user", [front_desk_user, therapist_user], ids=["front desk", "therapist"])
def test_it_treats_staff_following_a_link_like_anyone_else(client, make_user):
    """The link is the patient's key: staff get no more from it than the patient does."""
    intake = IntakeFactory()
    staff_login(client, make_user())

    page = client.get(f"/intake/returning/{services.returning_link_token(intake)}/").content.decode()

    assert "Welcome back" in page
    assert "Tight calf" not in page


def test_it_rate_limits_link_requests_per_address(client, settings):
    settings.INTAKE_LINK_RATE = "2/h"
    for _ in range(2):
        assert client.post("/intake/returning/", {"email": "a@example.com"}).status_code == 302

    assert client.post("/intake/returning/", {"email": "a@example.com"}).status_code == 429


def test_it_resends_a_lost_link_but_not_too_often(client):
    with time_machine.travel(NOW, tick=False):
        IntakeFactory(patient=PatientFactory(email="asha@example.com"))
        client.post("/intake/returning/", {"email": "asha@example.com"})
        OutboundMessage.objects.update(status=OutboundMessage.Status.SENT, sent_at=NOW)
        client.post("/intake/returning/", {"email": "asha@example.com"})
        assert OutboundMessage.objects.get().status == OutboundMessage.Status.SENT
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        client.post("/intake/returning/", {"email": "asha@example.com"})
        assert OutboundMessage.objects.get().status == OutboundMessage.Status.PENDING


def test_it_shows_the_form_again_for_an_invalid_address(client):
    response = client.post("/intake/returning/", {"email": "not an address"})

    assert response.status_code == 200
    assert 'href="#id_email"' in response.content.decode()
