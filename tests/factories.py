"""factory_boy factories shared by the whole suite."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic.core.models import Location
from clinic.core.roles import CLINIC_ADMIN, FRONT_DESK, THERAPIST


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    address = "1 Test Road\nTest Town 560001"
    city = "Bengaluru"
    country = "IN"
    phone = "+91 80 4567 8900"
    time_zone = "Asia/Kolkata"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    password = factory.django.Password("correct-horse-battery")


def _staff_with_role(role):
    def create(**kwargs):
        user = UserFactory(is_staff=True, **kwargs)
        user.groups.add(Group.objects.get(name=role))
        return user

    return create


front_desk_user = _staff_with_role(FRONT_DESK)
therapist_user = _staff_with_role(THERAPIST)
clinic_admin_user = _staff_with_role(CLINIC_ADMIN)
