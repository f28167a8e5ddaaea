"""Booking's messages: owed in the transaction of the change, re-planned when the appointment moves or ends, sent by
the outbox sweep at the right instant on the channels the patient chose, and never carrying health details."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from booking import messages, services
from booking.models import Appointment
from clinic.core import outbox
from clinic.core.models import OutboundMessage
from clinic.core.sms import LocMemSMSBackend
from intake.signals import intake_reviewed
from tests.booking.conftest import NOW
from tests.booking.factories import IntakeFactory, ServiceFactory, therapist_at
from tests.booking.test_views import confirm_url, details, with_intake
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)  # 09:00 IST
TUESDAY_9 = MONDAY_9 + timedelta(days=1)
PENDING, SENT, CANCELLED, SKIPPED = "pending", "sent", "cancelled", "skipped"


@pytest.fixture(autouse=True)
def empty_outboxes():
    mail.outbox = []
    LocMemSMSBackend.outbox.clear()
    yield
    LocMemSMSBackend.outbox.clear()


def book(clinic, start=MONDAY_9, *, intake=None, service="needling", **kwargs):
    intake = intake if intake is not None else IntakeFactory(location=clinic["location"])
    return services.appointment_book(
        patient=intake.patient,
        service=clinic[service],
        location=clinic["location"],
        therapist=clinic["therapist"],
        start=start,
        intake=intake,
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def rows(appointment) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(kind, channel) -> (status, due time) of the appointment's outbox rows."""
    return {(m.kind, m.channel): (m.status, m.due_at) for m in OutboundMessage.objects.for_subject(appointment).all()}


def sweep_at(traveller, when) -> dict[str, int]:
    traveller.move_to(when)
    return outbox.deliver_due()


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def finish(appointment, *, follow_up_weeks=None, at=None):
    """Check the patient in (the desk's part) and finish the session through the service."""
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CHECKED_IN)
    return services.appointment_complete(
        appointment=appointment,
        actor=UserFactory(),
        follow_up_weeks=follow_up_weeks,
        now=at or appointment.end,
    )


# --- Owed in the same transaction -----------------------------------------------------------------------------


def test_it_owes_the_confirmation_and_both_reminders_with_the_booking(clinic, frozen):
    appointment = book(clinic)

    assert rows(appointment) == {
        ("booking.confirmation", "email"): (PENDING, NOW),
        ("booking.reminder_24h", "email"): (PENDING, MONDAY_9 - timedelta(hours=24)),
        ("booking.reminder_2h", "email"): (PENDING, MONDAY_9 - timedelta(hours=2)),
    }


def test_it_owes_nothing_when_the_booking_rolls_back(clinic, frozen):
    """The rows are written in the booking's transaction: no appointment, no message."""
    owed_inside = []

    @transaction.atomic
    def book_then_fail():
        book(clinic)
        owed_inside.append(OutboundMessage.objects.count())
        raise RuntimeError("something after the booking failed")

    with pytest.raises(RuntimeError):
        book_then_fail()

    assert owed_inside == [3]
    assert not Appointment.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_it_owes_no_reminder_whose_time_has_passed_at_booking(clinic, frozen):
    three_hours_ahead = NOW + timedelta(hours=3)  # Friday 14:30 IST

    appointment = book(clinic, three_hours_ahead)

    assert set(rows(appointment)) == {("booking.confirmation", "email"), ("booking.reminder_2h", "email")}
    assert rows(appointment)[("booking.reminder_2h", "email")] == (PENDING, NOW + timedelta(hours=1))


def test_it_takes_the_reminder_offsets_from_settings(clinic, frozen):
    with override_settings(BOOKING_REMINDER_OFFSETS_HOURS=(48, 1)):
        messages.register()
        appointment = book(clinic)

    reminders = {kind: due for (kind, _), (_, due) in rows(appointment).items() if "reminder" in kind}
    assert reminders == {
        "booking.reminder_48h": MONDAY_9 - timedelta(hours=48),
        "booking.reminder_1h": MONDAY_9 - timedelta(hours=1),
    }


# --- Sent at the right time -------------------------------------------------------------------------------------


