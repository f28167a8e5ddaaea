"""Views of the staff workspace (/desk/): the day schedule per location, an appointment and its messages, desk
actions (check in, finish, no show, cancel, reschedule, book for a patient on the phone), working hours and time off.

Every view needs a logged-in member of staff (others get the 403 page); every change is a POST that goes through
one access helper and a service. Health answers are never read here: only the screening outcome."""

import csv
import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from phonenumbers import region_code_for_number

from booking import availability, desk_services, selectors, services
from booking.forms import CancelForm, PatientDetailsForm
from booking.models import Appointment, Therapist, TimeOff, WorkingHours
from booking.services import kind_label
from clinic.core import parsing
from clinic.core.middleware import BACKGROUND_HEADER
from clinic.core.models import AuditEvent, OutboundMessage
from clinic.core.services import audit_record, message_resend
from intake.services import patient_update_contact

from . import selectors as desk
from .forms import (
    DayForm,
    ExportForm,
    FinishForm,
    MoveSearchForm,
    OtherTimeForm,
    OverrideForm,
    PatientForm,
    RescheduleForm,
    SlotSearchForm,
    StatusActionForm,
    TimeOffForm,
    WorkingHoursForm,
)

FAILED_STATUS = OutboundMessage.Status.FAILED
# --- Access ------------------------------------------------------------------------------------------------------


def _staff(request) -> desk.Staff:
    staff = getattr(request, "_desk_staff", None)
    if staff is None:
        staff = request._desk_staff = desk.staff_for(request.user)
    return staff


def _get_appointment_for_staff(request, pk: int, *, change: bool = False) -> Appointment:
    """The appointment, if this member of staff may see it (and, with `change`, change it): 404 or 403 otherwise."""
    staff = _staff(request)
    appointment = desk.appointment_for_staff(staff, pk)
    if change and not staff.may_change(appointment):
        raise PermissionDenied
    return appointment


def _location_from(locations: list, value: str | None):
    """The location asked for by slug (404 if it is not one of the staff member's), else their first one."""
    if not locations:
        raise PermissionDenied
    if value:
        for location in locations:
            if location.slug == value:
                return location
        raise Http404("No such location.")
    return locations[0]


def _next_or(request, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}) and wanted[:1] == "/":
        return wanted
    return fallback


def _detail_url(appointment) -> str:
    return reverse("desk:appointment", args=[appointment.pk])


# --- Day schedule ------------------------------------------------------------------------------------------------


@login_required
@never_cache
@vary_on_headers(BACKGROUND_HEADER)
@require_GET
def home(request):
    """A location's day. The schedule's background refresh (static/desk/schedule.js, every 30 seconds on every desk)
    is answered with the schedule section alone: it replaces nothing else, so the header, the navigation with its
    count, the date form and the messages to look at are neither read nor rendered for it."""
    staff = _staff(request)
    locations = desk.locations_for(staff)
    location = _location_from(locations, request.GET.get("location"))
    today = timezone.now().astimezone(location.zone).date()
    day = parsing.iso_date(request.GET.get("date")) if request.GET.get("date") else today
    refresh = request.headers.get(BACKGROUND_HEADER) == "1"
    if day is None:
        if not refresh:
            messages.error(request, "That date could not be read; showing today.")
        day = today
    now = timezone.now()
    grid = desk.day_grid(staff=staff, location=location, day=day, now=now)
    context = {"staff": staff, "location": location, "day": day, "grid": grid}
    if refresh:
        return render(request, "desk/_schedule.html", context)
    attention = desk.failed_messages(staff, now=now)
    context |= {
        "form": DayForm(initial={"location": location.slug, "date": day}, locations=locations),
        "today": today,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "count": len(grid.appointments),
        "zone_sample": availability.local_day(day, location.zone).start,
        "failed": [
            (message, appt, kind_label(message.kind)) for message, appt in attention if message.status == FAILED_STATUS
        ],
        "repeated": [
            (message, appt, kind_label(message.kind)) for message, appt in attention if message.status != FAILED_STATUS
        ],
    }
    return render(request, "desk/home.html", context)


