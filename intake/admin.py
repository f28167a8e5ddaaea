"""Admin of patients and intakes. Health answers are shown only to users with the health-answers permission,
and every change view that shows them is audited like the review page."""

from django.contrib import admin

from clinic.core.admin import ViewOnlyAdminMixin

from . import services
from .models import Intake, Patient

HEALTH_FIELDS = ("answers", "results", "review_note", "precautions")


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "phone", "date_of_birth", "created_at"]
    search_fields = ["last_name", "first_name", "email"]
    readonly_fields = ["created_at"]


@admin.register(Intake)
class IntakeAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "patient", "location", "outcome", "review_status", "submitted_at", "valid_until"]
    list_filter = ["outcome", "review_status", "location"]
    search_fields = ["patient__last_name", "patient__email"]
    list_select_related = ["patient", "location"]
    raw_id_fields = ["patient", "reviewed_by"]
    date_hierarchy = "submitted_at"

    # Intakes are records of what a patient answered and agreed to: never edited or added by hand; only a
    # superuser deletes one.
    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Intake._meta.concrete_fields if f.name != "id"]
        if not request.user.has_perm("intake.view_health_answers"):
            fields = [f for f in fields if f not in HEALTH_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and request.user.has_perm("intake.view_health_answers") and response.status_code == 200:
            services.intake_answers_viewed(intake=obj, actor=request.user, request=request, via="admin")
        return response
