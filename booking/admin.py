"""Admin for services, therapists, hours, time off, closures and (read-mostly) appointments."""

from functools import partial

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from clinic.core.admin import RefreshOnWriteAdminMixin, SafeInputAdminMixin, ViewOnlyAdminMixin
from clinic.core.audit_admin import AuditedAdmin

from . import (
    photos,
    privacy_admin,  # noqa: F401  (the patient's page with export and erasure)
    services,
    waitlist,
)
from .models import Appointment, Closure, Service, ServiceOffering, Therapist, TimeOff, WorkingHours


class DiaryAdmin(RefreshOnWriteAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """Admin edits of what free times are computed from tell the booking services, in the admin's transaction, so
    the cached free times are recomputed (booking/slot_cache.py)."""

    def changed(self) -> None:
        services.diary_changed()


class ServiceOfferingInline(admin.TabularInline):
    """Where the service is offered and its price there, in that clinic's currency."""

    model = ServiceOffering
    extra = 0
    verbose_name = "clinic and price"
    verbose_name_plural = "clinics offering it, with the price at each (in the clinic's currency)"


@admin.register(Service)
class ServiceAdmin(DiaryAdmin):
    list_display = ["name", "duration_minutes", "buffer_after_minutes", "needs_screening", "is_active"]
    list_filter = ["is_active", "needs_screening", "uses_electrical_stimulation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceOfferingInline]

    def changed(self) -> None:
        services.service_catalogue_changed()


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class TherapistAdminForm(forms.ModelForm):
    class Meta:
        model = Therapist
        fields = [
            "user", "display_name", "title", "bio", "qualifications", "registration_body", "registration_number",
            "languages", "photo", "photo_alt", "locations", "services", "is_active",
        ]  # fmt: skip

    def clean_photo(self):
        """A new upload is checked and made small here, so a refused one stores nothing (booking/photos.py)."""
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return photos.prepare_photo(photo)
        return photo


@admin.register(Therapist)
class TherapistAdmin(DiaryAdmin):
    form = TherapistAdminForm
    list_display = ["display_name", "user", "is_active"]
    list_filter = ["is_active", "locations"]
    filter_horizontal = ["locations", "services"]
    inlines = [WorkingHoursInline]

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("photo") if "photo" in form.changed_data else None
        super().save_model(request, obj, form, change)
        if replaced:  # a replaced or cleared photo's file goes once the change is committed
            transaction.on_commit(partial(replaced.storage.delete, replaced.name))


class FreesTimeAdmin(DiaryAdmin):
    """Time off and closures block time: what removing or changing one frees is offered to the waiting list in the
    admin's transaction, before the diary version's bump, as the desk's services do (docs/design.md, "The waiting
    list"). The free times inside what the stored row blocked are the ones freed."""

    def freed(self, record) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        stored = type(obj).objects.get(pk=obj.pk) if change else None  # before the form's values are saved over it
        super().save_model(request, obj, form, change)
        if stored is not None:
            self.freed(stored)

    def deleted(self, objects: list) -> None:
        for record in objects:
            self.freed(record)


@admin.register(TimeOff)
class TimeOffAdmin(SafeInputAdminMixin, FreesTimeAdmin):
    list_display = ["therapist", "start", "end", "reason"]
    list_select_related = ["therapist"]

    def freed(self, record: TimeOff) -> None:
        waitlist.offers_for_lifted_time_off(record)


@admin.register(Closure)
class ClosureAdmin(FreesTimeAdmin):
    list_display = ["location", "first_day", "last_day", "reason"]

    def freed(self, record: Closure) -> None:
        waitlist.offers_for_reopened(location=record.location, first_day=record.first_day, last_day=record.last_day)


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
