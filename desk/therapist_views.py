"""The therapist's pages of the desk: where staff land after signing in, "my day" (each appointment of a day with
the screening's outcome and, for those allowed, why it was flagged and the precautions), and the calendar feed link
they can replace (docs/access.md, "A therapist's day" and "A therapist's calendar feed")."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from booking import desk_services
from booking.calendar import feed_token
from booking.models import Therapist
from clinic.core import parsing
from intake.selectors import can_see_health_answers
from intake.services import intakes_health_viewed

from . import my_day as day_reads
from .therapist_forms import MyDayForm
from .views import _staff


def _chosen(request, therapists: list[Therapist], own_id: int | None, value: str | None) -> Therapist | None:
    """The therapist asked for (404 if they are not one the member of staff may choose), else their own, else the
    first of the list."""
    if value:
        wanted = parsing.whole_number(value)
        chosen = next((therapist for therapist in therapists if therapist.pk == wanted), None)
        if chosen is None:
            raise Http404("No such therapist.")
        return chosen
    return next((t for t in therapists if t.pk == own_id), therapists[0] if therapists else None)


def _day_asked(request, today):
    """The day of the date picker; today when none is asked, or (said so) when it cannot be read."""
    if not request.GET.get("date"):
        return today
    asked = parsing.iso_date(request.GET["date"])
    if asked is None:
        messages.error(request, "That date could not be read; showing today.")
    return asked or today


@login_required
@require_GET
def start(request):
    """Where staff land after signing in: a therapist on their own day, everyone else on the schedule."""
    staff = _staff(request)
    if staff.is_therapist and staff.therapist_id is not None:
        return redirect("desk:my_day")
    return redirect("desk:home")


@login_required
@never_cache
@require_GET
def my_day(request):
    now, staff = timezone.now(), _staff(request)
    therapists = day_reads.therapists_of_day(staff)
    therapist = _chosen(request, therapists, staff.therapist_id, request.GET.get("therapist"))
    location = day_reads.home_location(therapist) if therapist else None
    today = timezone.localdate(now, location.zone) if location else timezone.localdate(now)
    day = _day_asked(request, today)
    health = can_see_health_answers(request.user)
    rows = day_reads.therapist_day(staff, therapist, day, now=now, health=health) if therapist else []
    if health:
        # Reasons and precautions are health details: each patient's shown today is an audited view.
        shown = {row.appointment.intake.pk: row.appointment.intake for row in rows if row.appointment.intake}
        intakes_health_viewed(intakes=list(shown.values()), actor=request.user, request=request, via="my_day")
    initial = {"date": day, "therapist": therapist.pk if therapist else ""}
    days = {"shown": day, "today": today, "before": day - timedelta(days=1), "after": day + timedelta(days=1)}
    form = MyDayForm(initial=initial, therapists=therapists)
    context = {"staff": staff, "form": form, "therapist": therapist, "therapists": therapists, "days": days}
    context |= {"rows": rows, "health": health, "here": request.get_full_path()}
    return render(request, "desk/my_day.html", context)


# --- The calendar feed link ---------------------------------------------------------------------------------------


def _feed_therapist(request, value: str | None) -> tuple[Therapist | None, list[Therapist]]:
    """Whose feed link the member of staff may see and replace: a therapist their own, a clinic admin anyone's
    (chosen from a list); the front desk none (403)."""
    staff = _staff(request)
    if staff.is_admin:
        therapists = list(Therapist.objects.active())
        return _chosen(request, therapists, staff.therapist_id, value), therapists
    if staff.is_therapist and staff.therapist_id is not None:
        own = Therapist.objects.get(pk=staff.therapist_id)
        return _chosen(request, [own], own.pk, value), [own]
    raise PermissionDenied


def _feed_url(therapist: Therapist) -> str:
    return settings.SITE_URL + reverse("desk:calendar_feed", args=[feed_token(therapist)])


@login_required
@never_cache
@require_GET
def calendar_link(request):
    therapist, therapists = _feed_therapist(request, request.GET.get("therapist"))
    context = {
        "therapist": therapist,
        "therapists": therapists,
        "feed_url": _feed_url(therapist) if therapist else "",
        "own": therapist is not None and therapist.pk == _staff(request).therapist_id,
    }
    return render(request, "desk/calendar_link.html", context)


@login_required
@require_POST
def calendar_link_reset(request):
    therapist, _ = _feed_therapist(request, request.POST.get("therapist"))
    if therapist is None:
        raise Http404("No therapist to give a new link.")
    desk_services.therapist_calendar_feed_reset(therapist=therapist, actor=request.user, request=request)
    messages.success(
        request,
        "The calendar link was replaced: the old one has stopped working. Add the new one to the calendar app.",
    )
    return redirect(f"{reverse('desk:calendar_link')}?therapist={therapist.pk}")
