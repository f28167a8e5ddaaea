"""JSON for the slot picker: GET /book/api/slots/?service=&location=&therapist=&start=&days=

Answered from the diary cache (booking/slot_cache.py): one query when cached (the diary version), and eight,
whatever the number of therapists and appointments, when nothing is: version, location, service, the team, then
working hours, time off, closures and held appointments (selectors.availability_for)."""

import json
from datetime import timedelta

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.core import parsing

from . import availability, slot_cache

MAX_DAYS = 14


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


def _bad(error: BadParameter) -> JsonResponse:
    return JsonResponse({"error": error.message, "parameter": error.parameter}, status=400)


def parse_slot_query(params, *, now, at: int) -> dict:
    """Validate the query string (locations and services as of diary version `at`); raises BadParameter naming
    the first bad one."""
    location, service = slot_cache.location_and_service(params.get("location", ""), params.get("service", ""), at=at)
    if location is None:
        raise BadParameter("location", "Unknown or missing location.")
    if service is None:
        raise BadParameter("service", "Unknown service, or not offered at this location.")
    therapist = params.get("therapist", "any") or "any"
    if therapist != "any":
        therapist = parsing.whole_number(therapist)
        if therapist is None:
            raise BadParameter("therapist", "Use a therapist id or 'any'.")
    today = now.astimezone(location.zone).date()
    start = parsing.iso_date(params["start"]) if params.get("start") else today
    if start is None:
        raise BadParameter("start", "Use a date as YYYY-MM-DD.")
    start = max(start, today)
    days = parsing.whole_number(params.get("days", "7"), low=1)
    if days is None:
        raise BadParameter("days", f"Use a whole number of days from 1 to {MAX_DAYS}.")
    # Capped, and never past the location's horizon.
    last_day = today + timedelta(days=location.horizon_days)
    days = max(0, min(days, MAX_DAYS, (last_day - start).days + 1))
    return {"location": location, "service": service, "therapist": therapist, "start": start, "days": days}


@never_cache
@require_GET
def slots(request):
    now = timezone.now()
    at = slot_cache.version()  # first: everything below is as of this committed version or later
    key = slot_cache.response_key(request.GET, at=at)
    body = slot_cache.response_get(key, now=now) if key else None
    if body is not None:
        return HttpResponse(body, content_type="application/json")
    try:
        query = parse_slot_query(request.GET, now=now, at=at)
    except BadParameter as error:
        return _bad(error)
    location, service, therapist = query["location"], query["service"], query["therapist"]
    members = slot_cache.team(location, service, at=at)
    if therapist != "any":
        members = [member for member in members if member[0] == therapist]
        if not members and not slot_cache.therapist_offers(location, service, therapist):
            return _bad(BadParameter("therapist", "Unknown therapist, or not offering this service here."))
    asked = slot_cache.Asked(location, service, members, therapist)
    items, valid_until = slot_cache.answer(asked, first_day=query["start"], days=query["days"], now=now, at=at)
    head = {
        "location": location.slug,
        "service": service.slug,
        "time_zone": location.time_zone,
        "start": query["start"].isoformat(),
        "days": query["days"],
    }
    # The slots' JSON comes written from the cache; only the list around them is put together here.
    body = (json.dumps(head)[:-1] + ', "slots": [' + ", ".join(items) + "]}").encode()
    if key:
        # Kept whole until the clock would change it: a time coming within the notice or the horizon, or a new
        # local day (which moves "today" and so the first day and the horizon's last one).
        tomorrow = availability.local_day(now.astimezone(location.zone).date() + timedelta(days=1), location.zone)
        valid_until = min(valid_until, tomorrow.start.timestamp())
        slot_cache.response_set(key, body, valid_until=valid_until, now=now)
    return HttpResponse(body, content_type="application/json")
