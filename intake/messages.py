"""The intake's outbox message kinds: how each renders and whether it is still due (registered in apps.py).

Messages never contain health details: no answers, no reasons, no therapist notes. Links carry only a signed,
expiring token of the intake's opaque reference.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.core import outbox
from clinic.core.models import OutboundMessage

from .models import Intake, Patient
from .services import (
    KIND_INFO_REQUESTED,
    KIND_RETURNING_LINK,
    KIND_REVIEW_DECISION,
    KIND_SCREENING_LINK,
    returning_link_max_age,
    returning_link_token,
    screening_link_token,
)


def _intake(message) -> Intake | None:
    intake = message.subject_object
    return intake if isinstance(intake, Intake) else None


def _rendered(intake: Intake, subject: str, template: str, **context) -> outbox.RenderedMessage:
    context = {"intake": intake, "patient": intake.patient, "location": intake.location, **context}
    return outbox.RenderedMessage(
        to=[intake.patient.email], subject=subject, text=render_to_string(f"intake/email/{template}", context)
    )


def render_returning_link(message) -> outbox.RenderedMessage | None:
    intake = _intake(message)
    if intake is None:
        return None
    # The token is made at sending time, so its lifetime counts from when the patient receives it.
    url = settings.SITE_URL + reverse("intake:returning_confirm", args=[returning_link_token(intake)])
    hours = int(returning_link_max_age().total_seconds() // 3600)
    return _rendered(intake, "Your link to confirm your screening answers", "returning_link.txt", url=url, hours=hours)


def returning_link_still_due(message) -> bool:
    intake = _intake(message)
    return intake is not None and intake.is_valid_at(timezone.now())


def render_review_decision(message) -> outbox.RenderedMessage | None:
    intake = _intake(message)
    if intake is None or not intake.is_decided:
        return None
    approved = intake.review_status == Intake.ReviewStatus.APPROVED
    subject = "Your screening has been reviewed" if approved else "About your screening for dry needling"
    template = "review_approved.txt" if approved else "review_declined.txt"
    return _rendered(intake, subject, template, book_url=settings.SITE_URL + "/book/")


def review_decision_still_due(message) -> bool:
    intake = _intake(message)
    return intake is not None and intake.is_decided


def render_info_requested(message) -> outbox.RenderedMessage | None:
    intake = _intake(message)
    if intake is None:
        return None
    return _rendered(intake, "Please call us about your screening", "review_info_requested.txt")


def info_requested_still_due(message) -> bool:
    intake = _intake(message)
    return intake is not None and intake.review_status == Intake.ReviewStatus.INFO_REQUESTED


def _patient(message) -> Patient | None:
    patient = message.subject_object
    return patient if isinstance(patient, Patient) and not patient.is_erased else None


def render_screening_link(message) -> outbox.RenderedMessage | None:
    """The desk's link to the questionnaire, by e-mail or SMS: a signed token of the record id, made at sending time
    so its lifetime counts from when the patient receives it."""
    patient = _patient(message)
    if patient is None:
        return None
    context = {
        "patient": patient,
        "url": settings.SITE_URL + reverse("intake:screening_link", args=[screening_link_token(patient)]),
        "hours": int(returning_link_max_age().total_seconds() // 3600),
    }
    if message.channel == OutboundMessage.Channel.SMS:
        phone = patient.phone
        text = " ".join(render_to_string("intake/email/screening_link.sms.txt", context).split())
        return outbox.RenderedMessage(to=[phone.as_e164] if phone and phone.is_valid() else [], text=text)
    return outbox.RenderedMessage(
        to=[patient.email] if patient.email else [],
        subject="Your screening questions before dry needling",
        text=render_to_string("intake/email/screening_link.txt", context),
    )


def screening_link_still_due(message) -> bool:
    return _patient(message) is not None


def register() -> None:
    outbox.register_kind(KIND_RETURNING_LINK, render=render_returning_link, still_due=returning_link_still_due)
    outbox.register_kind(KIND_REVIEW_DECISION, render=render_review_decision, still_due=review_decision_still_due)
    outbox.register_kind(KIND_SCREENING_LINK, render=render_screening_link, still_due=screening_link_still_due)
    outbox.register_kind(KIND_INFO_REQUESTED, render=render_info_requested, still_due=info_requested_still_due)
