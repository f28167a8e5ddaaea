"""Admin for services, therapists, hours, time off, closures and (read-mostly) appointments."""

from django.contrib import admin

from clinic.core.audit_admin import AuditedAdmin

from . import privacy_admin  # noqa: F401  (the patient's page with export and erasure)
from .models import Appointment, Closure, Service, Therapist, TimeOff, WorkingHours


@admin.register(Service)
class ServiceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "buffer_after_minutes", "price", "needs_screening", "is_active"]
    list_filter = ["is_active", "needs_screening", "uses_electrical_stimulation"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["locations"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["display_name", "user", "is_active"]
    list_filter = ["is_active", "locations"]
    filter_horizontal = ["locations", "services"]
    inlines = [WorkingHoursInline]


@admin.register(TimeOff)
class TimeOffAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["therapist", "start", "end", "reason"]
    list_select_related = ["therapist"]


@admin.register(Closure)
class ClosureAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["location", "first_day", "last_day", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Changes go through the desk and its services (which check overlaps); the admin only looks."""

    list_display = ["start", "location", "therapist", "service", "status", "source"]
    list_filter = ["status", "source", "location"]
    list_select_related = ["location", "therapist", "service"]
    date_hierarchy = "start"
    raw_id_fields = ["patient", "intake"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
