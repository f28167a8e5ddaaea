"""Patients' data rights: export everything held about one patient, and erase one (docs/design.md, "Who sees what").

It lives in booking, the layer that sees every record about a patient: their details and intakes (intake), their
appointments (booking), and the messages and audit events about them (the core). Both are for clinic admins only
(the `intake.export_patient` and `intake.erase_patient` permissions) and both are audited; the erasure's event names
the patient by id and counts, never by anything erased.
"""

import re
import unicodedata
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BigIntegerField, Prefetch, Q
from django.db.models.functions import Cast
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Intake, Patient

from . import waitlist
from .models import DAY_PARTS, WEEKDAY_NAMES, Appointment, WaitlistOffer, WaitlistWish
from .services import diary_changed

EXPORT_FORMAT = "clinic-patient-export/1"


class ErasureRefused(Exception):
    """The erasure was not confirmed as asked; the message says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _messages_about(*, intake_ids: list[int], appointment_ids: list[int], offer_ids: tuple[int, ...] = ()):
    intake_type = ContentType.objects.get_for_model(Intake)
    appointment_type = ContentType.objects.get_for_model(Appointment)
    offer_type = ContentType.objects.get_for_model(WaitlistOffer)
    return OutboundMessage.objects.filter(
        Q(content_type=intake_type, object_id__in=[str(pk) for pk in intake_ids])
        | Q(content_type=appointment_type, object_id__in=[str(pk) for pk in appointment_ids])
        | Q(content_type=offer_type, object_id__in=[str(pk) for pk in offer_ids])
    )


def _events_about(patient: Patient, *, intake_ids: list[int], appointment_ids: list[int], message_ids: list[int]):
    """Events that name the patient, events about their records (some were written before events named patients),
    and views of the review queue that listed one of their intakes."""
    # Records merged into this one (booking migration 0006) keep their own events; a merge event names each of them.
    merges = AuditEvent.objects.filter(
        patient_id=patient.pk, object_type="intake.patient", action=AuditEvent.Action.PATIENT_CHANGE
    ).filter(detail__change="merge")
    about = (
        Q(patient_id=patient.pk)
        | Q(object_type="intake.patient", object_id=str(patient.pk))
        | Q(object_type="intake.patient", object_id__in=merges.values("object_id"))
        | Q(patient_id__in=merges.values(merged_id=Cast("object_id", BigIntegerField())))
        | Q(object_type="intake.intake", object_id__in=[str(pk) for pk in intake_ids])
        | Q(object_type="booking.appointment", object_id__in=[str(pk) for pk in appointment_ids])
        | Q(object_type="core.outboundmessage", object_id__in=[str(pk) for pk in message_ids])
    )
    for pk in intake_ids:
        about |= Q(action=AuditEvent.Action.VIEW_REVIEW_QUEUE, detail__intake_ids__contains=[pk])
    return AuditEvent.objects.filter(about).order_by("at", "pk")


# --- Export --------------------------------------------------------------------------------------------------------


def _patient_data(patient: Patient) -> dict:
    return {
        "id": patient.pk,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "phone": patient.phone.as_e164 if patient.phone else "",
        "date_of_birth": _iso(patient.date_of_birth),
        "created_at": _iso(patient.created_at),
        "erased_at": _iso(patient.erased_at),
    }


def _intake_data(intake: Intake) -> dict:
    return {
        "id": intake.pk,
        "reference": str(intake.reference),
        "submitted_at": _iso(intake.submitted_at),
        "valid_until": _iso(intake.valid_until),
        "location": intake.location.name if intake.location else None,
        "service": intake.service_slug,
        "service_uses_electrical_stimulation": intake.service_uses_estim,
        "answers": intake.answers,
        "rule_set_version": intake.rule_set_version,
        "rule_results": intake.results,
        "outcome": intake.outcome,
        "review": {
            "status": intake.review_status,
            "reviewed_by": intake.reviewed_by.get_full_name() if intake.reviewed_by else None,
            "reviewed_at": _iso(intake.reviewed_at),
            "note": intake.review_note,
            "precautions": intake.precautions,
        },
        "confirmed_unchanged_at": _iso(intake.confirmed_unchanged_at),
    }


def _consent_data(intake: Intake) -> dict:
    return {
        "intake_id": intake.pk,
        "version": intake.consent_version,
        "name_typed": intake.consent_name,
        "guardian_name": intake.guardian_name,
        "consented_at": _iso(intake.consented_at),
        "from_address": intake.consent_ip,
    }


def _appointment_data(appointment: Appointment) -> dict:
    return {
        "id": appointment.pk,
        "service": appointment.service.name,
        "therapist": appointment.therapist.display_name,
        "location": appointment.location.name,
        "start": _iso(appointment.start),
        "end": _iso(appointment.end),
        "status": appointment.status,
        "source": appointment.source,
        "intake_id": appointment.intake_id,
        "notify_by_email": appointment.notify_email,
        "notify_by_sms": appointment.notify_sms,
        "cancellation_reason": appointment.cancellation_reason,
        "cancelled_at": _iso(appointment.cancelled_at),
        "completed_at": _iso(appointment.completed_at),
        "follow_up_weeks": appointment.follow_up_weeks,
        "created_at": _iso(appointment.created_at),
    }


def _wish_data(wish: WaitlistWish) -> dict:
    return {
        "id": wish.pk,
        "location": wish.location.name,
        "service": wish.service.name,
        "therapist": wish.therapist.display_name if wish.therapist else None,
        "parts_of_day": [name for bit, name, _, _ in DAY_PARTS if wish.parts_of_day & bit],
        "weekdays": [name for number, name in enumerate(WEEKDAY_NAMES) if wish.weekdays & (1 << number)],
        "first_day": wish.first_day.isoformat(),
        "last_day": wish.last_day.isoformat(),
        "notify_by_email": wish.notify_email,
        "notify_by_sms": wish.notify_sms,
        "status": wish.status,
        "source": wish.source,
        "created_at": _iso(wish.created_at),
        "offers": [
            {
                "id": offer.pk,
                "start": _iso(offer.start),
                "therapist": offer.therapist.display_name,
                "status": offer.status,
                "offered_at": _iso(offer.offered_at),
                "expires_at": _iso(offer.expires_at),
                "decided_at": _iso(offer.decided_at),
            }
            for offer in wish.offers.all()
        ],
    }


def _message_data(message: OutboundMessage, labels: dict[int, str]) -> dict:
    return {
        "id": message.pk,
        "about": f"{labels[message.content_type_id]} {message.object_id}",
        "kind": message.kind,
        "channel": message.channel,
        "status": message.status,
        "due_at": _iso(message.due_at),
        "sent_at": _iso(message.sent_at),
        "attempts": message.attempts,
    }


def _event_data(event: AuditEvent) -> dict:
    return {
        "at": _iso(event.at),
        "action": event.action,
        "actor": event.actor_name or None,
        "record": f"{event.object_type} {event.object_id}",
        "from_address": event.ip_address,
        "detail": event.detail,
    }


@transaction.atomic
def patient_export(*, patient: Patient, actor, request=None, now: datetime | None = None) -> dict:
    """Everything held about `patient`, as one JSON-ready document; the export itself is audited (with counts).

    Queries: patient intakes (with location and reviewer), appointments (with service, therapist, location), waiting-
    list wishes (with location, service, therapist) and their offers, the messages about all of them, the audit events
    about them, and the export's own event: constant however much the patient has."""
    now = now or timezone.now()
    intakes = list(
        Intake.objects.filter(patient=patient).select_related("location", "reviewed_by").order_by("submitted_at")
    )
    appointments = list(
        Appointment.objects.filter(patient=patient)
        .select_related("service", "therapist", "location")
        .order_by("start", "pk")
    )
    offers = Prefetch(
        "offers", queryset=WaitlistOffer.objects.select_related("therapist").order_by("offered_at", "pk")
    )
    wishes = list(
        WaitlistWish.objects.filter(patient=patient)
        .select_related("location", "service", "therapist")
        .prefetch_related(offers)
        .order_by("created_at", "pk")
    )
    intake_ids, appointment_ids = [i.pk for i in intakes], [a.pk for a in appointments]
    offer_ids = tuple(offer.pk for wish in wishes for offer in wish.offers.all())
    messages = list(
        _messages_about(intake_ids=intake_ids, appointment_ids=appointment_ids, offer_ids=offer_ids).order_by(
            "created_at", "pk"
        )
    )
    labels = {
        ContentType.objects.get_for_model(Intake).pk: "intake",
        ContentType.objects.get_for_model(Appointment).pk: "appointment",
        ContentType.objects.get_for_model(WaitlistOffer).pk: "waiting-list offer",
    }
    events = list(
        _events_about(
            patient, intake_ids=intake_ids, appointment_ids=appointment_ids, message_ids=[m.pk for m in messages]
        )
    )
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "exported_by": core_services.actor_label(actor),
        "patient": _patient_data(patient),
        "intakes": [_intake_data(intake) for intake in intakes],
        "consents": [_consent_data(intake) for intake in intakes],
        "appointments": [_appointment_data(appointment) for appointment in appointments],
        "waiting_list": [_wish_data(wish) for wish in wishes],
        "messages": [_message_data(message, labels) for message in messages],
        "audit_events": [_event_data(event) for event in events],
    }
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.PATIENT_EXPORT,
        obj=patient,
        patient_id=patient.pk,
        request=request,
        detail={
            "intakes": len(intakes),
            "appointments": len(appointments),
            "waiting_list": len(wishes),
            "messages": len(messages),
            "audit_events": len(events),
        },
    )
    return document


