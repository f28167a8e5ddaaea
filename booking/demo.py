"""Demo data of booking: services, four therapists and their weekly hours at each location, and a week of
appointments at each location, confirmed and held for review, so the desk and the review queue show real work
(DEBUG only).

Called by `seed_demo` with the core's locations and staff; idempotent."""

import io
import uuid
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from clinic.core.roles import THERAPIST
from intake.models import Intake

from . import photos
from . import services as booking_services
from .models import Appointment, Service, ServiceOffering, Therapist, WorkingHours

SERVICES = [
    # slug, name, minutes, buffer after, needs screening, uses electrical stimulation
    ("dry-needling", "Dry needling session", 45, 15, True, False),
    ("dry-needling-estim", "Dry needling with electrical stimulation", 45, 15, True, True),
    ("initial-assessment", "Initial assessment", 60, 0, False, False),
    ("virtual-consultation", "Virtual consultation", 30, 0, False, False),
]
# Each clinic charges in its own currency (Location.currency): the demo's prices by currency and service.
PRICES = {
    "INR": {
        "dry-needling": 2500,
        "dry-needling-estim": 3000,
        "initial-assessment": 2000,
        "virtual-consultation": 1000,
    },
    "GBP": {"dry-needling": 65, "dry-needling-estim": 75, "initial-assessment": 60, "virtual-consultation": 35},
}
# username -> the public profile (made-up people and registration numbers, for the demo only)
THERAPISTS = {
    "therapist": {
        "title": "Sports physiotherapist",
        "bio": "Arjun treats runners, cricketers and people whose necks ache after long days at a desk.\n\n"
        "He combines dry needling with a clear home exercise plan, so the benefit lasts after the session.",
        "qualifications": "MPT (Sports), certified in dry needling",
        "registration_body": "Karnataka State Allied and Healthcare Council",
        "registration_number": "KSAHC-PT-20418",
        "languages": "English, Hindi, Kannada, Malayalam",
    },
    "priya": {
        "title": "Musculoskeletal physiotherapist",
        "bio": "Priya focuses on shoulders: frozen shoulder, rotator cuff pain and recovery after surgery.",
        "qualifications": "MPT (Ortho), dry needling level 2",
        "registration_body": "Indian Association of Physiotherapists",
        "registration_number": "IAP-L-33907",
        "languages": "English, Tamil, Telugu",
    },
    "kavya": {
        "title": "Physiotherapist for head, jaw and neck pain",
        "bio": "Kavya treats tension headaches, jaw pain and stiff necks, gently and step by step.",
        "qualifications": "BPT, dry needling level 1",
        "registration_body": "Indian Association of Physiotherapists",
        "registration_number": "IAP-L-41256",
        "languages": "English, Kannada, Tamil",
    },
    "oliver": {
        "title": "Chartered physiotherapist",
        "bio": "Oliver helps people with back pain get moving again and return to the sport they love.",
        "qualifications": "BSc (Hons) Physiotherapy, MCSP, AACP dry needling",
        "registration_body": "Health and Care Professions Council (HCPC)",
        "registration_number": "PH123456",
        "languages": "English, French",
    },
}
# A morning and an afternoon block, Monday to Friday, and Saturday mornings, in each location's own time.
WEEK = [(day, time(9), time(13)) for day in range(5)] + [(day, time(14), time(18)) for day in range(5)]
WEEK += [(5, time(9), time(13))]


def seed(*, locations, staff) -> None:
    services = []
    for slug, name, minutes, buffer, screening, estim in SERVICES:
        service, _ = Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "buffer_after_minutes": buffer,
                "needs_screening": screening,
                "uses_electrical_stimulation": estim,
                "is_active": True,
            },
        )
        for location in locations:
            price = PRICES.get(location.currency, {}).get(slug)
            ServiceOffering.objects.update_or_create(service=service, location=location, defaults={"price": price})
        services.append(service)

    therapists = [user for user, role in staff if role == THERAPIST]
    london = [loc for loc in locations if loc.time_zone == "Europe/London"]
    india = [loc for loc in locations if loc not in london]
    for index, user in enumerate(therapists):
        therapist, _ = Therapist.objects.update_or_create(
            user=user,
            defaults={"display_name": user.get_full_name() or user.username, **THERAPISTS.get(user.username, {})},
        )
        if not therapist.photo:
            photo = _demo_photo(index)
            therapist.photo.save(photo.name, photo, save=False)
            therapist.photo_alt = f"Drawing of {therapist.display_name}: a figure on a coloured background"
            therapist.save(update_fields=["photo", "photo_alt"])
        # The last therapist works in London, the others share the Indian clinics.
        where = london if (index == len(therapists) - 1 and london) else india
        therapist.locations.set(where)
        therapist.services.set(services)
        for location in where:
            if not WorkingHours.objects.filter(therapist=therapist, location=location).exists():
                WorkingHours.objects.bulk_create(
                    WorkingHours(therapist=therapist, location=location, weekday=d, start_time=s, end_time=e)
                    for d, s, e in WEEK
                )
    seed_appointments(locations=locations)
    # Written straight to the tables: cached free times and public pages (of these locations too) are told here.
    booking_services.service_catalogue_changed()


