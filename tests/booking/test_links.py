"""Self-service links are bound to the appointment's state: a move or cancel replaces them, they end a day after
the visit, every message carries the current one, and patients' own changes through them are audited."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail, signing

from booking import desk_services, services
from booking.models import Appointment
from clinic.core import outbox
from clinic.core.models import AuditEvent
from tests.booking.conftest import NOW
from tests.booking.test_views import booked_link
from tests.factories import front_desk_user

pytestmark = pytest.mark.django_db

TUESDAY_11 = datetime(2025, 6, 17, 5, 30, tzinfo=UTC)


def _links_in_mail() -> list[str]:
    return [
        match.group(1)
        for message in mail.outbox
        for match in re.finditer(r"https?://[^/\s]+(/book/manage/[^\s/]+/)", message.body)
    ]


def _assert_replaced(client, link: str) -> None:
    for url in (link, link + "calendar.ics", link + "reschedule/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 410, url
        assert "This link was replaced" in page
        assert "newest message" in page
        for personal in ("Asha", "asha@example.com", "09:00", "11:00", "Arjun"):
            assert personal not in page


def test_an_old_link_after_a_move_gets_the_replaced_page_and_changes_nothing(client, clinic, frozen):
    old = booked_link(client, clinic)
    moved = client.post(old + "reschedule/", {"start": "20250617T0530Z"})
    new = urlparse(moved["Location"]).path

    _assert_replaced(client, old)
    refused = client.post(old + "cancel/", {"reason": "x"})
    again = client.post(old + "reschedule/", {"start": "20250618T0530Z"})

    assert new != old
    assert (refused.status_code, again.status_code) == (410, 410)
    assert Appointment.objects.get().start == TUESDAY_11
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    assert "Tuesday 17 June 2025, 11:00 (India time)" in client.get(new).content.decode()


def test_a_second_tab_with_the_same_link_cannot_act_after_the_first_moved_it(client, clinic, frozen):
    """The link was valid when both pages opened; under the row lock only the first change counts."""
    booked_link(client, clinic)
    first_tab = Appointment.objects.get()
    second_tab = Appointment.objects.get()
    services.appointment_reschedule(appointment=first_tab, start=TUESDAY_11, now=NOW)

    with pytest.raises(services.LinkWasReplaced):
        services.appointment_reschedule(appointment=second_tab, start=TUESDAY_11 + timedelta(hours=1), now=NOW)
    with pytest.raises(services.LinkWasReplaced):
        services.appointment_cancel(appointment=second_tab, now=NOW)

    moved = Appointment.objects.get()
    assert (moved.start, moved.status) == (TUESDAY_11, Appointment.Status.CONFIRMED)


def test_a_staff_cancel_replaces_the_patients_link(client, clinic, frozen):
    link = booked_link(client, clinic)
    appointment = Appointment.objects.get()

    desk_services.appointment_cancel_by_staff(
        appointment_id=appointment.pk, reason="Therapist ill", actor=front_desk_user()
    )

    _assert_replaced(client, link)
    outbox.deliver_due()
    notice = mail.outbox[-1]
    assert notice.subject.startswith("Cancelled")


def test_the_moved_notice_carries_the_new_link_and_reminders_reuse_it(client, clinic, frozen):
    old = booked_link(client, clinic)
    client.post(old + "reschedule/", {"start": "20250617T0530Z"})
    outbox.deliver_due()
    current = services.manage_token(Appointment.objects.get())

    frozen.move_to(TUESDAY_11 - timedelta(hours=24))
    outbox.deliver_due()

    links = _links_in_mail()
    assert links[0] == old
    assert set(links[1:]) == {f"/book/manage/{current}/"}  # the moved notice and the reminder: one link
    assert len(links) >= 3


def test_the_same_appointment_always_gets_the_same_link_until_it_changes(clinic, frozen):
    appointment = services.appointment_book(
        patient=_patient(),
        service=clinic["assessment"],
        location=clinic["location"],
        therapist=None,
        start=TUESDAY_11,
        now=NOW,
    )

    first = services.manage_token(appointment)
    frozen.shift(timedelta(days=2))

    assert services.manage_token(Appointment.objects.get(pk=appointment.pk)) == first


def test_a_link_ends_a_day_after_the_visit(client, clinic, frozen):
    link = booked_link(client, clinic)
    visit_end = Appointment.objects.get().end

    frozen.move_to(visit_end + timedelta(hours=23))
    assert client.get(link).status_code == 200
    frozen.move_to(visit_end + timedelta(days=1, minutes=1))
    response = client.get(link)

    assert response.status_code == 404
    assert "Asha" not in response.content.decode()


def test_a_link_sent_before_versioning_still_opens_until_the_appointment_changes(client, clinic, frozen):
    """Messages already in patients' inboxes when this shipped carried timestamped links; they keep working for
    their 90 days as version 1, and a move replaces them like any other."""
    booked_link(client, clinic)
    appointment = Appointment.objects.get()
    legacy = signing.TimestampSigner(salt=services.MANAGE_SALT).sign(appointment.public_id.hex)

    assert client.get(f"/book/manage/{legacy}/").status_code == 200
    client.post(f"/book/manage/{legacy}/reschedule/", {"start": "20250617T0530Z"})
    assert client.get(f"/book/manage/{legacy}/").status_code == 410


def test_the_page_after_booking_does_not_echo_the_email(client, clinic, frozen):
    link = booked_link(client, clinic)

    page = client.get(link + "?booked=1").content.decode()

    assert "Your confirmation is on its way by e-mail" in page
    assert "asha@example.com" not in page
    assert "Asha" not in page
    assert "Rao" not in page


def test_a_patients_move_and_cancel_by_link_are_audited_without_an_actor(client, clinic, frozen):
    link = booked_link(client, clinic)
    moved = client.post(link + "reschedule/", {"start": "20250617T0530Z"}, REMOTE_ADDR="203.0.113.9")
    client.post(urlparse(moved["Location"]).path + "cancel/", {"reason": "Feeling better"})
    appointment = Appointment.objects.get()

    events = list(
        AuditEvent.objects.filter(object_type="booking.appointment", object_id=str(appointment.pk)).order_by("pk")
    )

    assert [(e.action, e.detail.get("change"), e.actor_id) for e in events] == [
        ("appointment_create", None, None),
        ("appointment_change", "reschedule", None),
        ("appointment_change", "cancel", None),
    ]
    assert all(e.patient_id == appointment.patient_id for e in events)
    assert events[1].ip_address == "203.0.113.9"
    assert "Feeling better" not in str(events[2].detail)


def _patient():
    from tests.booking.factories import IntakeFactory

    return IntakeFactory().patient
