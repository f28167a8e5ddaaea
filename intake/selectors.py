"""Reads of the intake that depend on who is asking: the patient's own session, or staff."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.core.access import location_scope

from .models import Intake

SESSION_KEY = "intake_id"
HEALTH_ANSWERS_PERMISSION = "intake.view_health_answers"
REVIEW_PERMISSION = "intake.review_intake"
VIEW_PERMISSION = "intake.view_intake"


def current_intake(request) -> Intake | None:
    """The valid intake this browser session completed (after submitting, or confirming an e-mailed link)."""
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return Intake.objects.valid().select_related("patient", "location").filter(pk=pk).first()


def remember_intake(request, intake: Intake) -> None:
    request.session[SESSION_KEY] = intake.pk


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
