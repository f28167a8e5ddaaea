"""JSON for the slot picker: GET /book/api/slots/?service=&location=&therapist=&start=&days=

Six queries at most whatever the number of therapists and appointments: location, service, working hours, time off,
closures, held appointments (see selectors.availability_for)."""

from datetime import date, timedelta

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.core.models import Location

from . import selectors

MAX_DAYS = 14


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


def _bad(error: BadParameter) -> JsonResponse:
    return JsonResponse({"error": error.message, "parameter": error.parameter}, status=400)


def parse_slot_query(params, *, now) -> dict:
    """Validate the query string; raises BadParameter naming the first bad one."""
    location_slug = params.get("location", "")
    location = Location.objects.active().filter(slug=location_slug).first() if location_slug else None
    if location is None:
        raise BadParameter("location", "Unknown or missing location.")
    service_slug = params.get("service", "")
    service = selectors.services_at(location).filter(slug=service_slug).first() if service_slug else None
    if service is None:
        raise BadParameter("service", "Unknown service, or not offered at this location.")
    therapist = params.get("therapist", "any") or "any"
    if therapist != "any":
        if not therapist.isdigit() or len(therapist) > 12:
            raise BadParameter("therapist", "Use a therapist id or 'any'.")
        therapist = int(therapist)
    today = now.astimezone(location.zone).date()
    try:
        start = date.fromisoformat(params["start"]) if params.get("start") else today
    except ValueError:
        raise BadParameter("start", "Use a date as YYYY-MM-DD.") from None
    start = max(start, today)
    try:
        days = int(params.get("days", "7"))
    except ValueError:
        raise BadParameter("days", f"Use a whole number of days from 1 to {MAX_DAYS}.") from None
    if days < 1:
        raise BadParameter("days", f"Use a whole number of days from 1 to {MAX_DAYS}.")
    # Capped, and never past the location's horizon.
    last_day = today + timedelta(days=location.horizon_days)
    days = max(0, min(days, MAX_DAYS, (last_day - start).days + 1))
    return {"location": location, "service": service, "therapist": therapist, "start": start, "days": days}


@never_cache
@require_GET
def slots(request):
    now = timezone.now()
    try:
        query = parse_slot_query(request.GET, now=now)
    except BadParameter as error:
        return _bad(error)
    location, service, therapist = query["location"], query["service"], query["therapist"]
    zone = location.zone
    payload = {
        "location": location.slug,
        "service": service.slug,
        "time_zone": location.time_zone,
        "start": query["start"].isoformat(),
        "days": query["days"],
        "slots": [],
    }
    if query["days"] == 0:
        return JsonResponse(payload)
    found = selectors.availability_for(
        location=location,
        service=service,
        window=selectors.local_window(location, query["start"], query["days"]),
        therapist_ids=None if therapist == "any" else [therapist],
    )
    unknown_therapist = therapist != "any" and not found.diaries
    if unknown_therapist and not selectors.therapists_for(location, service).filter(pk=therapist).exists():
        return _bad(BadParameter("therapist", "Unknown therapist, or not offering this service here."))
    payload["slots"] = [
        {
            "start": slot.start.astimezone(zone).isoformat(),
            "end": slot.end.astimezone(zone).isoformat(),
            "therapist": {"id": slot.therapist_id, "name": slot.therapist_name},
        }
        for slot in found.slots(now=now)
    ]
    return JsonResponse(payload)
