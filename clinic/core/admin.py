"""Admin for locations and a read-only view of the audit log."""

from django.contrib import admin

from .models import AuditEvent, Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "time_zone", "phone", "is_active"]
    list_filter = ["is_active", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "city"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active"]}),
        ("Contact", {"fields": ["address", "city", "country", "phone", "email", "time_zone"]}),
        (
            "Online booking rules",
            {
                "fields": [
                    "min_notice_minutes",
                    "horizon_days",
                    "slot_step_minutes",
                    "cancellation_cutoff_hours",
                ]
            },
        ),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    # The audit log is append-only, for everyone.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
