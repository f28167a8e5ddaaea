"""The desk's course of treatment (booking/courses.py): from an appointment, plan K more sessions every N days or
weeks, see each one judged (clashes with the nearest free times to pick from), then book them all at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from booking import courses, services
from clinic.core import parsing

from .course_forms import CourseForm
from .views import _detail_url, _get_appointment_for_staff


def _initial(appointment) -> dict:
    # At finish time the therapist's follow-up plan gives the spacing; otherwise weekly.
    return {"every": str(appointment.follow_up_weeks or 1), "unit": "weeks", "sessions": "5"}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def course(request, pk: int):
    """GET without a plan shows the form; GET with one (every, unit, sessions) lists every session as it would be
    booked; POST books them all, or lists them again with what is not free (409) and books nothing."""
    appointment = _get_appointment_for_staff(request, pk, change=True)
    params = request.POST if request.method == "POST" else request.GET
    planning = "sessions" in params
    form = CourseForm(params if planning else None, initial=_initial(appointment))
    context = {"appointment": appointment, "location": appointment.location, "form": form, "plan": None}
    if not planning:
        return render(request, "desk/course.html", context)
    if not form.is_valid():
        return render(request, "desk/course.html", context, status=400)
    data, picks = form.cleaned_data, form.picks(params)
    shape = {"anchor": appointment, "every_days": data["every_days"], "count": data["sessions"], "picks": picks}
    try:
        if request.method == "GET":
            context["plan"] = courses.course_plan(**shape)
        else:
            course = courses.course_book(**shape, actor=request.user, request=request)
    except courses.CourseClash as clash:
        context.update(plan=clash.plan, error=clash.message)
        return render(request, "desk/course.html", context, status=409)
    except services.BookingError as failure:
        context["error"] = failure.message
        return render(request, "desk/course.html", context, status=400 if request.method == "GET" else 409)
    if request.method == "GET":
        context["picks"] = {number: parsing.start_param(start) for number, start in picks.items()}
        return render(request, "desk/course.html", context)
    count = course.sessions.count()
    messages.success(request, f"Booked a course of {count} sessions for {appointment.patient.full_name}. "
                              "One confirmation lists every date.")  # fmt: skip
    return redirect(_detail_url(appointment))
