"""The waiting list's patient pages: joining it from the booking week page when no time suits (/book/waitlist/), and
the offer a claim link opens (/book/waitlist/offer/<token>/), where the patient books the time or lets it go."""

from datetime import timedelta
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from intake.selectors import current_intake

from . import services, waitlist
from . import views as flow
from .models import Appointment, WaitlistOffer, WaitlistWish
from .waitlist_forms import PART_CHOICES, WEEKDAY_CHOICES, OfferAnswerForm, WishForm, WishWithDetailsForm

# The wish this browser joined last, shown on the "you are on the list" page.
JOINED_SESSION_KEY = "booking.waitlist_joined"
# How far ahead the form's "until" starts (the patient may choose up to the clinic's horizon).
DEFAULT_WEEKS = 4


def _form(choice, patient, data=None):
    location = choice["location"]
    if patient is not None:
        return WishForm(data)
    return WishWithDetailsForm(data, region=location.country, phone_example=location.phone_example)


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def join(request):
    """No time suits: the service, clinic and therapist chosen in booking, and when the patient could come."""
    params = request.POST if request.method == "POST" else request.GET
    choice = flow._choice(params)
    service, location = choice["service"], choice["location"]
    if service is None or location is None:
        return redirect(f"{reverse('booking:start')}?{flow._query(choice)}")
    therapist = None if choice["therapist"] in (None, "any") else choice["therapist"]
    now = timezone.now()
    intake = current_intake(request)
    patient = intake.patient if intake is not None else None
    context = {"choice": choice, "service": service, "location": location, "therapist": therapist}
    if service.needs_screening:
        try:
            status = services.booking_status(service=service, intake=intake, now=now)
        except services.NeedsIntake:
            wanted = {"service": service.slug, "location": location.slug}
            return redirect(f"{reverse('intake:start')}?{urlencode(wanted)}")
        except services.BookingRefused:
            return flow._refused(request, location, service)
        if status != Appointment.Status.CONFIRMED:
            return render(request, "booking/waitlist_join.html", {**context, "needs_approval": True})
    if request.method == "GET":
        today = now.astimezone(location.zone).date()
        last = today + timedelta(days=min(DEFAULT_WEEKS * 7, location.horizon_days))
        form = _form(choice, patient)
        form.initial = {
            "parts_of_day": [value for value, _ in PART_CHOICES],
            "weekdays": [value for value, _ in WEEKDAY_CHOICES],
            "first_day": today,
            "last_day": last,
            "notify_by": "email",
        }
        return render(request, "booking/waitlist_join.html", {**context, "form": form})
    form = _form(choice, patient, request.POST)
    if not form.is_valid():
        return render(request, "booking/waitlist_join.html", {**context, "form": form}, status=400)
    wanted = form.wanted(location=location, service=service, therapist=therapist)
    try:
        wish = waitlist.wish_add(
            patient=patient or form.patient_details,
            wanted=wanted,
            intake=intake,
            request=request,
            now=now,
            **form.channels,
        )
    except services.BookingError as error:
        return render(request, "booking/waitlist_join.html", {**context, "form": form, "error": error.message}, 400)
    request.session[JOINED_SESSION_KEY] = wish.pk
    return redirect("booking:waitlist_joined")


@never_cache
@require_GET
def joined(request):
    wish = None
    if pk := request.session.get(JOINED_SESSION_KEY):
        wish = WaitlistWish.objects.select_related("service", "location", "therapist").filter(pk=pk).first()
    return render(request, "booking/waitlist_joined.html", {"wish": wish})


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def offer(request, token: str):
    """A time offered from the list: GET shows it, POST books it or lets it go. A bad link shows nothing."""
    found = waitlist.offer_from_token(token)
    if found is None:
        return render(request, "booking/invalid_link.html", status=404)
    context = {"offer": found, "location": found.location, "form": OfferAnswerForm()}
    if request.method == "POST":
        form = OfferAnswerForm(request.POST)
        if not form.is_valid():
            return render(request, "booking/waitlist_offer.html", {**context, "form": form}, status=400)
        if form.cleaned_data["answer"] == "decline":
            waitlist.offer_decline(offer=found)
            return redirect(reverse("booking:waitlist_offer", args=[token]))
        try:
            appointment = waitlist.offer_claim(offer=found, request=request)
        except waitlist.OfferGone as gone:
            found.refresh_from_db()
            return render(request, "booking/waitlist_offer.html", {**context, "error": gone.message}, status=409)
        except services.BookingError as error:
            return render(request, "booking/waitlist_offer.html", {**context, "error": error.message}, status=400)
        return redirect(reverse("booking:manage", args=[services.manage_token(appointment)]) + "?booked=1")
    context["is_open"] = found.is_open_at(timezone.now())
    if found.status == WaitlistOffer.Status.CLAIMED and found.appointment is not None:
        context["manage_url"] = reverse("booking:manage", args=[services.manage_token(found.appointment)])
    return render(request, "booking/waitlist_offer.html", context)
