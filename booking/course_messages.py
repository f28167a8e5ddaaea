"""The course of treatment's confirmation (registered in apps.py): one message that lists every session, with one
calendar file holding them all, each session with its own self-service link. Reminders stay per session
(booking/messages.py). Nothing about the patient's health, as in every booking message."""

from django.template.loader import render_to_string
from django.utils import timezone

from clinic.core import outbox
from clinic.core.models import OutboundMessage

from .calendar import WHAT_TO_WEAR, manage_url, sessions_ics
from .courses import KIND_COURSE_CONFIRMATION, KIND_COURSE_MOVED
from .models import Appointment, Course
from .services import manage_token


def _course(message) -> Course | None:
    course = message.subject_object
    return course if isinstance(course, Course) else None


def _sessions(course: Course) -> list[Appointment]:
    """The course's sessions still ahead and held, in time order."""
    return list(
        course.sessions.held()
        .filter(end__gt=timezone.now())
        .select_related("location", "service", "therapist", "patient")
        .order_by("start")
    )


def _renderer(*, moved: bool):
    """The course's message: booked (every date) or moved (every date now), with one calendar file of them all."""

    def render(message) -> outbox.RenderedMessage | None:
        course = _course(message)
        sessions = _sessions(course) if course is not None else []
        if not sessions:
            return None
        first, location = sessions[0], sessions[0].location
        patient = first.patient
        tokens = [manage_token(session) for session in sessions]
        context = {
            "patient": patient,
            "location": location,
            "service": first.service,
            "therapist": first.therapist,
            "held": first.status == Appointment.Status.PENDING_REVIEW,
            "moved": moved,
            "sessions": [(session, manage_url(token)) for session, token in zip(sessions, tokens, strict=True)],
            "what_to_wear": WHAT_TO_WEAR,
        }
        if message.channel == OutboundMessage.Channel.SMS:
            phone = patient.phone
            text = " ".join(render_to_string("booking/email/course_confirmation.sms.txt", context).split())
            return outbox.RenderedMessage(to=[phone.as_e164] if phone and phone.is_valid() else [], text=text)
        subject = "New times" if moved else "Booked"
        return outbox.RenderedMessage(
            to=[patient.email] if patient.email else [],
            subject=f"{subject}: {len(sessions)} sessions of {first.service.name} at {location.name}",
            text=render_to_string("booking/email/course_confirmation.txt", context),
            html=render_to_string("booking/email/course_confirmation.html", context),
            attachments=[("course.ics", sessions_ics(zip(sessions, tokens, strict=True)), "text/calendar")],
        )

    return render


render_course_confirmation = _renderer(moved=False)
render_course_moved = _renderer(moved=True)


def course_confirmation_still_due(message) -> bool:
    course = _course(message)
    return course is not None and course.sessions.held().filter(end__gt=timezone.now()).exists()


def register() -> None:
    outbox.register_kind(
        KIND_COURSE_CONFIRMATION, render=render_course_confirmation, still_due=course_confirmation_still_due
    )
    outbox.register_kind(KIND_COURSE_MOVED, render=render_course_moved, still_due=course_confirmation_still_due)
