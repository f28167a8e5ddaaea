"""Who may see what: the one rule every staff read and write goes through (docs/access.md).

A front-desk member whose staff profile lists locations sees only records tied to those locations; therapists and
clinic admins see every location. Apps scope their querysets with `location_scope(user)` and answer 404 for an id
outside it, so an id from another location looks exactly like an id that does not exist.
"""

from collections.abc import Iterable

from django.conf import settings

from .roles import CLINIC_ADMIN, HEALTH_ANSWERS_PERMISSION, THERAPIST

# What this module reads about a user is kept on the user object, which lives as long as the request: read once per
# request at most, and never across requests, so a change of groups, profile or devices counts from the next one.
_GROUPS = "_clinic_group_names"
_HAS_DEVICE = "_clinic_has_device"
_PROFILE_LOCATIONS = "_clinic_profile_locations"
_NO_PROFILE = object()


def preload(user, *, groups: Iterable[str], has_device: bool, profile_locations: Iterable[int] | None) -> None:
    """Give this request's `user` what the functions below would read, read together with the user itself
    (desk.auth.StaffBackend): their group names, whether they have a confirmed second-factor device, and the
    locations on their staff profile (None: they have no profile)."""
    setattr(user, _GROUPS, frozenset(groups))
    setattr(user, _HAS_DEVICE, has_device)
    setattr(user, _PROFILE_LOCATIONS, _NO_PROFILE if profile_locations is None else frozenset(profile_locations))


def group_names(user) -> frozenset[str]:
    """The user's group names, read once per request."""
    cached = getattr(user, _GROUPS, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS, cached)
    return cached


def has_device(user) -> bool:
    """Whether the user has a confirmed second-factor device (any of django-otp's kinds), read once per request."""
    cached = getattr(user, _HAS_DEVICE, None)
    if cached is None:
        from django_otp import user_has_device

        cached = user_has_device(user)
        setattr(user, _HAS_DEVICE, cached)
    return cached


def _profile_locations(user) -> frozenset[int] | None:
    cached = getattr(user, _PROFILE_LOCATIONS, None)
    if cached is None:
        from .models import StaffProfile

        profile = StaffProfile.objects.filter(user=user).first()
        cached = _NO_PROFILE if profile is None else frozenset(profile.locations.values_list("pk", flat=True))
        setattr(user, _PROFILE_LOCATIONS, cached)
    return None if cached is _NO_PROFILE else cached


def is_clinic_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or CLINIC_ADMIN in group_names(user)))


def location_scope(user) -> frozenset[int] | None:
    """Ids of the locations `user` may see records of; None means every location.

    Clinic admins and therapists see the whole clinic. Front desk: the locations on their staff profile (no profile:
    every location, so a small clinic need not set anything up; a profile with none ticked: none at all)."""
    if not user.is_authenticated:
        return frozenset()
    if is_clinic_admin(user) or THERAPIST in group_names(user) or user.has_perm(HEALTH_ANSWERS_PERMISSION):
        return None
    return _profile_locations(user)


def needs_second_factor(user) -> bool:
    """Whether `user` must sign in with a code as well as a password.

    Always for anyone who can see health answers (therapists, clinic admins); for the front desk only when
    TWO_FACTOR_REQUIRED_FOR_FRONT_DESK is on; never for the DEBUG-only demo accounts, so `make run` stays two
    commands. Anyone who enrolled a device uses it whatever this says (see `must_verify`)."""
    if not (user.is_authenticated and user.is_staff):
        return False
    if settings.DEBUG and _is_demo_account(user):
        return False
    if user.is_superuser or user.has_perm(HEALTH_ANSWERS_PERMISSION):
        return True
    return settings.TWO_FACTOR_REQUIRED_FOR_FRONT_DESK


def must_verify(user) -> bool:
    """Whether this signed-in user still owes a second factor in this session."""
    if not user.is_authenticated or user.is_verified():
        return False
    if settings.DEBUG and _is_demo_account(user):
        return False
    return needs_second_factor(user) or has_device(user)


def _is_demo_account(user) -> bool:
    from .demo import STAFF

    return user.username in {username for username, *_ in STAFF}
