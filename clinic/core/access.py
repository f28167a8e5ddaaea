"""Who may see what: the one rule every staff read and write goes through (docs/access.md).

A front-desk member whose staff profile lists locations sees only records tied to those locations; therapists and
clinic admins see every location. Apps scope their querysets with `location_scope(user)` and answer 404 for an id
outside it, so an id from another location looks exactly like an id that does not exist.
"""

from django.conf import settings

from .roles import CLINIC_ADMIN, HEALTH_ANSWERS_PERMISSION, THERAPIST


def group_names(user) -> frozenset[str]:
    """The user's group names, read once per request (the user object lives as long as the request)."""
    cached = getattr(user, "_clinic_group_names", None)
    if cached is None:
        cached = user._clinic_group_names = frozenset(user.groups.values_list("name", flat=True))
    return cached


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
    from .models import StaffProfile

    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return frozenset(profile.locations.values_list("pk", flat=True))


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
    from django_otp import user_has_device

    if not user.is_authenticated or user.is_verified():
        return False
    if settings.DEBUG and _is_demo_account(user):
        return False
    return needs_second_factor(user) or user_has_device(user)


def _is_demo_account(user) -> bool:
    from .demo import STAFF

    return user.username in {username for username, *_ in STAFF}
