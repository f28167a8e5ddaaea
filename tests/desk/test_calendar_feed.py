"""A therapist's calendar feed (/desk/calendar/feed/<token>.ics): their recent and upcoming appointments for their
own calendar app, with no patient name or health detail, at a signed link they (or a clinic admin) can replace; each
read audited without the link, rate-limited, in a constant number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.test import override_settings
from icalendar import Calendar

from booking.calendar import feed_token
from booking.models import Appointment
from clinic.core.logs import REDACTED, redact_url
from clinic.core.models import AuditEvent
from tests.booking.factories import AppointmentFactory, TherapistFactory
from tests.factories import clinic_admin_user, front_desk_user
from tests.intake.factories import IntakeFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
MONDAY_10 = datetime(2025, 6, 16, 4, 30, tzinfo=UTC)  # 10:00 in Bengaluru


def _feed(client, therapist, token=None):
    return client.get(f"/desk/calendar/feed/{token or feed_token(therapist)}.ics")


def _events(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_it_lists_recent_and_upcoming_appointments_without_patient_or_health_details(client, clinic, frozen):
    therapist, location = clinic["therapist"], clinic["location"]
    intake = IntakeFactory(location=location, precautions="Avoid the left calf", patient__last_name="Zephyrine")
    upcoming = AppointmentFactory(therapist=therapist, location=location, service=clinic["needling"],
                                  patient=intake.patient, intake=intake, start=MONDAY_10)  # fmt: skip
    cancelled = AppointmentFactory(therapist=therapist, location=location, start=MONDAY_10 + timedelta(days=1),
                                   status=Appointment.Status.CANCELLED)  # fmt: skip
    recent = AppointmentFactory(therapist=therapist, location=location, start=MONDAY_10 - timedelta(days=10),
                                status=Appointment.Status.COMPLETED)  # fmt: skip
    AppointmentFactory(therapist=therapist, location=location, start=MONDAY_10 - timedelta(days=60))  # too old
    AppointmentFactory(location=location, start=MONDAY_10)  # a colleague's

    response = _feed(client, therapist)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    for private in ("Zephyrine", intake.patient.first_name, intake.patient.email, "Avoid the left calf", "needling"):
        assert private.lower() not in body.lower()
    events = {str(event["uid"]): event for event in _events(response)}
    assert set(events) == {f"staff-{a.public_id}@needle-and-move" for a in (upcoming, cancelled, recent)}
    event = events[f"staff-{upcoming.public_id}@needle-and-move"]
    assert str(event["summary"]) == "Appointment"
    assert event.decoded("dtstart") == MONDAY_10  # with its time zone (VTIMEZONE), the same instant
    assert str(event["location"]).startswith(location.name)
    assert str(event["url"]).endswith(f"/desk/appointments/{upcoming.pk}/")
    assert str(event["status"]) == "CONFIRMED"
    assert str(events[f"staff-{cancelled.public_id}@needle-and-move"]["status"]) == "CANCELLED"
    assert "BEGIN:VTIMEZONE" in body
    assert "TZID:Asia/Kolkata" in body


def test_it_audits_each_read_without_the_link(client, clinic, frozen):
    token = feed_token(clinic["therapist"])

    _feed(client, clinic["therapist"])

    event = AuditEvent.objects.get(action=AuditEvent.Action.CALENDAR_FEED)
    assert (event.object_type, event.object_id) == ("booking.therapist", str(clinic["therapist"].pk))
    assert event.detail == {"version": 1, "events": 0}
    assert token not in str(event.detail)
    assert token.split(":")[-1] not in redact_url(f"/desk/calendar/feed/{token}.ics")
    assert redact_url(f"/desk/calendar/feed/{token}.ics") == f"/desk/calendar/feed/{REDACTED}"


def test_it_refuses_tampered_made_up_and_inactive_therapists_links(client, clinic):
    therapist = clinic["therapist"]
    token = feed_token(therapist)

    assert _feed(client, therapist, token + "x").status_code == 404
    assert _feed(client, therapist, token.replace(f"{therapist.pk}.", f"{therapist.pk + 1}.")).status_code == 404
    assert _feed(client, therapist, "1.1").status_code == 404
    therapist.is_active = False
    therapist.save()
    assert _feed(client, therapist, token).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CALENDAR_FEED).exists()


def test_the_therapist_sees_and_replaces_their_link_and_the_old_one_stops_at_once(client, clinic):
    therapist = clinic["therapist"]
    old = feed_token(therapist)
    staff_login(client, therapist.user)

    page = client.get("/desk/calendar/").content.decode()
    response = client.post("/desk/calendar/new-link/")

    assert f"/desk/calendar/feed/{old}.ics" in page
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.calendar_feed_version == 2
    assert _feed(client, therapist, old).status_code == 404
    assert _feed(client, therapist).status_code == 200
    assert f"/desk/calendar/feed/{feed_token(therapist)}.ics" in client.get(response["Location"]).content.decode()
    reset = AuditEvent.objects.get(action=AuditEvent.Action.CALENDAR_FEED_RESET)
    assert (reset.actor, reset.detail) == (therapist.user, {"version": 2})


def test_a_clinic_admin_replaces_a_therapists_link_and_others_may_not(client, clinic):
    therapist = clinic["therapist"]
    colleague = TherapistFactory(locations=[clinic["location"]])
    old = feed_token(therapist)
    staff_login(client, clinic_admin_user())

    page = client.get("/desk/calendar/", {"therapist": therapist.pk}).content.decode()
    client.post("/desk/calendar/new-link/", {"therapist": therapist.pk})

    assert f"/desk/calendar/feed/{old}.ics" in page
    assert _feed(client, therapist, old).status_code == 404
    therapist.refresh_from_db()
    assert therapist.calendar_feed_version == 2
    client.logout()
    staff_login(client, colleague.user)
    assert client.get("/desk/calendar/", {"therapist": therapist.pk}).status_code == 404
    assert client.post("/desk/calendar/new-link/", {"therapist": therapist.pk}).status_code == 404
    client.logout()
    staff_login(client, front_desk_user())
    assert client.get("/desk/calendar/").status_code == 403
    assert client.post("/desk/calendar/new-link/", {"therapist": therapist.pk}).status_code == 403
    therapist.refresh_from_db()
    assert therapist.calendar_feed_version == 2


@pytest.mark.parametrize("count", [2, 40])
def test_it_builds_the_feed_in_constant_queries(client, clinic, frozen, django_assert_num_queries, count):
    """Prevents an N+1 on the feed: the location comes with the appointments; nothing about patients is read."""
    for number in range(count):
        AppointmentFactory(therapist=clinic["therapist"], location=clinic["location"],
                           start=MONDAY_10 + timedelta(hours=number))  # fmt: skip
    # 1 booking_therapist: whose current link this is
    # 2 booking_appointment: their appointments of the window, with the location
    # 3 core_auditevent: insert the audit event of the read
    with django_assert_num_queries(3):
        response = _feed(client, clinic["therapist"])
    assert len(_events(response)) == count


@override_settings(CALENDAR_FEED_RATE="2/h")
def test_it_is_rate_limited(client, clinic):
    caches["ratelimit"].clear()
    statuses = [_feed(client, clinic["therapist"]).status_code for _ in range(3)]
    other = TherapistFactory(locations=[clinic["location"]])

    assert statuses == [200, 200, 429]
    assert _feed(client, other).status_code == 200  # per link: calendar services share their addresses
