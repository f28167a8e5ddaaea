"""The appointment as an iCalendar (.ics) file, in the location's own time zone, with no health details."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from .models import Appointment

WHAT_TO_WEAR = "Please wear loose, comfortable clothes that let you uncover the area to be treated."

# A booking held for a therapist's review is in the calendar as tentative until it is approved (RFC 5545 STATUS).
ICS_STATUS = {Appointment.Status.PENDING_REVIEW: "TENTATIVE", Appointment.Status.CANCELLED: "CANCELLED"}


def manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("booking:manage", args=[token])


def appointment_ics(appointment: Appointment, *, token: str) -> bytes:
    location = appointment.location
    calendar = Calendar()
    calendar.add("prodid", "-//Needle & Move Physiotherapy//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    # A stable UID, so a moved appointment updates the same calendar entry instead of adding another.
    event.add("uid", f"{appointment.public_id}@needle-and-move")
    event.add("sequence", int(appointment.updated_at.timestamp()) if appointment.updated_at else 0)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.local_start)
    event.add("dtend", appointment.local_end)
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
    event.add("status", ICS_STATUS.get(appointment.status, "CONFIRMED"))
    if location.email:
        event.add("organizer", vCalAddress(f"mailto:{location.email}"))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