@login_required
@never_cache
@require_GET
def week(request):
    """One therapist's week at a location: hours, time off, closures and appointments on the time grid."""
    staff = _staff(request)
    locations = desk.locations_for(staff)
    location = _location_from(locations, request.GET.get("location"))
    therapists = desk.therapists_at(location)
    if not therapists:
        raise Http404("Nobody works at this location.")
    wanted = parsing.whole_number(request.GET.get("therapist") or "")
    default = next((t for t in therapists if t.pk == staff.therapist_id), therapists[0])
    therapist = next((t for t in therapists if t.pk == wanted), None) if request.GET.get("therapist") else default
    if therapist is None:
        raise Http404("No such therapist at this location.")
    now = timezone.now()
    today = now.astimezone(location.zone).date()
    day = parsing.iso_date(request.GET.get("date")) if request.GET.get("date") else today
    if day is None:
        messages.error(request, "That date could not be read; showing this week.")
        day = today
    grid = desk.week_grid(staff=staff, location=location, therapist=therapist, day=day, now=now)
    monday = day - timedelta(days=day.weekday())
    context = {
        "staff": staff,
        "location": location,
        "locations": locations,
        "therapists": therapists,
        "therapist": therapist,
        "day": day,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "today": today,
        "grid": grid,
        "zone_sample": availability.local_day(day, location.zone).start,
    }
    return render(request, "desk/week.html", context)


def _queryset_of(locations):
    from clinic.core.models import Location

    return Location.objects.filter(pk__in=[location.pk for location in locations]).order_by("name", "pk")


# --- One appointment ---------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def appointment(request, pk: int):
    appointment = _get_appointment_for_staff(request, pk)
    staff, now = _staff(request), timezone.now()
    may_change = staff.may_change(appointment)
    actions = appointment.allowed_actions(now=now) if may_change else frozenset()
    context = {
        "staff": staff,
        "appointment": appointment,
        "location": appointment.location,
        "may_change": may_change,
        "messages_owed": [(message, kind_label(message.kind)) for message in desk.messages_of(appointment)],
        "cancel_form": CancelForm(initial={"seen_status": appointment.status}, by_staff=True),
        "finish_form": FinishForm(initial={"seen_status": appointment.status}),
        "actions": actions,
        # Why a next step is not offered yet ("no show after the start time"): the model's words, not the page's.
        "waiting": appointment.steps_not_yet(now=now) if may_change else [],
    }
    return render(request, "desk/appointment.html", context)


def _transition(request, pk: int, action: str):
    appointment = _get_appointment_for_staff(request, pk, change=True)
    form = (FinishForm if action == "finish" else StatusActionForm)(request.POST)
    valid = form.is_valid()
    seen = form.cleaned_data["seen_status"] if valid else None
    follow_up = form.cleaned_data.get("follow_up_weeks") if valid else None
    try:
        appointment = desk_services.appointment_transition(
            appointment_id=appointment.pk,
            action=action,
            actor=request.user,
            seen_status=seen,
            follow_up_weeks=follow_up,
            request=request,
        )
    except services.BookingError as error:
        messages.error(request, f"{appointment.patient.full_name}: {error.message}")
    else:
        done = {"check_in": "Checked in", "finish": "Finished", "no_show": "Marked as a no show"}[action]
        messages.success(request, f"{done}: {appointment.patient.full_name}.")
    return redirect(_next_or(request, _detail_url(appointment)))


@login_required
@require_POST
def undo(request, pk: int):
    """Step back a check-in, no show or finish made by mistake (the same day; the model says when)."""
    appointment = _get_appointment_for_staff(request, pk, change=True)
    form = StatusActionForm(request.POST)
    try:
        appointment = desk_services.appointment_undo(
            appointment_id=appointment.pk,
            actor=request.user,
            seen_status=form.cleaned_data["seen_status"] if form.is_valid() else None,
            request=request,
        )
    except services.BookingError as error:
        messages.error(request, f"{appointment.patient.full_name}: {error.message}")
    else:
        status = appointment.get_status_display().lower()
        messages.success(request, f"Undone: {appointment.patient.full_name} is {status} again.")
    return redirect(_next_or(request, _detail_url(appointment)))


