"""desk.auth.StaffBackend: the user read with what every staff page asks about them, in one query, and the same
answers ModelBackend and django-otp give (docs/access.md, "Signing in")."""

from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core import access
from clinic.core.models import StaffProfile
from clinic.core.roles import HEALTH_ANSWERS_PERMISSION
from desk import auth, selectors
from tests.booking.factories import TherapistFactory
from tests.factories import LocationFactory, UserFactory, clinic_admin_user, front_desk_user, therapist_user

pytestmark = pytest.mark.django_db


def _front_desk_at(*locations):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set(locations)
    return user


def _front_desk_with_an_empty_profile():
    return _front_desk_at()


def _therapist_with_an_app():
    user = TherapistFactory().user
    user.groups.add(*therapist_user().groups.all())
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def _admin_with_recovery_codes_only():
    user = clinic_admin_user()
    StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    return user


def _front_desk_with_an_unfinished_enrolment_and_a_permission_of_their_own():
    user = front_desk_user()
    TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    user.user_permissions.add(Permission.objects.get(codename="change_patient"))
    return user


STAFF = {
    "front desk at one location": lambda: _front_desk_at(LocationFactory()),
    "front desk without a profile": front_desk_user,
    "front desk with a profile and no location": _front_desk_with_an_empty_profile,
    "therapist with an authenticator app": _therapist_with_an_app,
    "clinic admin with recovery codes only": _admin_with_recovery_codes_only,
    "front desk halfway through enrolling": _front_desk_with_an_unfinished_enrolment_and_a_permission_of_their_own,
    "staff with no group": lambda: UserFactory(is_staff=True),
}


def _read(backend, pk):
    """The user as a request without a verified second factor has it (django-otp's middleware adds is_verified)."""
    user = backend.get_user(pk)
    user.is_verified = lambda: False
    return user


def _answers(user):
    return {
        "permissions": user.get_all_permissions(),
        "groups": access.group_names(user),
        "device": access.has_device(user),
        "scope": access.location_scope(user),
        "therapist": auth.therapist_id(user),
        "owes a code": access.must_verify(user),
    }


@pytest.mark.parametrize("make", STAFF.values(), ids=STAFF.keys())
def test_it_answers_as_django_and_django_otp_do(make):
    user = make()
    plain = _read(ModelBackend(), user.pk)
    expected = _answers(plain) | {"device": user_has_device(plain)}

    assert _answers(_read(auth.StaffBackend(), user.pk)) == expected


def test_it_reads_the_user_and_everything_a_staff_page_asks_in_one_query(django_assert_num_queries):
    location = LocationFactory()
    user = _front_desk_at(location)
    user.user_permissions.add(Permission.objects.get(codename="change_patient"))

    with django_assert_num_queries(1):
        loaded = _read(auth.StaffBackend(), user.pk)
        staff = selectors.staff_for(loaded)
        assert loaded.has_perm("intake.change_patient")
        assert not loaded.has_perm(HEALTH_ANSWERS_PERMISSION)
        assert not access.must_verify(loaded)

    assert (staff.role, staff.therapist_id, staff.location_ids) == (selectors.FRONT_DESK, None, {location.pk})


def test_a_change_counts_from_the_next_request(client):
    """Nothing is kept between requests: a device added elsewhere (by the person in another browser, or an admin)
    makes the very next page ask this session for a code, and a removed location is gone from the next page."""
    first, second = LocationFactory(slug="first"), LocationFactory(slug="second")
    user = _front_desk_at(first, second)
    client.force_login(user)
    assert client.get("/desk/", {"location": "second"}).status_code == 200

    user.staff_profile.locations.set([first])
    assert client.get("/desk/", {"location": "second"}).status_code == 404

    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_permissions_for_one_object_inactive_users_and_superusers_are_answered_as_modelbackend_does():
    user = front_desk_user()
    loaded = auth.StaffBackend().get_user(user.pk)
    assert loaded.has_perm("booking.view_appointment")
    assert not loaded.has_perm("booking.view_appointment", obj=object())  # ModelBackend has no per-object rules

    user.is_active = False
    user.save()
    assert auth.StaffBackend().get_user(user.pk) is None

    root = UserFactory(is_staff=True, is_superuser=True)
    assert HEALTH_ANSWERS_PERMISSION in auth.StaffBackend().get_user(root.pk).get_all_permissions()


def test_without_postgresql_it_reads_the_user_alone_and_the_rest_when_asked(django_assert_num_queries):
    """A local `make run` on SQLite: the ordinary reads, one each, on demand."""
    user = _front_desk_at(LocationFactory())
    with mock.patch.object(connection, "vendor", "sqlite"), django_assert_num_queries(1):
        loaded = _read(auth.StaffBackend(), user.pk)
    plain = _read(ModelBackend(), user.pk)

    assert _answers(loaded) == _answers(plain)


def test_a_session_naming_no_user_or_a_malformed_id_reads_nobody():
    """The statement is compiled once and reused: what it is given must be an id, or nobody is signed in."""
    assert auth.StaffBackend().get_user(front_desk_user().pk + 1000) is None
    assert auth.StaffBackend().get_user("7 OR 1=1") is None
