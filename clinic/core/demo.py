"""Demo data of the shared core: locations and staff accounts. Only ever loaded when DEBUG is on."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Location
from .roles import CLINIC_ADMIN, FRONT_DESK, THERAPIST

DEMO_PASSWORD = "demo-clinic-password"  # noqa: S105  (DEBUG-only demo accounts, printed by make run)

LOCATIONS = [
    {
        "slug": "bangalore-indiranagar",
        "name": "Bangalore – Indiranagar",
        "address": "12 100 Feet Road, HAL 2nd Stage\nIndiranagar, Bengaluru 560038",
        "city": "Bengaluru",
        "country": "IN",
        "currency": "INR",
        "phone": "+91 80 4567 8900",
        "emergency_number": "112",
        "time_zone": "Asia/Kolkata",
    },
    {
        "slug": "hyderabad-banjara-hills",
        "name": "Hyderabad – Banjara Hills",
        "address": "8-2-293 Road No. 12\nBanjara Hills, Hyderabad 500034",
        "city": "Hyderabad",
        "country": "IN",
        "currency": "INR",
        "phone": "+91 40 2345 6789",
        "emergency_number": "112",
        "time_zone": "Asia/Kolkata",
    },
    {
        # A location in a zone with daylight saving, so the demo shows times across DST changes.
        "slug": "london-clerkenwell",
        "name": "London – Clerkenwell",
        "address": "41 St John Street\nLondon EC1M 4AN",
        "city": "London",
        "country": "GB",
        "currency": "GBP",
        "phone": "+44 20 7946 0321",
        "emergency_number": "999",
        "time_zone": "Europe/London",
    },
]

# username, first name, last name, role
STAFF = [
    ("frontdesk", "Farah", "Desai", FRONT_DESK),
    ("therapist", "Arjun", "Menon", THERAPIST),
    ("priya", "Priya", "Raman", THERAPIST),
    ("kavya", "Kavya", "Iyer", THERAPIST),
    ("oliver", "Oliver", "Hughes", THERAPIST),
    ("clinicadmin", "Meera", "Shah", CLINIC_ADMIN),
]


def seed_locations() -> list[Location]:
    locations = []
    for data in LOCATIONS:
        location, _ = Location.objects.update_or_create(slug=data["slug"], defaults=data)
        locations.append(location)
    return locations


def seed_staff() -> list:
    User = get_user_model()
    users = []
    for username, first, last, role in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@clinic.example", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.set([Group.objects.get(name=role)])
        users.append((user, role))
    return users
