"""The patient's page in the admin, with their data rights: download everything held (JSON) and erase.

Intake's PatientAdmin is extended here, in booking, because only this layer sees every record about a patient
(booking/privacy.py). Both views need their own permission (clinic admins: `intake.export_patient`,
`intake.erase_patient`) on top of seeing the patient, and both are audited by the services they call.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from intake.admin import PatientAdmin as IntakePatientAdmin
from intake.models import Patient

from . import privacy
from .models import Appointment

EXPORT_PERMISSION = "intake.export_patient"
ERASE_PERMISSION = "intake.erase_patient"


class ErasureForm(forms.Form):
    confirmation = forms.CharField(
        label="Type the patient's full name",
        max_length=200,
        help_text="Exactly as shown in the heading, to confirm which patient you mean.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="For example: the patient's written request of 3 November. Kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"]
        if not privacy.erasure_confirmation_matches(self.patient, typed):
            raise forms.ValidationError("That is not this patient's full name. Nothing was erased.")
        return typed


class PatientAdmin(IntakePatientAdmin):
    def get_urls(self):
        return [
            path("<int:pk>/export/", self.admin_site.admin_view(self.export_view), name="intake_patient_export"),
            path("<int:pk>/erase/", self.admin_site.admin_view(self.erase_view), name="intake_patient_erase"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_export": request.user.has_perm(EXPORT_PERMISSION),
            "may_erase": request.user.has_perm(ERASE_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        # Nothing is left to edit on an erased patient, and no one may put personal data back on the row.
        if obj is not None and obj.is_erased:
            return False
        return super().has_change_permission(request, obj)

    def _patient(self, request, pk: int, permission: str) -> Patient:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        patient = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, patient):
            raise PermissionDenied
        return patient

    # admin_view() already makes these never cached, CSRF-protected and login-only.
    def export_view(self, request, pk: int):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        patient = self._patient(request, pk, EXPORT_PERMISSION)
        document = privacy.patient_export(patient=patient, actor=request.user, request=request)
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        # The file name carries the record number, not the name: downloads folders and browser histories leak.
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-export.json"'
        return response

    def erase_view(self, request, pk: int):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        patient = self._patient(request, pk, ERASE_PERMISSION)
        if patient.is_erased:
            messages.info(request, "This patient was already erased.")
            return redirect(reverse("admin:intake_patient_change", args=[patient.pk]))
        form = ErasureForm(request.POST or None, patient=patient)
        if request.method == "POST" and form.is_valid():
            try:
                counts = privacy.patient_erase(
                    patient=patient,
                    actor=request.user,
                    confirmation=form.cleaned_data["confirmation"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except privacy.ErasureRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request,
                    f"Patient #{patient.pk} erased: {counts['intakes_deleted']} screening(s) deleted, "
                    f"{counts['future_appointments_cancelled']} future appointment(s) cancelled.",
                )
                return redirect(reverse("admin:intake_patient_changelist"))
        appointments = Appointment.objects.filter(patient=patient)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "patient": patient,
            "form": form,
            "summary": {
                "intakes": patient.intakes.count(),
                "appointments": appointments.count(),
                "future": appointments.filter(
                    status__in=[Appointment.Status.PENDING_REVIEW, Appointment.Status.CONFIRMED],
                    start__gt=timezone.now(),
                ).count(),
            },
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/intake/patient/erase.html", context, status=status)


admin.site.unregister(Patient)
admin.site.register(Patient, PatientAdmin)