# --- Erasure -------------------------------------------------------------------------------------------------------


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def erasure_confirmation_matches(patient: Patient, typed: str) -> bool:
    """The person erasing typed the patient's full name (any case and spacing): they mean this patient."""
    return bool(typed.strip()) and _normalised(typed) == _normalised(patient.full_name)


def _scrubbed(text: str, patient: Patient) -> str:
    """The reason, with the patient's own details taken out: the audit trail keeps it, and may never hold them."""
    values = [patient.first_name, patient.last_name, patient.email, patient.full_name]
    if patient.phone:
        values += [patient.phone.as_e164, patient.phone.as_international, patient.phone.as_national]
    if patient.date_of_birth:
        born = patient.date_of_birth
        values += [born.isoformat(), f"{born:%d/%m/%Y}", f"{born:%d.%m.%Y}", f"{born:%m/%d/%Y}"]
    for value in sorted({v for v in values if v and len(v) > 1}, key=len, reverse=True):
        text = re.sub(re.escape(value), "[patient]", text, flags=re.IGNORECASE)
    return text


@transaction.atomic
def patient_erase(
    *, patient: Patient, actor, confirmation: str, reason: str, request=None, now: datetime | None = None
) -> dict[str, int]:
    """Erase `patient`, irreversibly: their name, contact details and date of birth are removed from the record,
    their intakes (health answers, rule results, consent) deleted, their future appointments cancelled with every
    message still owed (nothing more goes to the erased address), and the free text of their appointments cleared.

    What stays is what the clinic's statistics need and holds nothing about the person: each appointment's service,
    therapist, location, time and status, under a patient row with no personal data. Audited with counts and the
    reason (with any of the patient's details taken out of it). Returns the counts."""
    now = now or timezone.now()
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.is_erased:
        raise ErasureRefused("This patient was already erased.")
    if not erasure_confirmation_matches(patient, confirmation):
        raise ErasureRefused("Type the patient's full name exactly as shown to confirm. Nothing was erased.")
    reason = reason.strip()
    if not reason:
        raise ErasureRefused("Give the reason for erasing (for example, the patient's request and its date).")

    appointments = list(Appointment.objects.select_for_update().filter(patient=patient).order_by("pk"))
    intake_ids = list(Intake.objects.filter(patient=patient).values_list("pk", flat=True))
    future = [
        a
        for a in appointments
        if a.start > now and a.status in (Appointment.Status.PENDING_REVIEW, Appointment.Status.CONFIRMED)
    ]
    for appointment in future:
        # Cancelled without a notice: the patient asked to be forgotten, and their address is about to go.
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = now
        appointment.link_version += 1
        appointment.save(update_fields=["status", "cancelled_at", "link_version", "updated_at"])
    # Off the waiting list: an offer out lapses (its hold removed, the time to the next wish), and the wishes go.
    for wish in WaitlistWish.objects.waiting().filter(patient=patient):
        waitlist.wish_withdraw(wish=wish, actor=actor, request=request, now=now)
    WaitlistWish.objects.filter(patient=patient).delete()
    if future:
        diary_changed()  # the freed times are offered again at once (booking/slot_cache.py)
    Appointment.objects.filter(patient=patient).update(cancellation_reason="", updated_at=now)

    messages = _messages_about(intake_ids=intake_ids, appointment_ids=[a.pk for a in appointments])
    messages_cancelled = messages.filter(
        status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.FAILED]
    ).update(status=OutboundMessage.Status.CANCELLED, claimed_until=None, updated_at=now)
    # An error from the provider may quote the address; an intake's messages go with the intake.
    messages.exclude(last_error="").update(last_error="", updated_at=now)
    _messages_about(intake_ids=intake_ids, appointment_ids=[]).delete()
    intakes_deleted = Intake.objects.filter(pk__in=intake_ids).delete()[1].get(Intake._meta.label, 0)

    # The admin's own change log names records by their text (the patient's name).
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Patient), object_id=str(patient.pk)).update(
        object_repr=f"Erased patient #{patient.pk}"
    )

    counts = {
        "intakes_deleted": intakes_deleted,
        "appointments_kept": len(appointments),
        "future_appointments_cancelled": len(future),
        "messages_cancelled": messages_cancelled,
    }
    scrubbed_reason = _scrubbed(reason, patient)[:500]
    patient.first_name = patient.last_name = patient.email = ""
    patient.phone = ""
    patient.date_of_birth = None
    patient.erased_at = now
    patient.save(update_fields=["first_name", "last_name", "email", "phone", "date_of_birth", "erased_at"])
    core_services.audit_record(
        actor=actor,
        action=AuditEvent.Action.PATIENT_ERASE,
        obj=patient,
        patient_id=patient.pk,
        request=request,
        detail={**counts, "reason": scrubbed_reason},
    )
    return counts
