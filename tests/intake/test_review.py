"""The therapists' review queue at /intake/review/: who may see what, decisions, audit, concurrency, query budget."""

import datetime as dt
import threading

import pytest
from django.db import connection

from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Intake
from intake.services import AlreadyDecided, intake_review_decide
from intake.signals import intake_reviewed
from tests.factories import clinic_admin_user, front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory, healthy_answers
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged():
    """A needs-review intake with a distinctive health answer, to check where it shows up."""
    answers = healthy_answers(epilepsy="yes", epilepsy_last="Last March", epilepsy_controlled="yes")
    return IntakeFactory(
        needs_review=True,
        answers=answers,
        results=[
            {
                "rule": "epilepsy",
                "disposition": "needs_review",
                "reasons": ["Epilepsy or seizures"],
                "questions": ["epilepsy"],
            }
        ],
    )


def _decide(client, intake, decision, **data):
    return client.post(
        f"/intake/review/{intake.pk}/decide/", {"decision": decision, "seen_status": intake.review_status, **data}
    )


# --- Access matrix -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/intake/review/", "/intake/review/{pk}/"])
def test_it_sends_anonymous_visitors_to_the_login(client, flagged, url):
    response = client.get(url.format(pk=flagged.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/intake/review/", "/intake/review/{pk}/"])
def test_it_keeps_staff_pages_from_a_patient_with_a_session(client, flagged, url):
    """A patient whose session holds their own intake (after the questionnaire or a link) is still anonymous."""
    session = client.session
    session["intake_id"] = flagged.pk
    session.save()

    response = client.get(url.format(pk=flagged.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_refuses_decisions_from_anonymous_visitors(client, flagged):
    response = _decide(client, flagged, "approved")

    assert response.status_code == 302
    assert Intake.objects.get().review_status == Intake.ReviewStatus.PENDING


def test_it_refuses_staff_without_intake_permissions(client, flagged):
    from tests.factories import UserFactory

    staff_login(client, UserFactory(is_staff=True))

    assert client.get("/intake/review/").status_code == 403
    assert client.get(f"/intake/review/{flagged.pk}/").status_code == 403


def test_it_shows_the_front_desk_contact_details_but_never_answers(client, flagged):
    staff_login(client, front_desk_user())

    queue = client.get("/intake/review/")
    detail = client.get(f"/intake/review/{flagged.pk}/")

    assert queue.status_code == 200
    assert flagged.patient.full_name in queue.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200
    assert flagged.patient.email in page
    assert "Needs review" in page
    assert "Last March" not in page
    assert "Epilepsy" not in page
    assert "Approve" not in page
    # Listing the queue is audited; no answers were seen.
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["view_review_queue"]


def test_it_refuses_decisions_from_the_front_desk(client, flagged):
    staff_login(client, front_desk_user())

    response = _decide(client, flagged, "approved")

    assert response.status_code == 403
    assert Intake.objects.get().review_status == Intake.ReviewStatus.PENDING


@pytest.mark.parametrize("make_user", [therapist_user, clinic_admin_user], ids=["therapist", "clinic admin"])
def test_it_shows_answers_with_flags_and_audits_each_view(client, flagged, make_user):
    user = make_user()
    staff_login(client, user)

    page = client.get(f"/intake/review/{flagged.pk}/").content.decode()
    client.get(f"/intake/review/{flagged.pk}/")

    assert "Last March" in page
    assert "Epilepsy or seizures" in page  # the reason
    flattened = " ".join(page.split())
    assert 'answer-flagged"> <span class="badge flag-badge me-1">Flagged</span> Do you have epilepsy' in flattened
    assert flattened.count("Flagged</span>") == 1
    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_HEALTH_ANSWERS)
    assert events.count() == 2
    event = events.first()
    assert (event.actor, event.object_type, event.object_id) == (user, "intake.intake", str(flagged.pk))
    assert set(event.detail) == {"intake_id", "patient_id"}  # ids only


@pytest.mark.parametrize("make_user", [therapist_user, clinic_admin_user], ids=["therapist", "clinic admin"])
def test_it_lets_therapists_and_admins_approve_with_precautions(client, flagged, make_user):
    user = make_user()
    staff_login(client, user)

    response = _decide(client, flagged, "approved", precautions="Avoid deep needling of the calf")

    assert response.status_code == 302
    intake = Intake.objects.get()
    assert intake.review_status == Intake.ReviewStatus.APPROVED
    assert intake.needling_booking == "confirm"
    assert (intake.reviewed_by, intake.precautions) == (user, "Avoid deep needling of the calf")
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_DECISION)
    assert event.detail == {"decision": "approved", "intake_id": intake.pk}


def test_it_only_accepts_decisions_by_post(client, flagged):
    staff_login(client, therapist_user())

    assert client.get(f"/intake/review/{flagged.pk}/decide/").status_code == 405


def test_it_requires_a_reason_to_decline(client, flagged):
    staff_login(client, therapist_user())

    response = _decide(client, flagged, "declined", note="  ")

    assert Intake.objects.get().review_status == Intake.ReviewStatus.PENDING
    assert "Please give a reason for declining." in client.get(response["Location"]).content.decode()


def test_it_declines_with_a_reason_and_refuses_needling(client, flagged):
    staff_login(client, therapist_user())

    _decide(client, flagged, "declined", note="Seizure too recent")

    intake = Intake.objects.get()
    assert intake.review_status == Intake.ReviewStatus.DECLINED
    assert intake.review_note == "Seizure too recent"
    assert intake.needling_booking == "refuse"


def test_it_asks_for_more_information_and_keeps_the_hold(client, flagged):
    staff_login(client, therapist_user())

    _decide(client, flagged, "info_requested", note="When was the last seizure exactly?")

    intake = Intake.objects.get()
    assert intake.review_status == Intake.ReviewStatus.INFO_REQUESTED
    assert intake.needling_booking == "hold"
    assert intake in Intake.objects.pending_review()


def test_it_queues_a_message_without_health_details(client, flagged, mailoutbox):
    staff_login(client, therapist_user())

    _decide(client, flagged, "declined", note="Seizure too recent")

    message = OutboundMessage.objects.get()
    assert (message.kind, message.channel, message.subject_object) == ("intake.review_decision", "email", flagged)
    from clinic.core import outbox

    rendered = outbox.get_kind(message.kind).render(message)
    assert rendered.to == [flagged.patient.email]
    assert "Seizure" not in rendered.text
    assert "epilepsy" not in rendered.text.lower()
    assert flagged.location.phone.as_international in rendered.text


def test_it_sends_the_review_signal_inside_the_transaction(client, flagged):
    therapist = therapist_user()
    seen = []

    def receiver(sender, intake, decision, actor, **kwargs):
        seen.append((intake.pk, decision, actor, connection.in_atomic_block))

    intake_reviewed.connect(receiver)
    try:
        intake_review_decide(intake_id=flagged.pk, actor=therapist, decision="approved", seen_status="pending")
    finally:
        intake_reviewed.disconnect(receiver)

    assert seen == [(flagged.pk, "approved", therapist, True)]


def test_it_rolls_the_decision_back_when_a_receiver_fails(flagged):
    """Booking's receiver runs in the decision's transaction: if it fails, nothing is half decided."""

    def failing(**kwargs):
        raise RuntimeError("appointment update failed")

    intake_reviewed.connect(failing)
    try:
        with pytest.raises(RuntimeError):
            intake_review_decide(
                intake_id=flagged.pk, actor=therapist_user(), decision="approved", seen_status="pending"
            )
    finally:
        intake_reviewed.disconnect(failing)

    assert Intake.objects.get().review_status == Intake.ReviewStatus.PENDING
    assert not OutboundMessage.objects.exists()


def test_it_tells_the_second_decider_who_decided_and_when(client, flagged):
    first = therapist_user(first_name="Priya", last_name="Raman")
    intake_review_decide(intake_id=flagged.pk, actor=first, decision="approved", seen_status="pending")
    staff_login(client, therapist_user())

    response = _decide(client, flagged, "declined", note="No")

    page = client.get(response["Location"]).content.decode()
    assert "already approved by Priya Raman at" in page
    assert Intake.objects.get().review_status == Intake.ReviewStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_deciders_win():
    intake = IntakeFactory(needs_review=True)
    therapists = [therapist_user(), therapist_user()]
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user, decision):
        from django.db import connections

        try:
            barrier.wait()
            intake_review_decide(
                intake_id=intake.pk, actor=user, decision=decision, seen_status="pending", note="reason"
            )
            outcomes.append(("won", decision))
        except AlreadyDecided as error:
            outcomes.append(("lost", str(error)))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(therapists[0], "approved")),
        threading.Thread(target=decide, args=(therapists[1], "declined")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o[0] for o in outcomes) == ["lost", "won"]
    winner = next(o[1] for o in outcomes if o[0] == "won")
    intake.refresh_from_db()
    assert intake.review_status == winner
    assert "already" in next(o[1] for o in outcomes if o[0] == "lost")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_DECISION).count() == 1
    assert OutboundMessage.objects.count() == 1


