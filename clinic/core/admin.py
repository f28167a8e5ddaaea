"""Admin for locations, staff accounts and profiles, and a read-only view of the audit log and the outbox."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import parsing
from .account_services import user_deactivate
from .audit_admin import AuditedAdmin
from .models import AuditEvent, Location, OutboundMessage, StaffProfile
from .services import location_changed, message_resend


class ViewOnlyAdminMixin:
    """An admin that only looks: its records are written by services, never added, changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefreshOnWriteAdminMixin:
    """An admin whose saves and deletes tell the app's services, in the same transaction, so what is cached or
    computed from its records is refreshed. Subclasses say how in `changed()`; `saved()` is the hook after a save,
    the same by default. Put it before admin.ModelAdmin."""

    def changed(self) -> None:
        raise NotImplementedError

    def saved(self, request, form) -> None:
        self.changed()

    def deleted(self, objects: list) -> None:
        """The hook after `objects` are deleted and before `changed()`: nothing by default."""

    def save_related(self, request, form, formsets, change):
        # Inside the admin's transaction, after save_model: the row, its m2m and inlines are all saved by now.
        super().save_related(request, form, formsets, change)
        self.saved(request, form)

    # The admin's delete page runs in a transaction, its "delete selected" action does not: both are made one here.
    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.deleted([obj])
        self.changed()

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        objects = list(queryset)
        super().delete_queryset(request, queryset)
        self.deleted(objects)
        self.changed()


class SafeInputAdminMixin:
    """Hostile values the admin itself would fail on, dropped before they reach a widget or a query.

    The add page takes initial values from the query string (?start=...&locations=1,2): a date-time one arrives as a
    string its split widget cannot show, and a related id that is not a number fails the query that looks it up.
    An autocomplete field posted with a value that is not an id fails the same way when the form is shown again with
    its errors. Such values are dropped: the field starts empty, or says it is required."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kept = {}
        for name, value in initial.items():
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.DateTimeField):
                continue
            if field.is_relation and not _all_ids(value if isinstance(value, list) else [value]):
                continue
            kept[name] = value
        return kept

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        id_fields = list(self.get_autocomplete_fields(request))
        if not id_fields:
            return form_class

        class Form(form_class):
            def __init__(self, data=None, *args, **kwargs):
                if data is not None:
                    data = data.copy()
                    for name in id_fields:
                        if not _all_ids(data.getlist(name)):
                            data.setlist(name, [])
                super().__init__(data, *args, **kwargs)

        Form.__name__ = form_class.__name__
        return Form


def _all_ids(values) -> bool:
    return all(parsing.whole_number(str(v)) is not None for v in values if v != "")


@admin.register(Location)
class LocationAdmin(RefreshOnWriteAdminMixin, AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "city", "time_zone", "phone", "is_active"]
    list_filter = ["is_active", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "city"]

    def changed(self) -> None:
        location_changed()

    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active"]}),
        (
            "Contact",
            {"fields": ["address", "city", "country", "currency", "phone", "emergency_number", "email", "time_zone"]},
        ),
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
class AuditEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, read-only for everyone (the database refuses changes too). Filter by action, actor and date;
    find a patient's events by searching their number, or with ?patient_id=<id> (the patient's page links to it)."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "patient_id", "ip_address"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "object_type"]
    search_fields = ["actor_name", "object_id__exact", "patient_id__exact"]
    search_help_text = "An actor's name, or the number of a record or of a patient."
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in ("patient_id", "patient_id__exact") or super().lookup_allowed(lookup, value, request)


class PossiblyRepeatedFilter(admin.SimpleListFilter):
    """Sent messages that may have reached the patient twice (an attempt was interrupted mid-send)."""

    title = "possibly sent twice"
    parameter_name = "repeated"

    def lookups(self, request, model_admin):
        return [("yes", "Possibly sent twice")]

    def queryset(self, request, queryset):
        return queryset.repeated() if self.value() == "yes" else queryset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Read-only view of what the clinic owes and sent; failed rows can be queued again."""

    list_display = [
        "kind",
        "channel",
        "content_type",
        "object_id",
        "due_at",
        "status",
        "attempts",
        "interrupted_attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind", PossiblyRepeatedFilter]
    search_fields = ["object_id", "kind"]
    date_hierarchy = "due_at"
    list_select_related = ["content_type"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected messages again now", permissions=["change"])
    def resend(self, request, queryset):
        for message in queryset:
            message_resend(message=message, actor=request.user, request=request)
        self.message_user(request, f"{queryset.count()} message(s) queued to send again.")


@admin.register(StaffProfile)
class StaffProfileAdmin(SafeInputAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """Which locations a member of staff works at (the desk's schedule). No profile: every active location."""

    list_display = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["locations"]
    autocomplete_fields = ["user"]


# --- Staff accounts (docs/access.md, "The admin") ---------------------------------------------------------------
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Clinic admins manage staff accounts, with three limits: nobody but a superuser grants superuser, nobody edits
    their own groups or permissions, and an account the audit log names is deactivated rather than deleted."""

    actions = ["deactivate"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_superuser", "is_staff", "is_active", "groups", "user_permissions"]
        return sorted(set(readonly), key=readonly.index)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.pk == request.user.pk or AuditEvent.objects.filter(actor=obj).exists()):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, where the audit log allows it
        return actions

    @admin.action(description="Deactivate the selected accounts (they can no longer sign in)", permissions=["change"])
    def deactivate(self, request, queryset):
        count = user_deactivate(users=queryset.exclude(pk=request.user.pk))
        self.message_user(request, f"{count} account(s) deactivated; their sessions have ended.")


# --- Two-factor devices --------------------------------------------------------------------------------------------
# django-otp's own admin shows any device's secret as a QR code: a clinic admin could then sign in as a therapist.
# Here an admin sees who has which device and can remove a lost one (its owner enrols again at the next sign-in).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class _DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(_DeviceAdmin):
    pass


@admin.register(StaticDevice)
class RecoveryCodesAdmin(_DeviceAdmin):
    pass
