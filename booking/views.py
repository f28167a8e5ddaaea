"""Views of the booking flow (/book/), the therapists' public pages and the patient's self-service link
(/book/manage/<token>/).

The flow is plain GET forms and links, one choice per step, so it works without JavaScript; the time picker's
script only swaps the chosen day in place."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from clinic.core import parsing
from clinic.core.models import Location
from intake.models import NeedlingBooking
from intake.selectors import area_to_treat, current_intake, forget_area_to_treat

from . import courses, selectors, services, slot_cache
from .availability import Slot
from .calendar import WHAT_TO_WEAR, appointment_ics
from .forms import BookingDetailsForm, CancelForm
from .models import Appointment, Service

WEEK_DAYS = 7
STRIP_DAYS = 14


def _choice(params) -> dict:
    """The choices made so far, each checked; a bad or missing one sends the person back to that step."""
    service_slug, location_slug = parsing.slug(params.get("service")), parsing.slug(params.get("location"))
    service = selectors.services_at(None).filter(slug=service_slug).first() if service_slug else None
    location = therapist = None
    if service is not None and location_slug:
        location = selectors.locations_offering(service).filter(slug=location_slug).first()
    therapist_param = params.get("therapist", "")
    if location is not None and therapist_param:
        if therapist_param == "any":
            therapist = "any"
        elif (therapist_id := parsing.whole_number(therapist_param)) is not None:
            therapist = selectors.therapists_for(location, service).filter(pk=therapist_id).first()
    return {"service": service, "location": location, "therapist": therapist}


def _query(choice: dict, **extra) -> str:
    params = {}
    if choice.get("service"):
        params["service"] = choice["service"].slug
    if choice.get("location"):
        params["location"] = choice["location"].slug
    therapist = choice.get("therapist")
    if therapist:
        params["therapist"] = "any" if therapist == "any" else therapist.pk
    params.update(extra)
    return urlencode(params)


def _week(location: Location, service: Service, therapist, first_day: date, *, now, ignore_appointment_id=None):
    """Days of one week, each with its free slots, for the week view."""
    found = selectors.availability_for(
        location=location,
        service=service,
        window=selectors.local_window(location, first_day, WEEK_DAYS),
        therapist_ids=None if therapist in (None, "any") else [therapist.pk],
        ignore_appointment_id=ignore_appointment_id,
    )
    by_day: dict[date, list[Slot]] = {first_day + timedelta(days=n): [] for n in range(WEEK_DAYS)}
    for slot in found.slots(now=now):
        by_day.setdefault(slot.start.astimezone(location.zone).date(), []).append(slot)
    return [
        {"date": day, "slots": [(s, parsing.start_param(s.start)) for s in slots]} for day, slots in by_day.items()
    ]


def _week_start(params, location: Location, now) -> tuple[date, date, date]:
    today = now.astimezone(location.zone).date()
    first = max(parsing.iso_date(params.get("week")) or today, today)
    last_bookable = today + timedelta(days=location.horizon_days)
    first = min(first, last_bookable)
    return first, today, last_bookable


@require_GET
def start(request):
    """Service -> location -> therapist -> a day's free times, each step a GET form or links."""
    choice = _choice(request.GET)
    service, location, therapist = choice["service"], choice["location"], choice["therapist"]
    context = {"choice": choice, "area_to_treat": area_to_treat(request)}
    if service is None:
        location_slug = parsing.slug(request.GET.get("location"))
        wanted_location = Location.objects.active().filter(slug=location_slug).first() if location_slug else None
        services = selectors.services_at(wanted_location)
        not_suitable = _not_suitable_for_needling(request)
        if request.GET.get("needles") == "no" or not_suitable is not None:
            services = services.filter(needs_screening=False)
        context.update(
            wanted_location=wanted_location,
            # The clinic to call about needling: the one chosen, else the one of the screening.
            needling_hidden_at=(wanted_location or not_suitable.location) if not_suitable is not None else None,
        )
        return render(request, "booking/step_service.html", {**context, "services": services})
    if location is None:
        locations = selectors.locations_offering(service)
        return render(request, "booking/step_location.html", {**context, "locations": locations})
    if therapist is None:
        therapists = selectors.therapists_for(location, service)
        return render(request, "booking/step_therapist.html", {**context, "therapists": therapists})
    picker = _time_picker(request.GET, choice, now=timezone.now())
    return render(request, "booking/step_week.html", {**context, **picker, "location": location})


# The day's times in three groups, by the clinic's wall clock: before noon, until five, after.
DAY_PARTS = (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24))