def test_it_sends_each_reminder_at_its_time_and_not_before(clinic, frozen):
    appointment = book(clinic)
    assert outbox.deliver_due() == {SENT: 1}
    assert subjects() == ["Booked: Dry needling session on Monday 16 June at 09:00 (India time)"]

    assert sweep_at(frozen, MONDAY_9 - timedelta(hours=24, seconds=1)) == {}
    assert sweep_at(frozen, MONDAY_9 - timedelta(hours=24)) == {SENT: 1}
    reminder = mail.outbox[-1]
    assert reminder.subject == "Reminder: Dry needling session on Monday 16 June at 09:00 (India time)"
    assert "Monday 16 June 2025, 09:00 (India time)" in reminder.body
    assert "/book/manage/" in reminder.body
    assert "/book/manage/" in reminder.alternatives[0][0]

    assert sweep_at(frozen, MONDAY_9 - timedelta(hours=2, seconds=1)) == {}
    assert sweep_at(frozen, MONDAY_9 - timedelta(hours=2)) == {SENT: 1}
    assert len(mail.outbox) == 3
    assert {status for status, _ in rows(appointment).values()} == {SENT}


def test_it_sends_a_reminder_24_hours_before_an_appointment_the_day_london_clocks_go_forward(db):
    """Sunday 30 March 2025, 10:00 BST is 09:00 UTC; 24 real hours before is Saturday 09:00 GMT (09:00 UTC), not
    10:00 on the Saturday wall clock."""
    london = LocationFactory(slug="london", name="London Bridge", time_zone="Europe/London", country="GB")
    service = ServiceFactory(needling=True, locations=[london])
    therapist = therapist_at(london, [service], hours=((5, 9, 17), (6, 9, 17)))
    appointment_start = datetime(2025, 3, 30, 9, 0, tzinfo=UTC)
    booked_at = datetime(2025, 3, 27, 12, 0, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False) as traveller:
        appointment = _book_london(london, service, therapist, appointment_start, booked_at)
        outbox.deliver_due()  # the confirmation

        assert rows(appointment)[("booking.reminder_24h", "email")][1] == datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
        assert sweep_at(traveller, datetime(2025, 3, 29, 8, 59, 59, tzinfo=UTC)) == {}
        assert sweep_at(traveller, datetime(2025, 3, 29, 9, 0, tzinfo=UTC)) == {SENT: 1}

    reminder = mail.outbox[-1]
    assert reminder.subject.startswith("Reminder:")
    assert "Sunday 30 March 2025, 10:00 (UK time)" in reminder.body


def _book_london(location, service, therapist, start, now):
    intake = IntakeFactory(location=location)
    return services.appointment_book(
        patient=intake.patient,
        service=service,
        location=location,
        therapist=therapist,
        start=start,
        intake=intake,
        now=now,
    )


# --- Cancelling and moving ----------------------------------------------------------------------------------------


def test_it_cancels_what_is_owed_on_cancelling_and_sends_only_the_notice(clinic, frozen):
    appointment = book(clinic)

    services.appointment_cancel(appointment=appointment, reason="My knee is worse", now=NOW)

    assert rows(appointment) == {
        ("booking.confirmation", "email"): (CANCELLED, NOW),
        ("booking.reminder_24h", "email"): (CANCELLED, MONDAY_9 - timedelta(hours=24)),
        ("booking.reminder_2h", "email"): (CANCELLED, MONDAY_9 - timedelta(hours=2)),
        ("booking.cancellation", "email"): (PENDING, NOW),
    }
    assert sweep_at(frozen, MONDAY_9) == {SENT: 1}
    (notice,) = mail.outbox
    assert notice.subject == "Cancelled: Dry needling session on Monday 16 June at 09:00 (India time)"
    assert "knee" not in notice.body  # the reason the patient typed is theirs, not the e-mail's


def test_staff_cancelling_after_the_first_reminder_stops_the_second(clinic, frozen):
    appointment = book(clinic)
    sweep_at(frozen, MONDAY_9 - timedelta(hours=24))
    assert len(mail.outbox) == 2

    frozen.move_to(MONDAY_9 - timedelta(hours=3))
    services.appointment_cancel(appointment=appointment, by_patient=False, actor=UserFactory())
    sweep_at(frozen, MONDAY_9 - timedelta(hours=2))

    assert rows(appointment)[("booking.reminder_2h", "email")][0] == CANCELLED
    assert [s.split(":")[0] for s in subjects()] == ["Booked", "Reminder", "Cancelled"]


