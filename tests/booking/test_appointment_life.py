"""An appointment's life (docs/design.md, "An appointment's life"): every staff action from every status, the day
before the visit, earlier on its day, after its start and the day after, through the services. The expected table is
written out here, not computed from the model, so a change of rule has to change this table too."""

from datetime import UTC, datetime, timedelta

import pytest

from booking import desk_services, services
from booking.models import Appointment
from clinic.core.models import AuditEvent, OutboundMessage
from tests.booking.factories import AppointmentFactory
from tests.factories import clinic_admin_user

pytestmark = pytest.mark.django_db

S = Appointment.Status
# Monday 16 June 2025, 10:00 in Bengaluru (the clinic fixture works Monday to Saturday, 09:00-17:00).
START = datetime(2025, 6, 16, 4, 30, tzinfo=UTC)
WHEN = {
    "day before": START - timedelta(days=1),
    "earlier that day": START - timedelta(hours=1),
    "after the start": START + timedelta(minutes=10),
    "day after": START + timedelta(days=1),
}
ALL_TIMES = set(WHEN)
FROM_THE_DAY = {"earlier that day", "after the start", "day after"}
AFTER_START = {"after the start", "day after"}
NOT_HAPPENED = {"day before", "earlier that day"}
SAME_DAY = {"earlier that day", "after the start"}

# action -> {status it may start from: the times it may happen, and the status it leads to}
ALLOWED = {
    "check_in": {S.CONFIRMED: (FROM_THE_DAY, S.CHECKED_IN)},
    "finish": {S.CHECKED_IN: (AFTER_START, S.COMPLETED)},
    "no_show": {S.CONFIRMED: (AFTER_START, S.NO_SHOW)},
    "cancel": {S.PENDING_REVIEW: (NOT_HAPPENED, S.CANCELLED), S.CONFIRMED: (NOT_HAPPENED, S.CANCELLED)},
    "move": {S.PENDING_REVIEW: (ALL_TIMES, None), S.CONFIRMED: (ALL_TIMES, None)},
    "undo": {
        S.CHECKED_IN: (SAME_DAY, S.CONFIRMED),
        S.NO_SHOW: (SAME_DAY, S.CONFIRMED),
        S.COMPLETED: (SAME_DAY, S.CHECKED_IN),
    },
}


def expected(action, status, when):
    times, to = ALLOWED[action].get(status, (set(), None))
    return when in times, to


def _act(action, appointment, now, actor):
    if action in ("check_in", "finish", "no_show"):
        return desk_services.appointment_transition(appointment_id=appointment.pk, action=action, actor=actor, now=now)
    if action == "cancel":
        return desk_services.appointment_cancel_by_staff(
            appointment_id=appointment.pk, reason="Called in", actor=actor, now=now
        )
    if action == "undo":
        return desk_services.appointment_undo(appointment_id=appointment.pk, actor=actor, now=now)
    # Move to 11:00 two days on: inside the therapist's hours and after every `now` above.
    return services.appointment_reschedule(
        appointment=appointment, start=START + timedelta(days=2, hours=1), actor=actor, by_patient=False, now=now
    )


def test_the_model_and_the_table_agree_on_every_case(clinic):
    """The model's rule (what desk pages offer) is exactly the table, for every action, status and time."""
    appointment = Appointment(location=clinic["location"], start=START, end=START + timedelta(minutes=45))
    for action in Appointment.Action.values:
        for status in S.values:
            for when, now in WHEN.items():
                appointment.status = status
                allowed, _ = expected(action, status, when)
                assert (action in appointment.allowed_actions(now=now)) is allowed, (action, status, when)
                assert (appointment.why_not(action, now=now) is None) is allowed, (action, status, when)


