"""Staff roles as Django groups, declared as data (docs/design.md, "Who sees what").

Permissions are named as strings ("app_label.codename") so the core needs no import of the apps that own them;
a permission that does not exist yet is simply skipped and picked up by the next sync.
"""

FRONT_DESK = "Front desk"
THERAPIST = "Therapist"
CLINIC_ADMIN = "Clinic admin"

# The permission that guards patients' health answers: therapists and clinic admins only, and every view audited.
HEALTH_ANSWERS_PERMISSION = "intake.view_health_answers"

# What both front desk and therapists do with the diary: see locations, book and change appointments, and keep
# time off up to date.
_DIARY = [
    "core.view_location",
    "intake.view_patient",
    "intake.view_intake",  # for the desk: outcome and contact details, not the answers
    "booking.view_appointment",
    "booking.add_appointment",
    "booking.change_appointment",
    "booking.view_service",
    "booking.view_therapist",
    "booking.view_workinghours",
    "booking.view_timeoff",
    "booking.add_timeoff",
    "booking.change_timeoff",
    "booking.delete_timeoff",
]
_DESK = [
    *_DIARY,
    "intake.add_patient",
    "intake.change_patient",
    "booking.add_workinghours",
    "booking.change_workinghours",
    "booking.delete_workinghours",
]
_THERAPIST = [*_DIARY, HEALTH_ANSWERS_PERMISSION, "intake.review_intake"]
# Clinic admins manage everything that is content or configuration, and see health answers (audited).
_ADMIN_APPS = ("core", "education", "intake", "booking")

ROLES: dict[str, list[str]] = {FRONT_DESK: _DESK, THERAPIST: _THERAPIST, CLINIC_ADMIN: []}


def _permissions_for(role: str, Permission):
    if role == CLINIC_ADMIN:
        return list(
            Permission.objects.filter(content_type__app_label__in=_ADMIN_APPS)
            | Permission.objects.filter(content_type__app_label="auth", content_type__model__in=["user", "group"])
        )
    wanted = {tuple(name.split(".", 1)) for name in ROLES[role]}
    candidates = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
    ).select_related("content_type")
    return [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]


def sync_roles(Group, Permission) -> None:
    """Create the three groups and give each exactly its declared permissions (idempotent)."""
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions_for(role, Permission))


def sync_roles_after_migrate(sender, **kwargs):
    """Re-sync after `migrate` and after `flush` (both send post_migrate once per app that has models): only for
    the last such app, when every app's permissions exist."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        sync_roles(Group, Permission)