def _transition_view(action: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        return _transition(request, pk, action)

    view.__name__ = view.__qualname__ = action
    return view


check_in, finish, no_show = (_transition_view(action) for action in ("check_in", "finish", "no_show"))


@login_required
@require_POST
def cancel(request, pk: int):
    appointment = _get_appointment_for_staff(request, pk, change=True)
    form = CancelForm(request.POST, by_staff=True)
    if not form.is_valid():
        messages.error(request, "Please give a reason for cancelling. Nothing was changed.")
        return redirect(_detail_url(appointment))
    try:
        desk_services.appointment_cancel_by_staff(
            appointment_id=appointment.pk,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            seen_status=form.cleaned_data["seen_status"],
            request=request,
        )
    except services.BookingError as error:
        messages.error(request, f"{appointment.patient.full_name}: {error.message}")
    else:
        messages.success(request, f"Cancelled: {appointment.patient.full_name}. Messages still owed were cancelled.")
    return redirect(_next_or(request, _detail_url(appointment)))


def _day_param(request, location, now) -> date:
    today = now.astimezone(location.zone).date()
    return max(parsing.iso_date(request.GET.get("date")) or today, today)


def _free_by_therapist(*, location, service, day, now, therapist_ids=None, ignore_appointment_id=None):
    """Each therapist's free start times on `day`, for the desk's slot pickers (booking's selector and the pure
    availability functions, so the desk offers exactly what the booking service accepts)."""
    found = selectors.availability_for(
        location=location,
        service=service,
        window=selectors.local_window(location, day, 1),
        therapist_ids=therapist_ids,
        ignore_appointment_id=ignore_appointment_id,
        by_staff=True,
    )
    return [
        {
            "therapist_id": diary.therapist_id,
            "name": diary.therapist_name,
            "slots": [
                (slot, parsing.start_param(slot.start))
                for slot in availability.free_slots(
                    diary, zone=location.zone, rules=found.rules, window=found.window, now=now, closures=found.closures
                )
            ],
        }
        for diary in found.diaries
    ]


def _move_therapists(staff, appointment):
    """Whom the appointment may move to: therapists offering its service at its location (a therapist: only
    themselves, as when booking)."""
    therapists = selectors.therapists_for(appointment.location, appointment.service)
    return therapists.filter(pk=staff.therapist_id) if staff.is_therapist else therapists


@login_required
@never_cache
@require_GET
def reschedule(request, pk: int):
    """Move to any day, time and therapist at the same location: the free times of the chosen day (the same
    availability engine as booking), and a time typed in, outside working hours with the override and a reason."""
    appointment = _get_appointment_for_staff(request, pk, change=True)
    staff, location, now = _staff(request), appointment.location, timezone.now()
    day = _day_param(request, location, now)
    therapists = _move_therapists(staff, appointment)
    search = MoveSearchForm(request.GET, therapists=therapists)
    chosen = search.cleaned_data["therapist"] if search.is_valid() else None
    search = MoveSearchForm(initial={"therapist": chosen, "date": day}, therapists=therapists)
    context = {
        "appointment": appointment,
        "location": location,
        "day": day,
        "search": search,
        "chosen": chosen,
        "free": _free_by_therapist(
            location=location,
            service=appointment.service,
            day=day,
            now=now,
            therapist_ids=[chosen.pk] if chosen else [t.pk for t in therapists],
            ignore_appointment_id=appointment.pk,
        ),
        "other_time": OtherTimeForm(
            initial={"therapist": chosen or appointment.therapist, "date": day},
            therapists=therapists,
            zone=location.zone,
        ),
        "previous_day": day - timedelta(days=1) if day > now.astimezone(location.zone).date() else None,
        "next_day": day + timedelta(days=1),
    }
    return render(request, "desk/reschedule.html", context)


@login_required
@require_POST
def move(request, pk: int):
    """A picked free time (`start`, `therapist`) or a typed one (`date`, `time`, with the override) at the same
    location; booking's service decides, and tells the patient with its "moved" message."""
    appointment = _get_appointment_for_staff(request, pk, change=True)
    therapists = _move_therapists(_staff(request), appointment)
    typed = "time" in request.POST
    if typed:
        form = OtherTimeForm(request.POST, therapists=therapists, zone=appointment.location.zone)
    else:
        form = RescheduleForm(request.POST, therapists=therapists)
    if not form.is_valid():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"{problems} Nothing was changed.")
        return redirect(reverse("desk:reschedule", args=[appointment.pk]))
    data = form.cleaned_data
    try:
        moved = services.appointment_reschedule(
            appointment=appointment,
            start=data["start"],
            therapist=data["therapist"],
            override_reason=form.reason if typed else "",
            actor=request.user,
            by_patient=False,
            request=request,
        )
    except services.BookingError as error:
        messages.error(request, f"{error.message} Nothing was changed; please choose another time.")
        day = data["start"].astimezone(appointment.location.zone).date()
        return redirect(f"{reverse('desk:reschedule', args=[appointment.pk])}?date={day.isoformat()}")
    local, who = moved.local_start, moved.therapist.display_name
    messages.success(request, f"Moved to {local:%A %-d %B, %H:%M} {local:%Z} with {who}: {moved.patient.full_name}.")
    return redirect(_detail_url(moved))


