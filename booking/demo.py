"""Demo data of booking: services, four therapists and their weekly hours at each location (DEBUG only).

Called by `seed_demo` with the core's locations and staff; idempotent."""

from datetime import time

from clinic.core.roles import THERAPIST

from . import services as booking_services
from .models import Service, Therapist, WorkingHours

SERVICES = [
    # slug, name, minutes, buffer after, price, needs screening, uses electrical stimulation
    ("dry-needling", "Dry needling session", 45, 15, 2500, True, False),
    ("dry-needling-estim", "Dry needling with electrical stimulation", 45, 15, 3000, True, True),
    ("initial-assessment", "Initial assessment", 60, 0, 2000, False, False),
    ("virtual-consultation", "Virtual consultation", 30, 0, 1000, False, False),
]
# username -> (bio, qualifications, location slugs)
THERAPISTS = {
    "therapist": (
        "Sports physiotherapist; runners and desk-bound necks.",
        "MPT (Sports), certified in dry needling",
        None,
    ),
    "priya": ("Musculoskeletal physiotherapist with a focus on shoulders.", "MPT (Ortho), dry needling level 2", None),
    "kavya": ("Treats headaches, jaw and neck pain.", "BPT, dry needling level 1", None),
    "oliver": ("Chartered physiotherapist; back pain and returning to sport.", "MCSP, AACP dry needling", None),
}
# A morning and an afternoon block, Monday to Friday, and Saturday mornings, in each location's own time.
WEEK = [(day, time(9), time(13)) for day in range(5)] + [(day, time(14), time(18)) for day in range(5)]
WEEK += [(5, time(9), time(13))]


def seed(*, locations, staff) -> None:
    services = []
    for slug, name, minutes, buffer, price, screening, estim in SERVICES:
        service, _ = Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "buffer_after_minutes": buffer,
                "price": price,
                "needs_screening": screening,
                "uses_electrical_stimulation": estim,
                "is_active": True,
            },
        )
        service.locations.set(locations)
        services.append(service)

    therapists = [user for user, role in staff if role == THERAPIST]
    london = [loc for loc in locations if loc.time_zone == "Europe/London"]
    india = [loc for loc in locations if loc not in london]
    for index, user in enumerate(therapists):
        bio, qualifications, _ = THERAPISTS.get(user.username, ("", "", None))
        therapist, _ = Therapist.objects.update_or_create(
            user=user,
            defaults={
                "display_name": user.get_full_name() or user.username,
                "bio": bio,
                "qualifications": qualifications,
            },
        )
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
    # Written straight to the tables: cached free times and public pages (of these locations too) are told here.
    booking_services.service_catalogue_changed()
