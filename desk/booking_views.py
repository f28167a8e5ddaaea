"""Booking at the desk for a time typed in rather than picked from the free times (outside working hours, with the
override and a reason on the next page): the rest is desk/views.py's booking flow and booking's service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from booking import selectors
from clinic.core import parsing

from . import selectors as desk
from .forms import OtherTimeForm
from .views import _location_from, _patient_param, _staff


@login_required
@never_cache
@require_GET
def book_other_time(request):
    """Check the typed day and time and go on to the patient's details with the override offered."""
    staff = _staff(request)
    location = _location_from(desk.locations_for(staff), request.GET.get("location"))
    service_slug = parsing.slug(request.GET.get("service"))
    service = selectors.services_at(location).filter(slug=service_slug).first() if service_slug else None
    patient = _patient_param(request, staff, request.GET)
    back = reverse("desk:book") + f"?location={location.slug}" + (f"&patient={patient.pk}" if patient else "")
    if service is None:
        messages.error(request, "Choose a service first.")
        return redirect(back)
    therapists = selectors.therapists_for(location, service)
    if staff.is_therapist:
        therapists = therapists.filter(pk=staff.therapist_id)
    form = OtherTimeForm(request.GET, therapists=therapists, zone=location.zone)
    if not form.is_valid():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"That time could not be used: {problems}")
        return redirect(f"{back}&service={service.slug}")
    data = form.cleaned_data
    query = (
        f"?location={location.slug}&service={service.slug}&therapist={data['therapist'].pk}"
        f"&start={parsing.start_param(data['start'])}&override=1" + (f"&patient={patient.pk}" if patient else "")
    )
    return redirect(reverse("desk:book_details") + query)
