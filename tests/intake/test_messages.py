"""The intake's outbox messages: what each says, that none carries health details, and when each is still due."""

import datetime as dt
import threading
import uuid

import pytest
import time_machine

from clinic.core import outbox
from clinic.core.models import OutboundMessage
from intake import services
from intake.models import Intake
from tests.factories import therapist_user
from tests.intake.factories import IntakeFactory, healthy_answers

pytestmark = pytest.mark.django_db

HEALTH_WORDS = ["vascular", "varicose", "vein", "calf", "diabetes", "epilepsy", "pregnan", "Sees a specialist"]


@pytest.fixture
def flagged():
    return IntakeFactory(needs_review=True, answers=healthy_answers(vascular="yes", vascular_where="Left calf veins"))


def _render(intake, kind):
    message = OutboundMessage.objects.get(kind=kind, object_id=str(intake.pk))
    kind_ = outbox.get_kind(kind)
    return kind_.still_due(message), kind_.render(message)


@pytest.mark.parametrize(
    ("decision", "kind", "says"),
    [
        ("approved", "intake.review_decision", "you can go ahead"),
        ("declined", "intake.review_decision", "we have cancelled it"),
        ("info_requested", "intake.info_requested", "Please call us"),
    ],
)
def test_it_tells_the_patient_the_decision_without_health_details(flagged, decision, kind, says):
    services.intake_review_decide(
        intake_id=flagged.pk,
        actor=therapist_user(),
        decision=decision,
        seen_status="pending",
        note="Sees a specialist for veins",
        precautions="Avoid the left calf" if decision == "approved" else "",
    )

    still_due, rendered = _render(flagged, kind)

    assert still_due
    assert rendered.to == [flagged.patient.email]
    assert says in rendered.text
    assert flagged.location.phone.as_international in rendered.text
    for word in [*HEALTH_WORDS, "Avoid the left calf"]:
        assert word.lower() not in (rendered.subject + rendered.text).lower(), word


def test_it_sends_the_decision_after_more_information_was_asked_for(flagged):
    therapist = therapist_user()
    services.intake_review_decide(
        intake_id=flagged.pk, actor=therapist, decision="info_requested", seen_status="pending"
    )
    services.intake_review_decide(
        intake_id=flagged.pk, actor=therapist, decision="approved", seen_status="info_requested"
    )

    kinds = set(OutboundMessage.objects.values_list("kind", flat=True))
    assert kinds == {"intake.info_requested", "intake.review_decision"}
    still_due, _ = _render(flagged, "intake.info_requested")
    assert not still_due  # decided meanwhile: the "please call" message is no longer owed


def test_it_stops_owing_a_returning_link_once_the_intake_expired():
    intake = IntakeFactory()
    services.returning_link_request(email=intake.patient.email)
    with time_machine.travel(intake.valid_until + dt.timedelta(minutes=1)):
        still_due, _ = _render(intake, "intake.returning_link")

    assert not still_due


@pytest.mark.django_db(transaction=True)
def test_it_creates_one_intake_when_the_same_submission_arrives_twice_at_once():
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results = []

    def submit():
        from django.db import connections

        try:
            barrier.wait()
            intake = services.intake_submit(
                submission_key=key,
                first_name="Asha",
                last_name="Rao",
                email="asha@example.com",
                phone="+919876543210",
                date_of_birth=dt.date(1985, 3, 27),
                location=None,
                service_slug="",
                answers=healthy_answers(),
                consent_name="Asha Rao",
                consent_ip="203.0.113.5",
            )
            results.append(intake.pk)
        except Exception as error:  # reported by the assertion below
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Intake.objects.count() == 1
    assert results == [Intake.objects.get().pk] * 2