@pytest.mark.parametrize("when", list(WHEN))
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", Appointment.Action.values)
def test_the_service_follows_the_table(clinic, action, status, when):
    appointment = AppointmentFactory(
        therapist=clinic["therapist"],
        location=clinic["location"],
        service=clinic["assessment"],
        start=START,
        status=status,
    )
    actor = clinic_admin_user()
    events = AuditEvent.objects.count()
    allowed, to = expected(action, status, when)
    if allowed:
        changed = _act(action, appointment, WHEN[when], actor)
        changed.refresh_from_db()
        if action == "move":
            assert changed.start == START + timedelta(days=2, hours=1)
        else:
            assert changed.status == to
        assert AuditEvent.objects.count() == events + 1
    else:
        with pytest.raises(services.BookingError):
            _act(action, appointment, WHEN[when], actor)
        appointment.refresh_from_db()
        assert (appointment.status, appointment.start) == (status, START)
        assert AuditEvent.objects.count() == events


def test_undoing_a_finish_takes_back_the_aftercare_and_the_nudge_not_yet_sent(clinic):
    appointment = AppointmentFactory(
        therapist=clinic["therapist"],
        location=clinic["location"],
        service=clinic["needling"],
        start=START,
        status=S.CHECKED_IN,
    )
    actor, after = clinic_admin_user(), START + timedelta(minutes=50)
    services.appointment_complete(appointment=appointment, actor=actor, follow_up_weeks=4, now=after)
    owed = OutboundMessage.objects.for_subject(appointment)
    assert set(owed.values_list("kind", "status")) == {
        (services.KIND_AFTERCARE, "pending"),
        (services.KIND_FOLLOW_UP, "pending"),
    }
    undone = desk_services.appointment_undo(appointment_id=appointment.pk, actor=actor, now=after)
    assert (undone.status, undone.completed_at, undone.follow_up_weeks) == (S.CHECKED_IN, None, None)
    assert set(owed.values_list("status", flat=True)) == {"cancelled"}
    event = AuditEvent.objects.latest("pk")
    assert event.detail == {"change": "undo", "from": "completed", "to": "checked_in"}


def test_a_no_show_whose_time_was_booked_again_cannot_be_undone(clinic):
    appointment = AppointmentFactory(
        therapist=clinic["therapist"],
        location=clinic["location"],
        service=clinic["assessment"],
        start=START,
        status=S.NO_SHOW,
    )
    AppointmentFactory(
        therapist=clinic["therapist"],
        location=clinic["location"],
        service=clinic["assessment"],
        start=START + timedelta(minutes=30),
    )
    with pytest.raises(desk_services.InvalidTransition, match="booked for someone else"):
        desk_services.appointment_undo(appointment_id=appointment.pk, actor=clinic_admin_user(), now=START)
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


def test_a_patient_changes_only_before_the_cut_off_and_never_a_visit_that_happened(clinic):
    appointment = Appointment(location=clinic["location"], start=START, status=S.CONFIRMED)
    cutoff = timedelta(hours=clinic["location"].cancellation_cutoff_hours)
    assert appointment.patient_may_change(now=START - cutoff - timedelta(minutes=1))
    assert not appointment.patient_may_change(now=START - cutoff)
    appointment.status = S.COMPLETED
    assert not appointment.patient_may_change(now=START - timedelta(days=7))


def test_approving_is_flagged_in_time_off_or_outside_hours(clinic):
    from booking.selectors import approval_clash
    from tests.booking.factories import TimeOffFactory

    def held(start):
        return AppointmentFactory(
            therapist=clinic["therapist"], location=clinic["location"], service=clinic["assessment"], start=start,
            status=S.PENDING_REVIEW,
        )  # fmt: skip

    assert approval_clash(held(START)) == ""
    assert "outside Arjun Menon's working hours" in approval_clash(held(START + timedelta(hours=7, minutes=30)))
    TimeOffFactory(
        therapist=clinic["therapist"], start=START + timedelta(days=1), end=START + timedelta(days=1, hours=2)
    )
    assert "time off" in approval_clash(held(START + timedelta(days=1, hours=1)))