# --- The queue ---------------------------------------------------------------------------------------------------


def test_it_lists_pending_intakes_oldest_first(client):
    now = dt.datetime(2026, 5, 10, 9, 0, tzinfo=dt.UTC)
    newer = IntakeFactory(needs_review=True, submitted_at=now)
    older = IntakeFactory(needs_review=True, submitted_at=now - dt.timedelta(days=2))
    waiting = IntakeFactory(
        needs_review=True, submitted_at=now - dt.timedelta(days=1), review_status=Intake.ReviewStatus.INFO_REQUESTED
    )
    IntakeFactory(needs_review=True, review_status=Intake.ReviewStatus.APPROVED)
    IntakeFactory()  # cleared
    IntakeFactory(not_suitable=True)
    staff_login(client, therapist_user())

    response = client.get("/intake/review/")

    assert response.context["intakes"] == [older, waiting, newer]


@pytest.mark.parametrize("count", [3, 30])
def test_it_renders_the_queue_in_constant_queries(client, django_assert_num_queries, count):
    """Prevents an N+1 on the queue: patient and location come with the intakes, the held appointments (time,
    clinic, therapist) in one query, and each patient's health view is audited in one insert."""
    from tests.booking.factories import AppointmentFactory

    start = dt.datetime(2030, 5, 10, 9, 0, tzinfo=dt.UTC)
    for number, intake in enumerate(IntakeFactory.create_batch(count, needs_review=True)):
        AppointmentFactory(
            patient=intake.patient, intake=intake, start=start + dt.timedelta(hours=number), status="pending_review"
        )
    staff_login(client, therapist_user())
    # The suite starts each test with an empty cache:
    # 1 django_session: the therapist's session
    # 2 auth_user: the user of that session, with their permissions and group names (is this a clinic admin, is
    #   this a location-limited desk), devices and staff records (desk.auth.StaffBackend)
    # 3 otp_totp_totpdevice: their second factor, verified for this session
    # 4 core_location: the clinics of the filter
    # 5 intake_intake: the queue, with patient and location joined
    # 6 booking_appointment: the appointments held for them, with location and therapist
    # 7 core_auditevent: insert the audit event of the view
    # 8 core_auditevent: insert one health-details view per patient listed (the reasons flagged)
    # 9 core_location: the footer's locations (cold cache)
    with django_assert_num_queries(9):
        response = client.get("/intake/review/")
    assert response.status_code == 200
    assert len(response.context["intakes"]) == count
    assert all(row["held"] and row["reasons"] for row in response.context["rows"])


def test_it_puts_the_soonest_pending_appointment_first(client):
    """With booking's appointments present: intakes holding an appointment come first, soonest first."""
    from tests.booking.factories import AppointmentFactory

    now = dt.datetime(2026, 5, 10, 9, 0, tzinfo=dt.UTC)
    oldest = IntakeFactory(needs_review=True, submitted_at=now - dt.timedelta(days=3))
    later = IntakeFactory(needs_review=True, submitted_at=now - dt.timedelta(days=1))
    sooner = IntakeFactory(needs_review=True, submitted_at=now)
    AppointmentFactory(patient=later.patient, intake=later, start=now + dt.timedelta(days=5), status="pending_review")
    AppointmentFactory(
        patient=sooner.patient, intake=sooner, start=now + dt.timedelta(days=2), status="pending_review"
    )
    # A cancelled appointment does not count.
    AppointmentFactory(patient=oldest.patient, intake=oldest, start=now + dt.timedelta(days=1), status="cancelled")
    staff_login(client, therapist_user())

    response = client.get("/intake/review/")

    assert response.context["intakes"] == [sooner, later, oldest]