def test_it_moves_the_reminders_with_the_appointment_and_sends_them_at_the_new_time(clinic, frozen):
    appointment = book(clinic)
    outbox.deliver_due()

    services.appointment_reschedule(appointment=appointment, start=TUESDAY_9, now=NOW)

    owed = rows(appointment)
    assert owed[("booking.reminder_24h", "email")] == (PENDING, TUESDAY_9 - timedelta(hours=24))
    assert owed[("booking.reminder_2h", "email")] == (PENDING, TUESDAY_9 - timedelta(hours=2))
    assert owed[("booking.rescheduled", "email")] == (PENDING, NOW)
    assert outbox.deliver_due() == {SENT: 1}
    moved = mail.outbox[-1]
    assert moved.subject == "Moved: Dry needling session is now on Tuesday 17 June at 09:00 (India time)"
    filename, content, _ = moved.attachments[0]
    assert filename == "appointment.ics"
    content = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART;TZID=Asia/Kolkata:20250617T090000" in content

    assert sweep_at(frozen, MONDAY_9 - timedelta(hours=24)) == {}  # the old time: nothing
    assert sweep_at(frozen, TUESDAY_9 - timedelta(hours=24)) == {SENT: 1}
    assert "Tuesday 17 June 2025, 09:00 (India time)" in mail.outbox[-1].body


def test_a_move_closer_cancels_the_reminder_now_in_the_past(clinic, frozen):
    appointment = book(clinic)
    saturday_10 = datetime(2025, 6, 14, 4, 30, tzinfo=UTC)  # 10:00 IST, 22.5 hours ahead

    services.appointment_reschedule(appointment=appointment, start=saturday_10, now=NOW)

    assert rows(appointment)[("booking.reminder_24h", "email")][0] == CANCELLED
    assert rows(appointment)[("booking.reminder_2h", "email")] == (PENDING, saturday_10 - timedelta(hours=2))


def test_a_move_after_a_reminder_was_sent_sends_it_again_for_the_new_time(clinic, frozen):
    appointment = book(clinic)
    sweep_at(frozen, MONDAY_9 - timedelta(hours=24))  # confirmation and 24 h reminder for Monday
    services.appointment_reschedule(
        appointment=appointment, start=TUESDAY_9, by_patient=False, actor=UserFactory(), now=timezone.now()
    )
    sweep_at(frozen, MONDAY_9 - timedelta(hours=23))  # the "moved" notice
    services.appointment_reschedule(
        appointment=appointment,
        start=TUESDAY_9 + timedelta(hours=2),
        by_patient=False,
        actor=UserFactory(),
        now=timezone.now(),
    )
    sweep_at(frozen, MONDAY_9 - timedelta(hours=22))  # moved again: told again
    sweep_at(frozen, TUESDAY_9 + timedelta(hours=2) - timedelta(hours=24))

    assert [s.split(":")[0] for s in subjects()] == ["Booked", "Reminder", "Moved", "Moved", "Reminder"]
    assert "Tuesday 17 June 2025, 11:00 (India time)" in mail.outbox[-1].body


def test_a_reminder_left_behind_by_a_move_is_not_sent_early(clinic, frozen):
    """The sweep re-checks against the current start: a row due earlier than its offset is skipped."""
    appointment = book(clinic, TUESDAY_9)
    OutboundMessage.objects.filter(kind="booking.reminder_24h").update(due_at=MONDAY_9 - timedelta(hours=24))

    assert sweep_at(frozen, MONDAY_9 - timedelta(hours=24)) == {SENT: 1, SKIPPED: 1}  # confirmation; reminder
    assert rows(appointment)[("booking.reminder_24h", "email")][0] == SKIPPED


# --- Review decisions ---------------------------------------------------------------------------------------------


