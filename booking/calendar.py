"""Appointments as iCalendar (.ics): the patient's own appointment, in the location's time zone, and a therapist's
feed for their calendar app, at a signed link they can replace (docs/access.md, "A therapist's calendar feed").
Neither carries any health detail."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from clinic.core import brand

from .models import Appointment, Therapist

WHAT_TO_WEAR = "Please wear loose, comfortable clothes that let you uncover the area to be treated."

# A booking held for a therapist's review is in the calendar as tentative until it is approved (RFC 5545 STATUS).
ICS_STATUS = {
    Appointment.Status.PENDING_REVIEW: "TENTATIVE",
    Appointment.Status.OFFERED: "TENTATIVE",  # held for a waiting-list patient until they answer
    Appointment.Status.CANCELLED: "CANCELLED",
}


def manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("booking:manage", args=[token])


def _calendar(product: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{brand.NAME}//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def _event(appointment: Appointment, *, uid_prefix: str = "") -> Event:
    """The parts every calendar entry of an appointment shares: who it is (UID), its version, time and status."""
    event = Event()
    # A stable UID, so a moved appointment updates the same calendar entry instead of adding another.
    event.add("uid", f"{uid_prefix}{appointment.public_id}@needle-and-move")
    event.add("sequence", int(appointment.updated_at.timestamp()) if appointment.updated_at else 0)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.local_start)
    event.add("dtend", appointment.local_end)
    event.add("status", ICS_STATUS.get(appointment.status, "CONFIRMED"))
    return event


def appointment_ics(appointment: Appointment, *, token: str) -> bytes:
    return sessions_ics([(appointment, token)])


def sessions_ics(sessions: Iterable[tuple[Appointment, str]]) -> bytes:
    """One calendar file of a patient's appointments, each with its own self-service link (a course's sessions)."""
    calendar = _calendar("Booking")
    for appointment, token in sessions:
        calendar.add_component(_patient_event(appointment, token=token))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _patient_event(appointment: Appointment, *, token: str) -> Event:
    location = appointment.location
    event = _event(appointment)
    event.add("summary", f"{appointment.service.name} at {location.name}")
    event.add("location", ", ".join([location.name, *location.address_lines]))
    event.add(
        "description",
        "\n".join(
            [
                f"{appointment.service.name} with {appointment.therapist.display_name}.",
                WHAT_TO_WEAR,
                f"To change or cancel: {manage_url(token)}",
                f"Clinic phone: {location.phone.as_international}",
            ]
        ),
    )
    if location.email:
        event.add("organizer", vCalAddress(f"mailto:{location.email}"))
    return event


# --- A therapist's feed ------------------------------------------------------------------------------------------

FEED_SALT = "booking.therapist-calendar-feed"
# What the feed lists: the last month (a calendar app keeps what it was given) and the next six months.
FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=183)
FEED_LIMIT = 2000
FEED_SUMMARY = {
    Appointment.Status.PENDING_REVIEW: "Appointment (held for review)",
    Appointment.Status.OFFERED: "Appointment (offered from the waiting list)",
}


def feed_token(therapist: Therapist) -> str:
    """The key in the therapist's feed link: a signature of their id and feed version, so a new link (the version
    bumped by desk_services.therapist_calendar_feed_reset) makes every older one answer 404 at once."""
    return signing.Signer(salt=FEED_SALT).sign(f"{therapist.pk}.{therapist.calendar_feed_version}")


def therapist_from_feed_token(token: str) -> Therapist | None:
    """The active therapist whose current feed link this is, or None (tampered, replaced, or made up). One query."""
    try:
        therapist_id, version = signing.Signer(salt=FEED_SALT).unsign(token).split(".", 1)
        therapist_id, version = int(therapist_id), int(version)
    except (signing.BadSignature, ValueError):
        return None
    return Therapist.objects.active().filter(pk=therapist_id, calendar_feed_version=version).first()


def feed_appointments(therapist: Therapist, *, now: datetime) -> list[Appointment]:
    """The therapist's appointments of the feed's window, cancelled ones too (so a calendar app removes them). One
    query: the location comes along, and nothing about the patient is read."""
    return list(
        Appointment.objects.filter(therapist=therapist, start__gte=now - FEED_PAST, start__lt=now + FEED_AHEAD)
        .select_related("location")
        .only("public_id", "updated_at", "start", "end", "status", "location")
        .order_by("start", "pk")[:FEED_LIMIT]
    )


def therapist_feed_ics(
    therapist: Therapist, appointments: Iterable[Appointment], *, url_of: Callable[[Appointment], str]
) -> bytes:
    """The feed: each appointment as "Appointment" at its location, with its desk page (behind the staff sign-in).
    No patient name and no health detail, since calendar apps copy entries to other companies' servers."""
    calendar = _calendar("Therapist calendar")
    calendar.add("x-wr-calname", f"Needle & Move: {therapist.display_name}")
    for appointment in appointments:
        location = appointment.location
        event = _event(appointment, uid_prefix="staff-")
        event.add("summary", FEED_SUMMARY.get(appointment.status, "Appointment"))
        event.add("location", ", ".join([location.name, *location.address_lines]))
        event.add("url", url_of(appointment))
        event.add("description", f"Details (staff sign-in): {url_of(appointment)}")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
