"""Views of the desk about one patient beyond their page: sending the screening link (from the patient's page, or
from the booking form when the caller has no valid screening) and merging a duplicate record into theirs (clinic
admins only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.desk_services import MergeRefused, patients_merge
from intake.models import Patient
from intake.services import ScreeningLinkSent, screening_link_send

from . import selectors as desk
from .forms import MergeForm, PatientForm, ScreeningLinkForm
from .views import _booking_target, _next_or, _staff

CHANNEL_WORDS = {"email": "e-mail", "sms": "SMS"}


def _say_what_was_sent(request, sent: ScreeningLinkSent, name: str, zone) -> None:
    if sent.queued:
        ways = " and ".join(CHANNEL_WORDS[channel] for channel in sent.queued)
        messages.success(request, f"The screening link is on its way to {name} by {ways}.")
    for channel, at in sent.recent.items():
        local = timezone.localtime(at, zone)
        messages.info(
            request,
            f"The screening link already went to {name} by {CHANNEL_WORDS[channel]} at {local:%H:%M} {local:%Z}, "
            "so it was not sent again. It can be sent again ten minutes after that.",
        )


def _zone(staff):
    locations = desk.locations_for(staff)
    return locations[0].zone if locations else timezone.get_current_timezone()


@login_required
@require_POST
def screening_link(request, pk: int):
    """Send the patient a link to the screening questions (any staff who may see the patient)."""
    staff = _staff(request)
    patient = desk.patient_for_staff(staff, pk)
    back = _next_or(request, reverse("desk:patient", args=[patient.pk]))
    form = ScreeningLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose e-mail, SMS or both. Nothing was sent.")
        return redirect(back)
    try:
        sent = screening_link_send(
            patient=patient, channels=form.cleaned_data["channels"], actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _say_what_was_sent(request, sent, patient.full_name, _zone(staff))
    return redirect(back)


@login_required
@require_POST
def book_screening_link(request):
    """From the booking form, when the caller has no valid screening: the same link, to the patient matched (or
    added) by e-mail and date of birth, then back to the free times to book once they have answered."""
    staff = _staff(request)
    location, service, _therapist, _start = _booking_target(request, staff, request.POST)
    form = PatientForm(request.POST, region=location.country)
    channels = ScreeningLinkForm(request.POST)
    back = f"{reverse('desk:book')}?location={location.slug}&service={service.slug}"
    if not (form.is_valid() and channels.is_valid()):
        messages.error(request, "The caller's details or the way to send the link were incomplete. Nothing was sent.")
        return redirect(back)
    sent = screening_link_send(
        patient=form.patient_details, channels=channels.cleaned_data["channels"], actor=request.user, request=request
    )
    _say_what_was_sent(request, sent, sent.patient.full_name, location.zone)
    return redirect(back)


# --- Merging a duplicate record (clinic admins) ------------------------------------------------------------------


def _patient_for_admin(request, pk: int) -> Patient:
    """A patient the member of staff may see (404 otherwise) whom they may merge (clinic admins; 403 otherwise)."""
    staff = _staff(request)
    patient = desk.patient_for_staff(staff, pk)
    if not staff.is_admin:
        raise PermissionDenied
    if patient.is_erased:
        raise PermissionDenied  # nothing left to compare; an erased record stays as it is
    return patient


@login_required
@never_cache
@require_GET
def merge(request, pk: int):
    """Find the duplicate of this patient, by the same search as the patients page."""
    patient = _patient_for_admin(request, pk)
    query = (request.GET.get("q") or "").strip()
    found = [other for other in desk.patient_search(_staff(request), query) if other.pk != patient.pk] if query else []
    context = {"patient": patient, "query": query, "patients": found, "searched": bool(query)}
    return render(request, "desk/patient_merge.html", context)


def _with_counts(*patients: Patient) -> list[Patient]:
    """The two records with how many screenings and appointments each has. One query."""
    counted = Patient.objects.filter(pk__in=[p.pk for p in patients]).annotate(
        intake_count=Count("intakes", distinct=True), appointment_count=Count("appointments", distinct=True)
    )
    by_pk = {p.pk: p for p in counted}
    return [by_pk[p.pk] for p in patients]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def merge_confirm(request, pk: int, other: int):
    """Both records side by side; confirming merges `other` into `pk` (which keeps its name and contact details)."""
    keep, duplicate = _patient_for_admin(request, pk), _patient_for_admin(request, other)
    form = MergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            patients_merge(keep=keep, duplicate=duplicate, actor=request.user, request=request)
        except MergeRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Merged: {duplicate.full_name}'s record is now part of {keep.full_name}'s.")
            return redirect("desk:patient", pk=keep.pk)
    keep, duplicate = _with_counts(keep, duplicate)
    context = {"patient": keep, "keep": keep, "duplicate": duplicate, "form": form}
    return render(request, "desk/patient_merge_confirm.html", context, status=400 if form.errors else 200)