def ics_status(email) -> str:
    ((name, content, kind),) = email.attachments
    assert (name, kind) == ("appointment.ics", "text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    return re.search(r"^STATUS:(\w+)", text, re.MULTILINE).group(1)


def test_a_booking_held_for_review_tells_the_patient_at_once_with_a_tentative_calendar_entry(clinic, frozen):
    """Held: "we are holding this time, a therapist will confirm", with the manage link, on each chosen channel."""
    intake = IntakeFactory(needs_review=True, location=clinic["location"])
    appointment = book(clinic, intake=intake, notify_sms=True)

    assert rows(appointment) == {("booking.held", "email"): (PENDING, NOW), ("booking.held", "sms"): (PENDING, NOW)}
    assert outbox.deliver_due() == {SENT: 2}
    (email,) = mail.outbox
    link = f"/book/manage/{services.manage_token(appointment)}/"
    assert email.subject == "Held for you: Dry needling session on Monday 16 June at 09:00 (India time)"
    assert "We are holding this time for you. A therapist will confirm it" in email.body
    assert "When: Monday 16 June 2025, 09:00 (India time)\n" in email.body  # the zone said once
    assert "(India time) (India time)" not in email.alternatives[0][0]
    assert link in email.body
    assert link in email.alternatives[0][0]
    assert ics_status(email) == "TENTATIVE"
    (sms,) = LocMemSMSBackend.outbox
    assert "we are holding" in sms.text
    assert link in sms.text


def test_approving_a_pending_appointment_owes_its_confirmation_and_reminders(clinic, frozen):
    intake = IntakeFactory(needs_review=True, location=clinic["location"])
    appointment = book(clinic, intake=intake, notify_sms=True)
    outbox.deliver_due()
    mail.outbox, LocMemSMSBackend.outbox[:] = [], []

    intake_reviewed.send(sender=type(intake), intake=intake, decision="approved", actor=None)

    assert set(rows(appointment)) == {
        (kind, channel)
        for kind in ("booking.held", "booking.confirmation", "booking.reminder_24h", "booking.reminder_2h")
        for channel in ("email", "sms")
    }
    assert outbox.deliver_due() == {SENT: 2}
    assert subjects() == ["Booked: Dry needling session on Monday 16 June at 09:00 (India time)"]
    assert ics_status(mail.outbox[0]) == "CONFIRMED"
    assert len(LocMemSMSBackend.outbox) == 1


def test_a_held_message_not_yet_sent_when_the_review_is_decided_is_skipped(clinic, frozen):
    intake = IntakeFactory(needs_review=True, location=clinic["location"])
    appointment = book(clinic, intake=intake)

    intake_reviewed.send(sender=type(intake), intake=intake, decision="approved", actor=None)
    outbox.deliver_due()

    assert rows(appointment)[("booking.held", "email")][0] == SKIPPED
    assert subjects() == ["Booked: Dry needling session on Monday 16 June at 09:00 (India time)"]


def test_moving_a_held_booking_sends_the_holding_message_again_with_the_new_time(clinic, frozen):
    appointment = book(clinic, intake=IntakeFactory(needs_review=True, location=clinic["location"]))
    outbox.deliver_due()

    moved = services.appointment_reschedule(appointment=appointment, start=TUESDAY_9, now=NOW)
    outbox.deliver_due()

    assert subjects() == [
        "Held for you: Dry needling session on Monday 16 June at 09:00 (India time)",
        "Held for you: Dry needling session on Tuesday 17 June at 09:00 (India time)",
    ]
    assert f"/book/manage/{services.manage_token(moved)}/" in mail.outbox[1].body
    assert ics_status(mail.outbox[1]) == "TENTATIVE"


def test_declining_cancels_the_appointment_with_a_notice_that_names_no_reason(clinic, frozen):
    intake = IntakeFactory(needs_review=True, location=clinic["location"])
    appointment = book(clinic, intake=intake)

    intake_reviewed.send(sender=type(intake), intake=intake, decision="declined", actor=None)
    outbox.deliver_due()

    assert rows(appointment) == {
        ("booking.held", "email"): (CANCELLED, NOW),
        ("booking.cancellation", "email"): (SENT, NOW),
    }
    (notice,) = mail.outbox
    for text in (notice.subject, notice.body, notice.alternatives[0][0]):
        assert "screening" not in text.lower()
        assert "declined" not in text.lower()


# --- After the session ---------------------------------------------------------------------------------------------


def test_it_sends_aftercare_shortly_after_a_completed_needling_session(clinic, frozen):
    appointment = book(clinic)
    outbox.deliver_due()
    done_at = appointment.end

    finish(appointment, at=done_at)

    assert Appointment.objects.get().status == Appointment.Status.COMPLETED
    assert rows(appointment)[("booking.aftercare", "email")] == (PENDING, done_at + timedelta(hours=1))
    assert ("booking.follow_up", "email") not in rows(appointment)
    assert sweep_at(frozen, done_at + timedelta(minutes=59)) == {}
    assert sweep_at(frozen, done_at + timedelta(hours=1)) == {SENT: 1}
    aftercare = mail.outbox[-1]
    assert aftercare.subject == "After your session today: what helps"
    for advice in ("24 to 48 hours", "Keep moving gently", "water", "Heat or gentle stretching", "Call the clinic"):
        assert advice in aftercare.body
    assert "http://localhost:8000/learn/aftercare/" in aftercare.body
    assert 'href="http://localhost:8000/learn/aftercare/"' in aftercare.alternatives[0][0]


def test_it_sends_no_needling_aftercare_after_an_assessment(clinic, frozen):
    appointment = book(clinic, service="assessment")

    finish(appointment)

    assert {kind for kind, _ in rows(appointment)} == {
        "booking.confirmation",
        "booking.reminder_24h",
        "booking.reminder_2h",
    }


def test_it_finishes_only_a_checked_in_appointment(clinic, frozen):
    appointment = book(clinic)

    with pytest.raises(services.BookingError, match="Check them in first"):
        services.appointment_complete(appointment=appointment, actor=UserFactory())
    with pytest.raises(services.BookingError, match="between 1 and 52 weeks"):
        finish(appointment, follow_up_weeks=0)
    assert Appointment.objects.get().status != Appointment.Status.COMPLETED


def test_it_nudges_to_book_the_next_session_before_the_planned_follow_up(clinic, frozen):
    appointment = book(clinic)
    done_at = appointment.end
    finish(appointment, follow_up_weeks=4, at=done_at)
    due = done_at + timedelta(weeks=4) - timedelta(days=3)

    assert Appointment.objects.get().follow_up_weeks == 4
    assert rows(appointment)[("booking.follow_up", "email")] == (PENDING, due)
    sweep_at(frozen, due - timedelta(seconds=1))
    assert "Time to book your next session" not in subjects()
    assert sweep_at(frozen, due) == {SENT: 1}
    nudge = mail.outbox[-1]
    assert nudge.subject == "Time to book your next session"
    assert "about 4 weeks" in nudge.body
    assert "http://localhost:8000/book/?service=dry-needling&location=indiranagar" in nudge.body


def test_it_drops_the_nudge_when_the_patient_already_booked_a_later_appointment(clinic, frozen):
    intake = IntakeFactory(location=clinic["location"])
    appointment = book(clinic, intake=intake)
    finish(appointment, follow_up_weeks=2, at=appointment.end)
    outbox.deliver_due()
    later = datetime(2025, 6, 27, 3, 30, tzinfo=UTC)  # Friday 27 June, booked before the nudge is due
    book(clinic, later, intake=intake, now=appointment.end)

    sweep_at(frozen, appointment.end + timedelta(weeks=2))

    assert rows(appointment)[("booking.follow_up", "email")][0] == SKIPPED
    assert "Time to book your next session" not in subjects()


# --- Channels -------------------------------------------------------------------------------------------------


def test_it_texts_only_when_the_patient_chose_sms(clinic, frozen):
    appointment = book(clinic, notify_email=False, notify_sms=True)

    assert {channel for _, channel in rows(appointment)} == {"sms"}
    sweep_at(frozen, MONDAY_9 - timedelta(hours=24))

    assert mail.outbox == []
    confirmation, reminder = LocMemSMSBackend.outbox
    assert confirmation.to == reminder.to == "+919876543210"
    assert confirmation.text.startswith("Bangalore – Indiranagar: booked, Dry needling session on Monday 16 June 2025")
    assert "09:00 (India time)" in reminder.text
    assert "http://localhost:8000/book/manage/" in reminder.text
    assert len(reminder.text) <= 320  # two SMS segments at most


def test_it_sends_each_kind_once_per_channel_when_the_patient_chose_both(clinic, frozen):
    appointment = book(clinic, notify_email=True, notify_sms=True)

    assert len(rows(appointment)) == 6
    sweep_at(frozen, MONDAY_9 - timedelta(hours=2))

    assert len(mail.outbox) == 3
    assert len(LocMemSMSBackend.outbox) == 3
    assert {status for status, _ in rows(appointment).values()} == {SENT}


def test_a_patient_must_be_reachable_somehow(clinic, frozen):
    with pytest.raises(services.BookingError, match="e-mail, SMS or both"):
        book(clinic, notify_email=False, notify_sms=False)
    appointment = book(clinic)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(notify_email=False, notify_sms=False)


# --- No health details ------------------------------------------------------------------------------------------

HEALTH_WORDS = [
    "Tight calf",  # the patient's own words in the questionnaire
    "diabetes",
    "Needs review",
    "needs_review",
    "cleared",
    "not suitable",
    "screening",
    "declined",
    "precaution",
    "avoid deep needling",
    "pacemaker",
]


def test_no_message_of_any_kind_carries_health_details(clinic, frozen):
    intake = IntakeFactory(needs_review=True, location=clinic["location"], precautions="avoid deep needling")
    appointment = book(clinic, intake=intake, notify_sms=True)
    intake_reviewed.send(sender=type(intake), intake=intake, decision="approved", actor=None)
    services.appointment_reschedule(appointment=appointment, start=TUESDAY_9, now=NOW)
    finish(Appointment.objects.get(), follow_up_weeks=3, at=TUESDAY_9 + timedelta(hours=1))
    other = book(clinic, MONDAY_9, intake=IntakeFactory(needs_review=True, location=clinic["location"]))
    services.appointment_cancel(appointment=other, reason="Screening review declined", now=NOW)

    texts = []
    for message in OutboundMessage.objects.all():
        rendered = outbox.get_kind(message.kind).render(message)
        texts += [rendered.subject, rendered.text, rendered.html]
        texts += [
            content.decode() if isinstance(content, bytes) else content for _, content, _ in rendered.attachments
        ]
    kinds = {message.kind for message in OutboundMessage.objects.all()}

    assert kinds >= {
        "booking.held",
        "booking.confirmation",
        "booking.reminder_24h",
        "booking.reminder_2h",
        "booking.rescheduled",
        "booking.aftercare",
        "booking.follow_up",
        "booking.cancellation",
    }
    everything = "\n".join(texts).lower()
    for word in HEALTH_WORDS:
        assert word.lower() not in everything, word
    assert "/book/manage/" in everything  # the only personal link: the signed token


# --- The choice on the booking form -------------------------------------------------------------------------------


def test_the_booking_form_offers_email_sms_or_both_with_email_first(client, clinic, frozen):
    with_intake(client, IntakeFactory(location=clinic["location"]))

    page = client.get(confirm_url()).content.decode()

    assert 'name="notify_by"' in page
    for value in ("email", "sms", "both"):
        assert f'value="{value}"' in page
    assert re.search(r'<input[^>]*value="email"[^>]*checked', page)


@pytest.mark.parametrize(
    ("notify_by", "channels"), [("email", {"email"}), ("sms", {"sms"}), ("both", {"email", "sms"}), (None, {"email"})]
)
def test_the_patients_choice_decides_the_channels(client, clinic, frozen, notify_by, channels):
    with_intake(client, IntakeFactory(location=clinic["location"]))
    data = details() if notify_by is None else details(notify_by=notify_by)  # None: an older page without it

    assert client.post("/book/confirm/", data).status_code == 302

    appointment = Appointment.objects.get()
    assert set(appointment.channels) == channels
    assert {channel for _, channel in rows(appointment)} == channels


def test_the_form_refuses_an_unknown_channel_keeping_the_details(client, clinic, frozen):
    with_intake(client, IntakeFactory(location=clinic["location"]))

    response = client.post("/book/confirm/", details(notify_by="pigeon"))

    assert response.status_code == 400
    assert 'value="Rao"' in response.content.decode()
    assert not Appointment.objects.exists()