@login_required
@require_POST
def resend(request, pk: int):
    staff = _staff(request)
    message, appointment = desk.message_for_staff(staff, pk)
    if not staff.may_change(appointment):
        raise PermissionDenied
    message_resend(message=message, actor=request.user, request=request)
    messages.success(request, f"{kind_label(message.kind)} ({message.get_channel_display()}) will be sent again now.")
    return redirect(_next_or(request, _detail_url(appointment)))


@login_required
@never_cache
@require_GET
def patients(request):
    """Find a patient by name (typos forgiven), phone or e-mail, within the desk's locations."""
    staff = _staff(request)
    query = (request.GET.get("q") or "").strip()
    found = desk.patient_search(staff, query) if query else []
    context = {"query": query, "patients": found, "searched": bool(query), "too_short": 0 < len(query) < 2}
    return render(request, "desk/patients.html", context)


@login_required
@never_cache
@require_GET
def patient(request, pk: int):
    """One patient: contact details, the screening's outcome and validity, appointments here, messages."""
    staff = _staff(request)
    patient = desk.patient_for_staff(staff, pk)
    now = timezone.now()
    record = desk.patient_record(staff, patient, now=now)
    locations = desk.locations_for(staff)
    context = {
        "staff": staff,
        "patient": patient,
        "record": record,
        "now": now,
        "screening_valid": record.intake is not None and record.intake.valid_until > now,
        "may_edit": request.user.has_perm("intake.change_patient"),
        # A message to the patient (the screening link) has no appointment: its time reads in the desk's clock.
        "messages_owed": [
            (message, appointment, kind_label(message.kind), appointment.location if appointment else locations[0])
            for message, appointment in record.messages
        ],
        "book_url": f"{reverse('desk:book')}?patient={patient.pk}"
        + (f"&location={locations[0].slug}" if locations else ""),
    }
    return render(request, "desk/patient.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def patient_edit(request, pk: int):
    """Correct a patient's name and contact details (what the desk once did in the admin)."""
    staff = _staff(request)
    patient = desk.patient_for_staff(staff, pk)
    if not request.user.has_perm("intake.change_patient"):  # the front desk and clinic admins
        raise PermissionDenied
    region = region_code_for_number(patient.phone) or "IN"
    initial = {name: getattr(patient, name) for name in PatientDetailsForm.base_fields}
    form = PatientDetailsForm(request.POST or None, initial=initial, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            patient_update_contact(patient=patient, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:  # another patient's e-mail and date of birth
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Saved the details of {form.cleaned_data['first_name']} {form.cleaned_data['last_name']}."
            )
            return redirect(_next_or(request, reverse("desk:patient", args=[patient.pk])))
    context = {"patient": patient, "form": form, "next": _next_or(request, reverse("desk:patient", args=[patient.pk]))}
    return render(request, "desk/patient_edit.html", context, status=400 if form.errors else 200)


# --- Booking for a patient on the phone ----------------------------------------------------------------------


def _booking_choices(request, staff, params):
    """The search form and, when it is complete, what was chosen."""
    locations = desk.locations_for(staff)
    if not locations:
        raise PermissionDenied
    location = _location_from(locations, params.get("location"))
    therapists = Therapist.objects.filter(is_active=True, locations=location)
    if staff.is_therapist:  # therapists book in their own diary only
        therapists = therapists.filter(pk=staff.therapist_id)
    today = timezone.now().astimezone(location.zone).date().isoformat()
    if "service" in params:
        data, initial = {"date": today, **params.dict(), "location": location.slug}, None
    else:  # a first visit: an unbound form, so nothing is marked as missing yet
        data, initial = None, {"location": location.slug, "date": params.get("date") or today}
    form = SlotSearchForm(
        data,
        initial=initial,
        locations=_queryset_of(locations),
        services=selectors.services_at(location),
        therapists=therapists,
    )
    return location, form


@login_required
@never_cache
@require_GET
def book(request):
    staff = _staff(request)
    location, form = _booking_choices(request, staff, request.GET)
    patient = _patient_param(request, staff, request.GET)
    context = {
        "form": form,
        "location": location,
        "therapists": None,
        "searched": "service" in request.GET,
        "patient": patient,
    }
    if "service" in request.GET and form.is_valid():
        now = timezone.now()
        service, therapist = form.cleaned_data["service"], form.cleaned_data["therapist"]
        if staff.is_therapist and therapist is None:
            therapist = Therapist.objects.get(pk=staff.therapist_id)
        context.update(
            {
                "service": service,
                "day": form.cleaned_data["date"],
                "therapists": _free_by_therapist(
                    location=location,
                    service=service,
                    day=form.cleaned_data["date"],
                    now=now,
                    therapist_ids=[therapist.pk] if therapist else None,
                ),
                "details_base": f"{reverse('desk:book_details')}?location={location.slug}&service={service.slug}"
                + (f"&patient={patient.pk}" if patient else ""),
            }
        )
    return render(request, "desk/book.html", context)


def _patient_param(request, staff, params):
    """The patient being booked for ("book for this patient" on their page), so nothing is typed again; 404 if it
    is not one the member of staff may see."""
    value = params.get("patient")
    if not value:
        return None
    pk = parsing.whole_number(value)
    if pk is None:
        raise Http404("No such patient.")
    return desk.patient_for_staff(staff, pk)


def _booking_target(request, staff, params):
    """Location, service, therapist and start of a booking being made; 404 if any is missing or not offered."""
    locations = desk.locations_for(staff)
    location = _location_from(locations, params.get("location"))
    service_slug = parsing.slug(params.get("service"))
    service = selectors.services_at(location).filter(slug=service_slug).first() if service_slug else None
    start = parsing.start_time(params.get("start", ""))
    therapist_id = parsing.whole_number(params.get("therapist", ""))
    if service is None or start is None or therapist_id is None:
        raise Http404("Choose a service and a free time first.")
    therapist = selectors.therapists_for(location, service).filter(pk=therapist_id).first()
    if therapist is None:
        raise Http404("That therapist does not offer this service here.")
    if staff.is_therapist and therapist.pk != staff.therapist_id:
        raise PermissionDenied
    return location, service, therapist, start


def _details_context(location, service, therapist, start, form) -> dict:
    return {
        "location": location,
        "service": service,
        "therapist": therapist,
        "start_at": start,
        "start_param": parsing.start_param(start),
        "form": form,
    }


@login_required
@never_cache
@require_GET
def book_details(request):
    staff = _staff(request)
    location, service, therapist, start = _booking_target(request, staff, request.GET)
    patient = _patient_param(request, staff, request.GET)
    known = {name: getattr(patient, name) for name in PatientDetailsForm.base_fields} if patient else {}
    form = PatientForm(initial={**known, "submission_key": uuid.uuid4()}, region=location.country)
    context = _details_context(location, service, therapist, start, form)
    if "override" in request.GET:  # a time typed in (desk/booking_views.py): the override, ready to be ticked
        context["override_form"] = OverrideForm()
    return render(request, "desk/book_details.html", context)


@login_required
@require_POST
def book_confirm(request):
    """Find or create the patient (e-mail + date of birth) and book through booking's service, as the desk."""
    staff = _staff(request)
    location, service, therapist, start = _booking_target(request, staff, request.POST)
    form = PatientForm(request.POST, region=location.country)
    override = OverrideForm(request.POST)
    context = _details_context(location, service, therapist, start, form)
    if "outside_hours" in request.POST or "override_reason" in request.POST:
        context["override_form"] = override
    if not (form.is_valid() and override.is_valid()):
        return render(request, "desk/book_details.html", context, status=400)
    data = form.cleaned_data
    try:
        appointment = services.appointment_book(
            patient=form.patient_details,
            service=service,
            location=location,
            therapist=therapist,
            start=start,
            source=Appointment.Source.DESK,
            created_by=request.user,
            submission_key=data["submission_key"],
            override_reason=override.reason,
            request=request,
        )
    except services.BookingError as failure:
        form = PatientForm(initial={**data, "submission_key": uuid.uuid4()}, region=location.country)
        context = {**context, "form": form, "error": failure.message}
        context["offer_screening_link"] = isinstance(failure, services.NeedsIntake)  # desk/patient_views.py
        if isinstance(failure, services.OutsideHours):
            context["override_form"] = OverrideForm(initial=override.cleaned_data)
        return render(request, "desk/book_details.html", context, status=409)
    patient = appointment.patient
    if appointment.status == Appointment.Status.PENDING_REVIEW:
        messages.warning(
            request,
            f"Held for {patient.full_name}, pending a therapist's review of the screening. "
            "It is confirmed (and the patient told) once approved.",
        )
    else:
        messages.success(request, f"Booked: {patient.full_name}. A confirmation e-mail is on its way.")
    return redirect(_detail_url(appointment))


# --- Working hours and time off --------------------------------------------------------------------------------


def _hours_scope(request):
    staff = _staff(request)
    locations = desk.locations_for(staff)
    return staff, locations


@login_required
@never_cache
@require_GET
def hours(request):
    """A location's working hours and its therapists' coming time off."""
    staff, locations = _hours_scope(request)
    location = _location_from(locations, request.GET.get("location"))
    therapists = desk.therapists_at(location)
    context = {
        "staff": staff,
        "location": location,
        "locations": locations,
        "hours": list(desk.hours_at(location)),
        "time_off": list(desk.upcoming_time_off([t.pk for t in therapists], now=timezone.now())),
        "may_manage_hours": staff.is_admin or staff.is_front_desk,
    }
    return render(request, "desk/hours.html", context)


def _hours_for_staff(request, pk: int) -> WorkingHours:
    staff = _staff(request)
    hours = desk.hours_for_staff(staff, pk)
    if staff.is_therapist:
        raise PermissionDenied
    return hours


def _hours_form(request, staff, locations, instance=None):
    if not (staff.is_admin or staff.is_front_desk):
        raise PermissionDenied
    return WorkingHoursForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        initial={"location": _location_from(locations, request.GET.get("location"))} if instance is None else None,
        therapists=desk.therapists_for_staff(staff),
        locations=_queryset_of(locations),
    )


def _save_hours(request, form, instance=None):
    hours = desk_services.working_hours_save(hours=instance, actor=request.user, request=request, **form.cleaned_data)
    messages.success(request, f"Saved: {hours}.")
    return redirect(f"{reverse('desk:hours')}?location={hours.location.slug}")


@login_required
@require_http_methods(["GET", "POST"])
def hours_edit(request, pk: int | None = None):
    """Add a block of working hours (no `pk`), or change one."""
    instance = None if pk is None else _hours_for_staff(request, pk)
    staff, locations = _hours_scope(request)
    form = _hours_form(request, staff, locations, instance=instance)
    if request.method == "POST" and form.is_valid():
        return _save_hours(request, form, instance)
    title = "Add working hours" if instance is None else f"Change working hours of {instance.therapist}"
    return render(request, "desk/hours_form.html", {"form": form, "title": title, "hours": instance})


@login_required
@require_POST
def hours_delete(request, pk: int):
    hours = _hours_for_staff(request, pk)
    slug = hours.location.slug
    desk_services.working_hours_delete(hours=hours, actor=request.user, request=request)
    messages.success(request, f"Removed: {hours}.")
    return redirect(f"{reverse('desk:hours')}?location={slug}")


def _time_off_for_staff(request, pk: int) -> TimeOff:
    """Front desk: time off of therapists at their locations; therapists: their own; admins: any."""
    staff = _staff(request)
    time_off = desk.time_off_for_staff(staff, pk)
    if staff.is_therapist and time_off.therapist_id != staff.therapist_id:
        raise PermissionDenied
    return time_off


def _time_off_form(request, staff, locations, instance: TimeOff | None = None):
    location = _location_from(locations, request.GET.get("location"))
    initial = None
    if instance is not None:
        zone = location.zone
        initial = {
            "therapist": instance.therapist,
            "start": instance.start.astimezone(zone).replace(tzinfo=None),
            "end": instance.end.astimezone(zone).replace(tzinfo=None),
            "reason": instance.reason,
        }
    form = TimeOffForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        therapists=desk.therapists_for_staff(staff),
        zone=location.zone,
    )
    return location, form


