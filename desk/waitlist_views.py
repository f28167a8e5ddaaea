"""The desk's waiting list (/desk/waitlist/): the wishes waiting at a location, the offers out and the fill rate;
putting a caller on the list, offering a free time by hand, taking a wish off. Scoped by the staff member's
locations (docs/access.md): another location's wish answers 404. Therapists see the list; the front desk and
clinic admins change it (403 for a therapist, as for booking for others). No health detail is shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking import services, waitlist
from booking.models import Therapist
from booking.waitlist_forms import PART_CHOICES, WEEKDAY_CHOICES
from clinic.core.models import Location

from . import selectors as desk
from . import waitlist_selectors
from .views import _location_from, _staff
from .waitlist_forms import DeskWishForm, OfferTimeForm


def _changer(request) -> desk.Staff:
    staff = _staff(request)
    if staff.is_therapist:
        raise PermissionDenied
    return staff


@login_required
@never_cache
@require_GET
def waitlist_home(request):
    staff = _staff(request)
    locations = desk.locations_for(staff)
    location = _location_from(locations, request.GET.get("location"))
    page = waitlist_selectors.waitlist_page(location=location, now=timezone.now())
    context = {"staff": staff, "locations": locations, "location": location, "page": page}
    return render(request, "desk/waitlist.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def waitlist_add(request, pk: int):
    """Put a caller (a patient the desk may see) on the list."""
    staff = _changer(request)
    patient = desk.patient_for_staff(staff, pk)
    locations = desk.locations_for(staff)
    if not locations:
        raise PermissionDenied
    queryset = Location.objects.filter(pk__in=[location.pk for location in locations]).order_by("name", "pk")
    if request.method == "GET":
        today = timezone.now().astimezone(locations[0].zone).date()
        form = DeskWishForm(
            locations=queryset,
            initial={
                "location": locations[0].slug,
                "parts_of_day": [value for value, _ in PART_CHOICES],
                "weekdays": [value for value, _ in WEEKDAY_CHOICES],
                "first_day": today,
                "notify_by": "email",
            },
        )
        return render(request, "desk/waitlist_add.html", {"patient": patient, "form": form})
    form = DeskWishForm(request.POST, locations=queryset)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        wanted = form.wanted(location=data["location"], service=data["service"], therapist=data["therapist"])
        try:
            wish = waitlist.wish_add(
                patient=patient, wanted=wanted, created_by=request.user, request=request, **form.channels
            )
        except services.BookingError as refused:
            error = refused.message
        else:
            messages.success(request, f"{patient.full_name} is on the waiting list for {wish.service.name}.")
            return redirect(f"{reverse('desk:waitlist')}?location={wish.location.slug}")
    context = {"patient": patient, "form": form, "error": error}
    return render(request, "desk/waitlist_add.html", context, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def waitlist_offer(request, pk: int):
    """Offer one of the free times that suit a wish, by hand."""
    staff = _changer(request)
    wish = waitlist_selectors.wish_for_staff(staff, pk)
    now = timezone.now()
    form = OfferTimeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        therapist_id, start = form.cleaned_data["slot"]
        therapist = Therapist.objects.filter(pk=therapist_id).first()
        try:
            if therapist is None:
                raise waitlist.WaitlistError("Choose one of the times listed.")
            waitlist.offer_by_hand(wish=wish, therapist=therapist, start=start, actor=request.user, request=request)
        except services.BookingError as refused:
            error = refused.message
        else:
            messages.success(request, f"The time is held for {wish.patient.full_name}; they have been sent the link.")
            return redirect(f"{reverse('desk:waitlist')}?location={wish.location.slug}")
    slots = waitlist_selectors.free_times_for(wish, now=now)
    context = {"wish": wish, "slots": slots, "form": form, "error": error}
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/waitlist_offer.html", context, status=status)


@login_required
@require_POST
def waitlist_withdraw(request, pk: int):
    staff = _changer(request)
    wish = waitlist_selectors.wish_for_staff(staff, pk)
    waitlist.wish_withdraw(wish=wish, actor=request.user, request=request)
    messages.success(request, f"{wish.patient.full_name} is off the waiting list for {wish.service.name}.")
    return redirect(f"{reverse('desk:waitlist')}?location={wish.location.slug}")
