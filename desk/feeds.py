"""A therapist's appointments as an iCalendar feed for their own calendar app, at a signed link they can replace
(docs/access.md, "A therapist's calendar feed"). No sign-in: the link is the key, so it never reaches a log line
(clinic/core/logs.py) or the audit log, and each read is audited under the therapist's name."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from booking import calendar
from clinic.core.models import AuditEvent
from clinic.core.services import audit_record


def _feed_rate(group=None, request=None) -> str:
    # django-ratelimit calls a callable rate with (group, request).
    return settings.CALENDAR_FEED_RATE


def _feed_key(group, request) -> str:
    # Per link, not per address: calendar services fetch many people's feeds from a few shared addresses. The
    # limiter stores a hash of the key, never the link itself.
    return request.resolver_match.kwargs["token"]


def _desk_url(appointment) -> str:
    return settings.SITE_URL + reverse("desk:appointment", args=[appointment.pk])


@never_cache
@require_GET
@ratelimit(key=_feed_key, rate=_feed_rate, block=True, group="desk.calendar_feed")
def calendar_feed(request, token: str):
    therapist = calendar.therapist_from_feed_token(token)
    if therapist is None:  # tampered with, replaced by a newer link, or the therapist has left
        raise Http404("No such calendar.")
    appointments = calendar.feed_appointments(therapist, now=timezone.now())
    audit_record(
        actor=None,
        action=AuditEvent.Action.CALENDAR_FEED,
        obj=therapist,
        request=request,
        detail={"version": therapist.calendar_feed_version, "events": len(appointments)},
    )
    body = calendar.therapist_feed_ics(therapist, appointments, url_of=_desk_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response
