"""Reads of the intake that depend on who is asking: the patient's own session, or staff."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.core.access import location_scope
from clinic.core.models import Location

from . import rules
from .models import Intake

SESSION_KEY = "intake_id"
AREA_SESSION_KEY = "area_to_treat"
HEALTH_ANSWERS_PERMISSION = "intake.view_health_answers"
REVIEW_PERMISSION = "intake.review_intake"
VIEW_PERMISSION = "intake.view_intake"
DISPOSITION_LABELS = {
    rules.NOT_SUITABLE: "Not suitable online",
    rules.NEEDS_REVIEW: "Needs review",
    rules.INFORM: "For the therapist's information",
}


def current_intake(request) -> Intake | None:
    """The valid intake this browser session completed (after submitting, or confirming an e-mailed link)."""
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return Intake.objects.valid().select_related("patient", "location").filter(pk=pk).first()


def remember_intake(request, intake: Intake) -> None:
    """This browser finished `intake`: booking takes it, and the area to treat with it (docs/design.md,
    "Screening"). The area is health information: it goes into the session, never into a URL, and booking forgets it
    once the appointment is made."""
    request.session[SESSION_KEY] = intake.pk
    request.session[AREA_SESSION_KEY] = intake.area_to_treat


def area_to_treat(request) -> str:
    """The area to treat chosen in this browser's screening, until a booking is made ("" when none)."""
    return request.session.get(AREA_SESSION_KEY, "")


def forget_area_to_treat(request) -> None:
    request.session.pop(AREA_SESSION_KEY, None)


def intakes_for_staff(user):
    """Intakes `user` may see: those at their locations (docs/access.md). PermissionDenied without the permission."""
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    intakes = Intake.objects.all()
    scope = location_scope(user)
    if scope is not None:
        intakes = intakes.filter(location_id__in=scope)
    if not can_see_health_answers(user):
        intakes = intakes.defer("answers", "results", "review_note", "precautions")
    return intakes


def review_queue(user):
    """Intakes waiting for a therapist that `user` may see, in the order they should be decided. Constant queries
    however long."""
    return intakes_for_staff(user).pending_review().select_related("patient", "location").in_review_order()


def review_locations(user) -> list[Location]:
    """Active locations whose screenings `user` may see, in name order: the review queue's clinic filter."""
    locations = Location.objects.active()
    scope = location_scope(user)
    if scope is not None:
        locations = locations.filter(pk__in=scope)
    return list(locations.order_by("name", "pk"))


def intake_for_staff(request, pk: int) -> Intake:
    """One intake the member of staff may see: 404 if it is missing or at a location outside their scope (so the
    two look the same), 403 if they may not see intakes at all."""
    return get_object_or_404(
        intakes_for_staff(request.user).select_related("patient", "location", "reviewed_by"), pk=pk
    )


def can_see_health_answers(user) -> bool:
    return user.has_perm(HEALTH_ANSWERS_PERMISSION)


def can_review(user) -> bool:
    return user.has_perm(REVIEW_PERMISSION)


def screening_reasons(intake: Intake) -> list[dict]:
    """Why the screening was flagged, in the rules' clinical wording for staff (never the patient's own answers):
    [{"label": "Needs review", "reasons": ["Diabetes"]}, ...]. Health data: only for `can_see_health_answers`, and
    the page that shows it audits the view."""
    return [
        {**result, "label": DISPOSITION_LABELS.get(result["disposition"], result["disposition"])}
        for result in intake.results
        if result["disposition"] != rules.CLEAR
    ]