# The demo's photos are drawings made here (no real person's photo, nothing downloaded): a figure on a disc of the
# palette, through the same preparation as an upload.
PHOTO_COLOURS = [
    ("#e6f0f1", "#0b5563", "#8d5a3b"),
    ("#f7e6dd", "#c2562f", "#c68a62"),
    ("#eef0e4", "#4d6b2f", "#a86f4c"),
]
PHOTO_COLOURS += [("#ece8f3", "#4b3f72", "#e0b48f")]


def _demo_photo(index: int) -> ContentFile:
    background, clothes, skin = PHOTO_COLOURS[index % len(PHOTO_COLOURS)]
    image = Image.new("RGB", (640, 640), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 440, 550, 900), fill=clothes)  # shoulders
    draw.rectangle((280, 360, 360, 470), fill=skin)  # neck
    draw.ellipse((188, 112, 452, 352), fill="#2b2118")  # hair, behind the face
    draw.ellipse((204, 150, 436, 400), fill=skin)  # face
    out = io.BytesIO()
    image.save(out, "PNG")
    return photos.prepare_photo(ContentFile(out.getvalue(), name="demo.png"))


# Each demo appointment's submission key is derived from where and when it is, so a second run finds it.
DEMO_KEYS = uuid.UUID("6f1c0a52-3f5e-4a52-9a39-2d0c1b7e0d14")
# Local start times of the demo appointments, within the demo working hours; today gets four, later days two.
TODAY_TIMES = [time(9), time(11), time(14), time(16)]
LATER_TIMES = [time(10), time(15)]
SATURDAY_TIMES = [time(10), time(12)]
DEMO_DAYS = 7


def _demo_key(location, start: datetime) -> uuid.UUID:
    return uuid.uuid5(DEMO_KEYS, f"{location.slug}/{start.isoformat()}")


def seed_appointments(*, locations, now: datetime | None = None) -> None:
    """Confirmed appointments today and on each working day of the coming week at every location, and, for each
    screening waiting for review, an appointment held for it at its location.

    Written straight to the table, like the rest of the demo (no messages are owed for them); a time a therapist
    already holds is skipped."""
    now = now or timezone.now()
    patients = list(Intake.objects.filter(outcome=Intake.Outcome.CLEARED).select_related("patient").order_by("pk"))
    assessment = Service.objects.get(slug="initial-assessment")
    needling = Service.objects.get(slug="dry-needling")
    for index, location in enumerate(locations):
        therapists = list(location.therapists.filter(is_active=True).order_by("pk"))
        if not therapists or not patients:
            continue
        today = now.astimezone(location.zone).date()
        made = 0
        for offset in range(DEMO_DAYS):
            day = today + timedelta(days=offset)
            if offset and day.weekday() == 6:  # the demo clinics are closed on Sundays
                continue
            times = TODAY_TIMES if not offset else SATURDAY_TIMES if day.weekday() == 5 else LATER_TIMES
            for at in times:
                start = datetime.combine(day, at, tzinfo=location.zone)
                intake = patients[(index + made) % len(patients)]
                service = needling if made % 2 else assessment
                _demo_appointment(
                    location=location,
                    therapist=therapists[(index + made) % len(therapists)],
                    service=service,
                    patient=intake.patient,
                    intake=intake if service.needs_screening else None,
                    start=start,
                    status=Appointment.Status.CONFIRMED,
                )
                made += 1
    waiting = Intake.objects.filter(
        outcome=Intake.Outcome.NEEDS_REVIEW, review_status=Intake.ReviewStatus.PENDING, location__isnull=False
    ).select_related("patient", "location")
    for number, intake in enumerate(waiting.order_by("pk")):
        location = intake.location
        therapists = list(location.therapists.filter(is_active=True).order_by("pk"))
        if not therapists:
            continue
        day = now.astimezone(location.zone).date() + timedelta(days=1 + number % 3)
        day += timedelta(days=day.weekday() == 6)  # not on a Sunday
        _demo_appointment(
            location=location,
            therapist=therapists[number % len(therapists)],
            service=needling,
            patient=intake.patient,
            intake=intake,
            start=datetime.combine(day, time(17), tzinfo=location.zone),
            status=Appointment.Status.PENDING_REVIEW,
        )


def _demo_appointment(*, location, therapist, service, patient, intake, start, status) -> None:
    key = _demo_key(location, start)
    if Appointment.objects.filter(submission_key=key).exists():
        return
    try:
        with transaction.atomic():  # a time this therapist already holds (another location) is left out
            Appointment.objects.create(
                submission_key=key,
                patient=patient,
                therapist=therapist,
                location=location,
                service=service,
                intake=intake,
                start=start,
                end=start + service.duration,
                blocked_until=start + service.duration + service.buffer,
                status=status,
                source=Appointment.Source.DESK,
            )
    except IntegrityError:
        pass
