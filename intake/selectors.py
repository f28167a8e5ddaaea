"""Reads of the intake that depend on who is asking: the patient's own session, or staff."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

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


def review_queue():
    """Intakes waiting for a therapist, in the order they should be decided. Constant queries however long."""
    return Intake.objects.pending_review().select_related("patient", "location").in_review_order()


def intake_for_staff(request, pk: int) -> Intake:
    """One intake for a member of staff who may see intakes at all (404 if missing, 403 if not allowed)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(Intake.objects.select_related("patient", "location", "reviewed_by"), pk=pk)


def can_see_health_answers(user) -> bool:
    return user.has_perm(HEALTH_ANSWERS_PERMISSION)


def can_review(user) -> bool:
    return user.has_perm(REVIEW_PERMISSION)