def _time_picker(params, choice: dict, *, now) -> dict:
    """A strip of STRIP_DAYS days from today (or a later strip), each with its number of free times; the chosen day's
    times grouped by part of the day; and the first free time. All from the slot cache (booking/slot_cache.py):
    one query for the diary version and, when nothing is cached, the team's and availability_for's five."""
    location, service, therapist = choice["location"], choice["service"], choice["therapist"]
    at = slot_cache.version()
    members = slot_cache.team(location, service, at=at)
    selection = "any"
    if therapist != "any":
        members, selection = [m for m in members if m[0] == therapist.pk], str(therapist.pk)
    today = now.astimezone(location.zone).date()
    last_bookable = today + timedelta(days=location.horizon_days)
    wanted_day = parsing.iso_date(params.get("day"))
    wanted_day = min(max(wanted_day, today), last_bookable) if wanted_day else None
    strip_from = wanted_day or min(max(parsing.iso_date(params.get("from")) or today, today), last_bookable)
    first = today + timedelta(days=(strip_from - today).days // STRIP_DAYS * STRIP_DAYS)
    days = min(STRIP_DAYS, (last_bookable - first).days + 1)

    asked = slot_cache.Asked(location, service, members, selection)

    def free(first_day, count):
        return slot_cache.free_by_day(asked, first_day=first_day, days=count, now=now, at=at)

    by_day = free(first, days)
    chosen = wanted_day or next((day for day, found in by_day.items() if found), first)
    first_free = None
    if first == today:  # the shortcut leads the first strip; past it, the first time is beyond the strip
        later = (
            by_day
            if any(by_day.values())
            else free(first + timedelta(days=days), (last_bookable - first).days + 1 - days)
        )
        first_free = next((_slot(found[0], location) for found in later.values() if found), None)
    slots = [_slot(pair, location) for pair in by_day[chosen]]
    groups = [(name, [slot for slot in slots if low <= slot.hour < high]) for name, low, high in DAY_PARTS]
    following = first + timedelta(days=STRIP_DAYS)
    return {
        "strip": [
            {"date": day, "free": len(found), "url": f"?{_query(choice, day=day)}"} for day, found in by_day.items()
        ],
        "chosen_day": chosen,
        "groups": [(name, slots) for name, slots in groups if slots],
        "first_free": first_free,
        "previous_url": f"?{_query(choice, **{'from': first - timedelta(days=STRIP_DAYS)})}"
        if first > today
        else None,
        "next_url": f"?{_query(choice, **{'from': following})}" if following <= last_bookable else None,
        "confirm_base": f"{reverse('booking:confirm')}?{_query(choice)}",
    }


@dataclass(frozen=True)
class PickedSlot:
    start: datetime
    param: str  # as confirm links carry it
    hour: int  # the clinic's wall clock, for the part of the day
    therapist_name: str


def _slot(pair: tuple[int, str], location: Location) -> PickedSlot:
    seconds, item = pair
    start = datetime.fromtimestamp(seconds, UTC)
    return PickedSlot(
        start=start,
        param=parsing.start_param(start),
        hour=start.astimezone(location.zone).hour,
        therapist_name=json.loads(item)["therapist"]["name"],
    )


def _not_suitable_for_needling(request):
    """The patient's current screening when it rules out needling booked online (docs/clinical.md, "Outcomes"):
    needling services are then not offered at all, rather than offered and refused at the last step."""
    intake = current_intake(request)
    if intake is not None and intake.is_valid_at(timezone.now()) and intake.needling_booking == NeedlingBooking.REFUSE:
        return intake
    return None


def _confirm_url(choice: dict, start_param: str) -> str:
    return f"{reverse('booking:confirm')}?{_query(choice, start=start_param)}"


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def confirm(request):
    """Patient details and confirm. GET shows the form; POST books (idempotent per the form's one-time key)."""
    params = request.POST if request.method == "POST" else request.GET
    choice = _choice(params)
    service, location, therapist = choice["service"], choice["location"], choice["therapist"]
    start_at = parsing.start_time(params.get("start", ""))
    if service is None or location is None or therapist is None or start_at is None:
        return redirect(f"{reverse('booking:start')}?{_query(choice)}")
    now = timezone.now()
    intake = current_intake(request)
    patient = intake.patient if intake is not None else None
    try:
        # What the screening allows, before anyone types their details; booking checks it again in its transaction.
        status = services.booking_status(service=service, intake=intake, now=now)
    except services.NeedsIntake:
        return _to_screening(choice, start_at)
    except services.BookingRefused:
        return _refused(request, location, service)
    context = {
        "choice": choice,
        "service": service,
        "location": location,
        "therapist": therapist,
        "start_at": start_at,
        "start_param": parsing.start_param(start_at),
        "pending": status == Appointment.Status.PENDING_REVIEW,
        "patient": patient,
        "area_to_treat": area_to_treat(request),
        "what_to_wear": WHAT_TO_WEAR,
        "back_url": f"{reverse('booking:start')}?{_query(choice, week=start_at.astimezone(location.zone).date())}",
    }
    if request.method == "GET":
        initial = {"submission_key": uuid.uuid4(), "notify_by": "email"}
        if patient is not None:
            initial.update(
                first_name=patient.first_name,
                last_name=patient.last_name,
                email=patient.email,
                phone=patient.phone,
                date_of_birth=patient.date_of_birth,
            )
        form = BookingDetailsForm(initial=initial, region=location.country, phone_example=location.phone_example)
        return render(request, "booking/confirm.html", {**context, "form": form})

    form = BookingDetailsForm(request.POST, region=location.country, phone_example=location.phone_example)
    if not form.is_valid():
        return render(request, "booking/confirm.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    try:
        appointment = services.appointment_book(
            patient=patient or form.patient_details,
            service=service,
            location=location,
            therapist=None if therapist == "any" else therapist,
            start=start_at,
            intake=intake,
            submission_key=data["submission_key"],
            request=request,
            now=now,
            **form.channels,
        )
    except services.NeedsIntake:
        return _to_screening(choice, start_at)
    except services.BookingRefused:
        return _refused(request, location, service)
    except services.SlotTaken as taken:
        # Keep what they typed; offer the nearest free times as choices in the same form, with a fresh key.
        form = BookingDetailsForm(
            initial={**data, "submission_key": uuid.uuid4()},
            region=location.country,
            phone_example=location.phone_example,
        )
        alternatives = [(slot, parsing.start_param(slot.start)) for slot in taken.nearest]
        return render(
            request,
            "booking/confirm.html",
            {**context, "form": form, "error": taken.message, "alternatives": alternatives},
            status=409,
        )
    except services.BookingError as error:
        form = BookingDetailsForm(
            initial={**data, "submission_key": uuid.uuid4()},
            region=location.country,
            phone_example=location.phone_example,
        )
        return render(request, "booking/confirm.html", {**context, "form": form, "error": error.message}, status=400)
    forget_area_to_treat(request)  # booked: the next booking from this browser starts afresh
    return redirect(reverse("booking:manage", args=[services.manage_token(appointment)]) + "?booked=1")


def _to_screening(choice: dict, start_at) -> HttpResponse:
    """To the screening questions, and back to this time after them."""
    here = _confirm_url(choice, parsing.start_param(start_at))
    # The questionnaire says why it comes now and brings them back to this time once cleared.
    wanted = {"next": here, "service": choice["service"].slug, "location": choice["location"].slug, "why": "time"}
    return redirect(f"{reverse('intake:start')}?{urlencode(wanted)}")


def _refused(request, location: Location, service: Service) -> HttpResponse:
    return render(request, "booking/refused.html", {"location": location, "service": service}, status=200)


# --- Therapists' public pages ---------------------------------------------------------------------------------


@require_GET
def therapists(request):
    return render(request, "booking/therapists.html", {"therapists": selectors.therapists_public()})


@require_GET
def therapist(request, pk: int):
    """A therapist's profile: picture, bio, qualifications, registration, languages and clinics (404 when not
    active)."""
    found = get_object_or_404(
        selectors.therapists_public().prefetch_related(Prefetch("locations", Location.objects.active())), pk=pk
    )
    offerings = selectors.offerings_of(found)
    return render(request, "booking/therapist.html", {"therapist": found, "offerings": offerings})


# --- Self-service ----------------------------------------------------------------------------------------------


def _token_view(view):
    """The appointment of a valid self-service link, in the state the link was sent for; otherwise a page that
    says the link was replaced (410) or does not work (404), and shows nothing of any booking."""

    def wrapped(request, token, *args, **kwargs):
        try:
            appointment = services.appointment_from_token(token)
        except services.LinkReplaced:
            return render(request, "booking/link_replaced.html", status=410)
        except services.LinkInvalid:
            return render(request, "booking/invalid_link.html", status=404)
        return view(request, appointment, token, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _manage_heading(appointment: Appointment, params) -> str:
    """The manage page's heading, which is also its title: what just happened, or the appointment's state."""
    if appointment.status == Appointment.Status.CANCELLED:
        return "Your appointment is cancelled"
    if appointment.status == Appointment.Status.PENDING_REVIEW:
        return "We are holding this time for you"
    if params.get("booked"):
        return "You’re booked"
    if params.get("moved"):
        return "Your appointment has moved"
    return "Your appointment"


def _manage_context(request, appointment: Appointment, token: str) -> dict:
    return {
        "heading": _manage_heading(appointment, request.GET),
        "appointment": appointment,
        "location": appointment.location,
        "token": token,
        "can_change": services.can_patient_change(appointment),
        "what_to_wear": WHAT_TO_WEAR,
    }


@never_cache
@require_GET
@_token_view
def manage(request, appointment, token):
    context = _manage_context(request, appointment, token)
    context["just_booked"] = request.GET.get("booked") == "1"
    context["cancel_form"] = CancelForm()
    return render(request, "booking/manage.html", context)


@never_cache
@require_GET
@_token_view
def manage_ics(request, appointment, token):
    response = HttpResponse(appointment_ics(appointment, token=token), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@_token_view
def manage_reschedule(request, appointment, token):
    """Choose a new time (GET), see what the move will do (GET with ?start=), then move (POST)."""
    context = _manage_context(request, appointment, token)
    if not context["can_change"]:
        return render(request, "booking/manage.html", {**context, "error": "too_late"}, status=403)
    location = appointment.location
    now = timezone.now()
    if request.method == "POST":
        new_start = parsing.start_time(request.POST.get("start", ""))
        if new_start is None:
            context["error_message"] = "Please choose a new time."
        else:
            # A session of a course may take the later ones with it (booking/courses.py).
            move = courses.course_move_from if request.POST.get("later") == "1" else services.appointment_reschedule
            try:
                moved = move(appointment=appointment, start=new_start, request=request, now=now)
            except services.BookingError as error:
                context["error_message"] = error.message
            else:  # the move replaced this link: carry on with the new one
                if moved.link_version == appointment.link_version:  # the time it already had: nothing changed
                    return redirect(reverse("booking:manage", args=[token]))
                return redirect(reverse("booking:manage", args=[services.manage_token(moved)]) + "?moved=1")
    elif (new_start := parsing.start_time(request.GET.get("start", ""))) is not None:
        if new_start != appointment.start:
            week = new_start.astimezone(location.zone).date().isoformat()
            later = list(courses.later_sessions(appointment, now=now))
            later_moves = list(zip(later, courses.later_times(appointment, later, new_start), strict=True))
            return render(
                request,
                "booking/reschedule_confirm.html",
                {**context, "new_start": new_start, "start_param": parsing.start_param(new_start), "week": week,
                 "later_moves": later_moves},
            )  # fmt: skip
        context["error_message"] = "That is the time you already have."
    first, today, last_bookable = _week_start(request.GET, location, now)
    days = _week(
        location, appointment.service, appointment.therapist, first, now=now, ignore_appointment_id=appointment.pk
    )
    for day in days:  # the current time is not a move
        day["slots"] = [(slot, param) for slot, param in day["slots"] if slot.start != appointment.start]
    following = first + timedelta(days=WEEK_DAYS)
    previous = max(first - timedelta(days=WEEK_DAYS), today)
    context.update(
        {
            "days": days,
            "first": first,
            "previous_url": f"?week={previous.isoformat()}" if first > today else None,
            "next_url": f"?week={following.isoformat()}" if following <= last_bookable else None,
            # Each time is a link to the confirm step; the week stays in it, so "choose another time" comes back here.
            "confirm_base": f"{reverse('booking:manage_reschedule', args=[token])}?week={first.isoformat()}",
        }
    )
    return render(request, "booking/reschedule.html", context, status=409 if "error_message" in context else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@_token_view
def manage_cancel(request, appointment, token):
    """GET shows what cancelling will do, with the optional reason; POST cancels."""
    if request.method == "GET":
        context = _manage_context(request, appointment, token)
        if appointment.status == Appointment.Status.CANCELLED:
            return redirect(reverse("booking:manage", args=[token]))
        if not context["can_change"]:
            return render(request, "booking/manage.html", {**context, "error": "too_late"}, status=403)
        # A session of a course: it alone, or it and the later ones (booking/courses.py).
        context["later_sessions"] = list(courses.later_sessions(appointment, now=timezone.now()))
        return render(request, "booking/cancel_confirm.html", context)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    cancel = courses.course_cancel_from if request.POST.get("scope") == "later" else services.appointment_cancel
    try:
        cancelled = cancel(appointment=appointment, reason=reason, request=request)
    except services.LinkWasReplaced:
        return render(request, "booking/link_replaced.html", status=410)
    except services.TooLateToChange:
        return render(
            request,
            "booking/manage.html",
            {**_manage_context(request, appointment, token), "error": "too_late"},
            status=403,
        )
    return redirect(reverse("booking:manage", args=[services.manage_token(cancelled)]) + "?cancelled=1")
