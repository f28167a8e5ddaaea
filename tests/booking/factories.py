"""factory_boy factories of booking: services, therapists with hours, closures and appointments."""

from datetime import time, timedelta

import factory

from booking.models import Appointment, Closure, Service, Therapist, TimeOff, WorkingHours
from tests.factories import LocationFactory, therapist_user
from tests.intake.factories import IntakeFactory, PatientFactory

__all__ = [
    "AppointmentFactory",
    "ClosureFactory",
    "IntakeFactory",
    "PatientFactory",
    "ServiceFactory",
    "TherapistFactory",
    "TimeOffFactory",
    "WorkingHoursFactory",
    "service_admin_form",
    "therapist_at",
]


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    duration_minutes = 45
    buffer_after_minutes = 0
    needs_screening = False

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)

    @factory.post_generation
    def price(self, create, extracted, **kwargs):
        """The price at each of its locations (after `locations`), in each location's currency: 2500 unless given."""
        if create:
            self.offerings.update(price=2500 if extracted is None else extracted)

    class Params:
        needling = factory.Trait(name="Dry needling session", slug="dry-needling", needs_screening=True)


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    user = factory.LazyFunction(therapist_user)
    display_name = factory.Sequence(lambda n: f"Therapist {n:03}")

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    therapist = factory.SubFactory(TherapistFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    start_time = time(9)
    end_time = time(17)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    therapist = factory.SubFactory(TherapistFactory)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    location = factory.SubFactory(LocationFactory)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment written straight to the table (tests of reads); bookings in tests go through the service."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SubFactory(TherapistFactory)
    location = factory.SubFactory(LocationFactory)
    service = factory.SubFactory(ServiceFactory)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=o.service.duration_minutes))
    blocked_until = factory.LazyAttribute(lambda o: o.end + timedelta(minutes=o.service.buffer_after_minutes))
    status = Appointment.Status.CONFIRMED


def therapist_at(location, services, *, hours=((0, 9, 17),), **kwargs) -> Therapist:
    """A therapist offering `services` at `location`, working (weekday, from hour, to hour) blocks every week."""
    therapist = TherapistFactory(locations=[location], services=services, **kwargs)
    for weekday, start_hour, end_hour in hours:
        WorkingHoursFactory(
            therapist=therapist,
            location=location,
            weekday=weekday,
            start_time=time(start_hour),
            end_time=time(end_hour),
        )
    return therapist


def service_admin_form(service: Service, **fields) -> dict:
    """The admin's change form of `service` as posted, with its clinics and prices inline (`fields` override)."""
    offerings = list(service.offerings.order_by("pk")) if service.pk else []
    form = {
        "name": service.name,
        "slug": service.slug,
        "description": service.description,
        "duration_minutes": service.duration_minutes,
        "buffer_after_minutes": service.buffer_after_minutes,
        "is_active": "on" if service.is_active else "",
        "offerings-TOTAL_FORMS": len(offerings),
        "offerings-INITIAL_FORMS": len(offerings),
        "offerings-MIN_NUM_FORMS": 0,
        "offerings-MAX_NUM_FORMS": 1000,
    }
    if service.needs_screening:
        form["needs_screening"] = "on"
    for number, offering in enumerate(offerings):
        form |= {
            f"offerings-{number}-id": offering.pk,
            f"offerings-{number}-service": service.pk,
            f"offerings-{number}-location": offering.location_id,
            f"offerings-{number}-price": "" if offering.price is None else str(offering.price),
        }
    return {name: value for name, value in (form | fields).items() if value != ""}
