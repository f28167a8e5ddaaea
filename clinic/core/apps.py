"""App config of the shared core."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Clinic"

    def ready(self):
        from . import audit_admin, roles, signals  # noqa: F401

        # Permissions of later apps only exist after their post_migrate, so roles are re-synced after every migrate.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="core.sync_roles")