def _save_time_off(request, form, location, instance=None):
    time_off = desk_services.time_off_save(time_off=instance, actor=request.user, request=request, **form.cleaned_data)
    messages.success(request, f"Time off saved for {time_off.therapist}.")
    return redirect(f"{reverse('desk:time_off', args=[time_off.pk])}?location={location.slug}")


@login_required
@require_http_methods(["GET", "POST"])
def time_off_edit(request, pk: int | None = None):
    """Add time off (no `pk`), or change it."""
    instance = None if pk is None else _time_off_for_staff(request, pk)
    staff, locations = _hours_scope(request)
    if instance is not None and staff.is_therapist:  # therapists add and remove their own; changing is the desk's
        raise PermissionDenied
    location, form = _time_off_form(request, staff, locations, instance)
    if request.method == "POST" and form.is_valid():
        return _save_time_off(request, form, location, instance)
    title = "Add time off" if instance is None else f"Change time off of {instance.therapist}"
    return render(request, "desk/time_off_form.html", {"form": form, "location": location, "title": title})


@login_required
@never_cache
@require_GET
def time_off(request, pk: int):
    """One stretch of time off and the held appointments inside it, which the desk should move."""
    time_off = _time_off_for_staff(request, pk)
    staff, locations = _hours_scope(request)
    location = _location_from(locations, request.GET.get("location"))
    clashes = list(desk.time_off_clashes(staff, time_off))
    context = {"time_off": time_off, "location": location, "clashes": clashes, "staff": staff}
    return render(request, "desk/time_off.html", context)


