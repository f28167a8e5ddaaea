"""Admin for services, therapists, hours, time off, closures and (read-mostly) appointments."""

from django.contrib import admin
from django.db import transaction

from clinic.core.admin import SafeInputAdminMixin, ViewOnlyAdminMixin
from clinic.core.audit_admin import AuditedAdmin

from . import (
    privacy_admin,  # noqa: F401  (the patient's page with export and erasure)
    services,
)
from .models import Appointment, Closure, Service, Therapist, TimeOff, WorkingHours


class DiaryAdmin(AuditedAdmin, admin.ModelAdmin):
    """Admin edits of what free times are computed from tell the booking services, in the admin's transaction, so
    the cached free times are recomputed (booking/slot_cache.py)."""

    def changed(self) -> None:
        services.diary_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # after save_model: the row, its m2m and inlines
        self.changed()

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.changed()

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self.changed()


@admin.register(Service)
class ServiceAdmin(DiaryAdmin):
    list_display = ["name", "duration_minutes", "buffer_after_minutes", "price", "needs_screening", "is_active"]
    list_filter = ["is_active", "needs_screening", "uses_electrical_stimulation"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["locations"]

    def changed(self) -> None:
        services.service_catalogue_changed()


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(DiaryAdmin):
    list_display = ["display_name", "user", "is_active"]
    list_filter = ["is_active", "locations"]
    filter_horizontal = ["locations", "services"]
    inlines = [WorkingHoursInline]


@admin.register(TimeOff)
class TimeOffAdmin(SafeInputAdminMixin, DiaryAdmin):
    list_display = ["therapist", "start", "end", "reason"]
    list_select_related = ["therapist"]


@admin.register(Closure)
class ClosureAdmin(DiaryAdmin):
    list_display = ["location", "first_day", "last_day", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Changes go through the desk and its services (which check overlaps); the admin only looks. Never deleted
    here either: a deleted appointment would leave its messages owed and the diary cache unaware (cancel at the
    desk)."""

    list_display = ["start", "location", "therapist", "service", "status", "source"]
    list_filter = ["status", "source", "location"]
    list_select_related = ["location", "therapist", "service"]
    date_hierarchy = "start"
    raw_id_fields = ["patient", "intake"]
