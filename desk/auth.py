"""Reading the signed-in member of staff back on each request, with what every staff page asks about them
(docs/access.md, "Signing in"; docs/design.md, "Speed").

Before its own work each staff page asks the same things: may they use it (their own and their groups'
permissions), do they owe a second factor (their devices), what is their role (their groups, whether they are a
therapist) and which locations they see (their staff profile). Django's ModelBackend and django-otp answer with a
query each, eight on a front-desk page. `StaffBackend` reads the user and all of these in one query instead. Nothing
is kept between requests: each request reads them afresh, so a changed group, permission, profile or device counts
from the next request, exactly as before.

On SQLite (a local `make run` without DATABASE_URL) it reads the user as ModelBackend does, and the rest is read on
demand.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django_otp import device_classes

from booking.models import Therapist
from clinic.core import access
from clinic.core.models import StaffProfile
from clinic.core.statements import Statement

DEVICE_PREFIX = "staff_device_"


def _permission_names(permissions):
    """ "app_label.codename" of each permission, as ModelBackend names them."""
    return ArraySubquery(
        permissions.order_by().values(full_name=Concat("content_type__app_label", Value("."), "codename"))
    )


def _with_staff_facts(users):
    user = OuterRef("pk")
    # One EXISTS per kind of device django-otp has installed (an authenticator app, recovery codes).
    devices = {
        f"{DEVICE_PREFIX}{n}": Exists(model.objects.devices_for_user(user, confirmed=True))
        for n, model in enumerate(device_classes())
    }
    return users.annotate(
        staff_user_permissions=_permission_names(Permission.objects.filter(user=user)),
        staff_group_permissions=_permission_names(Permission.objects.filter(group__user=user)),
        staff_groups=ArraySubquery(Group.objects.filter(user=user).order_by().values("name")),
        staff_therapist_id=Subquery(Therapist.objects.filter(user=user).order_by().values("pk")[:1]),
        staff_has_profile=Exists(StaffProfile.objects.filter(user=user)),
        staff_profile_locations=ArraySubquery(
            StaffProfile.locations.through.objects.filter(staffprofile__user=user).order_by().values("location_id")
        ),
        **devices,
    )


# Compiling its seven subqueries took more CPU (about 9 ms) than running every other query of a desk page, so it
# is compiled once per process (clinic/core/statements.py); each request runs it with its own user's id.
_user_with_staff_facts = Statement(
    lambda user_id: _with_staff_facts(get_user_model()._default_manager.filter(pk=user_id)), user_id=int
)


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` reads the user's permissions, groups, devices, therapist record and staff
    profile in the same query (see the module's docstring)."""

    def get_user(self, user_id):
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        users = get_user_model()._default_manager
        try:
            user_id = users.model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(_user_with_staff_facts.objects(user_id=user_id)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        devices = [value for name, value in vars(user).items() if name.startswith(DEVICE_PREFIX)]
        access.preload(
            user,
            groups=user.staff_groups,
            has_device=any(devices),
            profile_locations=user.staff_profile_locations if user.staff_has_profile else None,
        )
        return user

    # ModelBackend's own per-request caches are filled from these: its `get_all_permissions` asks for both sets once
    # and keeps their union on the user. A superuser has every permission, which ModelBackend reads itself.
    def get_user_permissions(self, user_obj, obj=None):
        loaded = self._loaded(user_obj, obj, "staff_user_permissions")
        return super().get_user_permissions(user_obj, obj) if loaded is None else loaded

    def get_group_permissions(self, user_obj, obj=None):
        loaded = self._loaded(user_obj, obj, "staff_group_permissions")
        return super().get_group_permissions(user_obj, obj) if loaded is None else loaded

    @staticmethod
    def _loaded(user_obj, obj, name) -> set[str] | None:
        """The permissions read with the user, where they answer the question asked: not for one object (which
        ModelBackend answers with none), an inactive user (none) or a superuser (all)."""
        loaded = getattr(user_obj, name, None)
        if loaded is None or obj is not None or not user_obj.is_active or user_obj.is_superuser:
            return None
        return set(loaded)


def therapist_id(user) -> int | None:
    """The id of `user`'s therapist record, if they have one: read with the user by `StaffBackend`, else here."""
    if hasattr(user, "staff_therapist_id"):
        return user.staff_therapist_id
    return Therapist.objects.filter(user=user).values_list("pk", flat=True).first()