@login_required
@require_POST
def time_off_delete(request, pk: int):
    time_off = _time_off_for_staff(request, pk)
    desk_services.time_off_delete(time_off=time_off, actor=request.user, request=request)
    messages.success(request, f"Time off of {time_off.therapist} removed.")
    return redirect(reverse("desk:hours"))


# --- Exports -----------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "date", "start", "end", "time zone", "location", "therapist", "patient", "phone", "e-mail", "service", "status",
    "source", "screening",
]  # fmt: skip


@login_required
@never_cache
@require_GET
def export(request):
    """A location's appointments over a day or a range as CSV, audited; never health answers (the screening's
    outcome only)."""
    staff = _staff(request)
    locations = desk.locations_for(staff)
    if not locations:
        raise PermissionDenied
    today = timezone.now().astimezone(locations[0].zone).date()
    if "first_day" not in request.GET:
        form = ExportForm(initial={"location": locations[0].slug, "first_day": today, "last_day": today},
                          locations=locations)  # fmt: skip
        return render(request, "desk/export.html", {"form": form})
    form = ExportForm(request.GET, locations=locations)
    if not form.is_valid():
        return render(request, "desk/export.html", {"form": form}, status=400)
    location = _location_from(locations, form.cleaned_data["location"])
    first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    rows = desk.appointments_between(staff, location, first, last)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointments-{location.slug}-{first}-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for appointment in rows:
        local_start, local_end = appointment.local_start, appointment.local_end
        screening = appointment.intake.get_outcome_display() if appointment.intake else ""
        writer.writerow([
            f"{local_start:%Y-%m-%d}", f"{local_start:%H:%M}", f"{local_end:%H:%M}", location.time_zone,
            location.name, appointment.therapist.display_name, appointment.patient.full_name,
            appointment.patient.phone.as_e164 if appointment.patient.phone else "", appointment.patient.email,
            appointment.service.name, appointment.get_status_display(), appointment.get_source_display(), screening,
        ])  # fmt: skip
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.SCHEDULE_EXPORT,
        obj=location,
        request=request,
        detail={"first_day": first.isoformat(), "last_day": last.isoformat(), "rows": len(rows)},
    )
    return response
