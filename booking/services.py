"""Writes of booking: book, reschedule, cancel and decide appointments, never double-booking a therapist.

Two guards, one above the other. The transactional check: lock the therapist rows (SELECT ... FOR UPDATE; on SQLite
the IMMEDIATE transaction already serialises writers), read their diary and only then insert, so a second booker
waits and then sees the first one's appointment. The final guard is PostgreSQL's exclusion constraint; if it ever
fires the savepoint is rolled back and the person gets the same "that time was just taken" answer.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core import pagecache
from clinic.core import services as core_services
from clinic.core.models import AuditEvent, DataVersion, Location
from intake.models import Intake, NeedlingBooking, Patient
from intake.services import PatientDetails, patient_match_or_create

from . import availability, selectors
from .models import Appointment, Service, Therapist

logger = logging.getLogger(__name__)

# The outbox kinds booking owes patients (rendered and re-checked in messages.py, registered in apps.py).
KIND_CONFIRMATION = "booking.confirmation"
# "We are holding this time, a therapist will confirm": a booking held for review gets its manage link at once.
KIND_HELD = "booking.held"
KIND_RESCHEDULED = "booking.rescheduled"
KIND_CANCELLATION = "booking.cancellation"
KIND_AFTERCARE = "booking.aftercare"
KIND_FOLLOW_UP = "booking.follow_up"
REMINDER_PREFIX = "booking.reminder_"
# What the desk calls each kind; a reminder is named with its offset ("Reminder 24h").
KIND_LABELS = {
    KIND_CONFIRMATION: "Booking confirmation",
    KIND_RESCHEDULED: "New time notice",
    KIND_CANCELLATION: "Cancellation notice",
    KIND_AFTERCARE: "Aftercare advice",
    KIND_FOLLOW_UP: "Follow-up nudge",
}


def kind_label(kind: str) -> str:
    """A message kind in plain words: 'booking.reminder_24h' -> 'Reminder 24h'."""
    return KIND_LABELS.get(kind) or kind.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def reminder_offsets() -> list[timedelta]:
    """How long before the start each reminder goes (BOOKING_REMINDER_OFFSETS_HOURS, default 24 h and 2 h).

    Real hours, not wall-clock days: across a clock change "24 h before" is still 24 hours before."""
    return sorted({timedelta(hours=float(h)) for h in settings.BOOKING_REMINDER_OFFSETS_HOURS}, reverse=True)


def reminder_kind(before: timedelta) -> str:
    """One kind per offset ("booking.reminder_24h"), because the outbox keeps one row per (subject, kind, channel)."""
    return f"{REMINDER_PREFIX}{before.total_seconds() / 3600:g}h"


def reminder_kinds() -> dict[str, timedelta]:
    """The reminder kinds of the current settings with their offsets: due at start - offset, re-planned on a move."""
    return {reminder_kind(before): before for before in reminder_offsets()}


def aftercare_delay() -> timedelta:
    """Aftercare goes shortly after the session, once the patient is home (BOOKING_AFTERCARE_DELAY_MINUTES)."""
    return timedelta(minutes=settings.BOOKING_AFTERCARE_DELAY_MINUTES)


def follow_up_lead() -> timedelta:
    """The "book your next session" nudge comes this long before the planned follow-up, so there is time to book."""
    return timedelta(days=settings.BOOKING_FOLLOW_UP_LEAD_DAYS)


MANAGE_SALT = "booking.manage"
# Links sent before versioned links existed were timestamped; they are honoured for their 90 days as version 1.
LEGACY_MANAGE_MAX_AGE = timedelta(days=90)
# A link stops working this long after the visit ends (the patient may still want the calendar file that day).
MANAGE_LINK_GRACE = timedelta(days=1)


class BookingError(Exception):
    """Something the person can read and act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SlotTaken(BookingError):
    def __init__(self, nearest: list[availability.Slot], message: str = "Sorry, that time was just taken."):
        super().__init__(message)
        self.nearest = nearest


class NeedsIntake(BookingError):
    pass


class BookingRefused(BookingError):
    pass


class OutsideHours(BookingError):
    """The time is free of the therapist's other appointments, but outside their working hours, in their time off or
    on a day the clinic is closed: the desk may still book it, with an explicit override and a reason."""


class TooLateToChange(BookingError):
    pass


class LinkWasReplaced(BookingError):
    """A patient acted through a link that a change made while their page was open has replaced."""

    def __init__(self):
        super().__init__("This appointment was changed a moment ago. Please use the link in the newest message.")


def _check_link_version(locked: Appointment, seen: Appointment) -> None:
    # The link was checked before the row was locked; two tabs or a double submit could both have passed.
    if locked.link_version != seen.link_version:
        raise LinkWasReplaced


def booking_status(
    *, service: Service, intake: Intake | None, now: datetime, patient: Patient | None = None, by_staff: bool = False
) -> str:
    """The status a booking of `service` starts in: confirmed, or pending review (held until a therapist approves)
    (docs/clinical.md, "Outcomes"). Services without needles need no screening at all.

    Raises NeedsIntake when there is no valid screening for this service and BookingRefused when the screening rules
    it out; the desk's wording names the patient on the phone."""
    if not service.needs_screening:
        return Appointment.Status.CONFIRMED
    valid = intake is not None and intake.is_valid_at(now)
    if not valid or (service.uses_electrical_stimulation and not intake.service_uses_estim):
        # Judged for a service without electrical stimulation, where an implanted device only "informs"; with
        # stimulation it is not suitable online (docs/clinical.md). So the questions are answered again for this one.
        if by_staff and patient is not None:
            raise NeedsIntake(
                f"{patient.full_name} has no valid screening for {service.name}. Ask them to answer the questions at "
                "/intake/ first, or book a service without needles."
            )
        raise NeedsIntake("Please answer the screening questions before booking this service.")
    verdict = intake.needling_booking
    if verdict == NeedlingBooking.CONFIRM:
        return Appointment.Status.CONFIRMED
    if verdict == NeedlingBooking.HOLD:
        return Appointment.Status.PENDING_REVIEW
    if by_staff and patient is not None:
        raise BookingRefused(
            f"{patient.full_name}'s screening says {service.name} is not suitable, so it cannot be booked. "
            "A therapist can advise on other treatment."
        )
    raise BookingRefused("This service cannot be booked online after your screening answers.")


# --- Tokens --------------------------------------------------------------------------------------------------


class LinkInvalid(Exception):
    """A self-service link that names no appointment we can show: tampered with, cut short, or long past."""


class LinkReplaced(LinkInvalid):
    """A genuine link to an appointment that has moved or been cancelled since: a newer message has the link."""


def manage_token(appointment: Appointment) -> str:
    """The patient's self-service link: a signature of the appointment's opaque public id and its link version.

    The same appointment in the same state always gives the same token, so every message reuses the current link;
    a reschedule or cancel bumps the version, and every older link then answers "replaced"."""
    return signing.Signer(salt=MANAGE_SALT).sign(f"{appointment.public_id.hex}.{appointment.link_version}")


def _token_payload(token: str) -> tuple[uuid.UUID, int]:
    value = signing.Signer(salt=MANAGE_SALT).unsign(token)
    if "." not in value:  # a legacy timestamped link ("<hex>:<timestamp>" under the same signature)
        public_hex = signing.TimestampSigner(salt=MANAGE_SALT).unsign(token, max_age=LEGACY_MANAGE_MAX_AGE)
        return uuid.UUID(hex=public_hex), 1
    public_hex, version = value.split(".", 1)
    return uuid.UUID(hex=public_hex), int(version)


def appointment_from_token(token: str, *, now: datetime | None = None) -> Appointment:
    """The appointment a self-service link names, in the state the link was issued for.

    Raises LinkReplaced when the appointment moved or was cancelled after the link was sent, and LinkInvalid when
    the link is tampered with, expired (a day after the visit) or names nothing."""
    try:
        public_id, version = _token_payload(token)
    except (signing.BadSignature, ValueError):
        raise LinkInvalid from None
    appointment = (
        Appointment.objects.select_related("location", "service", "therapist", "patient")
        .filter(public_id=public_id)
        .first()
    )
    now = now or timezone.now()
    if appointment is None or appointment.end + MANAGE_LINK_GRACE < now:
        raise LinkInvalid
    if version != appointment.link_version:
        raise LinkReplaced
    return appointment


# --- Messages owed ---------------------------------------------------------------------------------------------
# Each is called inside the transaction of the change that owes it, so a change that rolls back owes nothing.


def _owe(appointment: Appointment, kind: str, *, due_at: datetime | None = None, again: bool = False) -> None:
    """Owe `kind` once per channel the patient chose.

    `again`: a message already sent (or given up on) goes once more, e.g. a reminder or a "moved" notice after the
    appointment moved a second time (the outbox keeps one row per subject, kind and channel)."""
    for channel in appointment.channels:
        core_services.message_queue(subject=appointment, kind=kind, channel=channel, due_at=due_at, again=again)


def _plan_reminders(appointment: Appointment, *, now: datetime) -> None:
    """Owe each reminder whose time is still ahead, at its offset before the (current) start; cancel the ones whose
    time has passed. Used at booking, at approval and after a move alike."""
    for kind, before in reminder_kinds().items():
        due_at = appointment.start - before
        if appointment.status == Appointment.Status.CONFIRMED and due_at > now:
            core_services.message_reschedule(subject=appointment, kind=kind, due_at=due_at)
            _owe(appointment, kind, due_at=due_at, again=True)
        else:
            core_services.message_cancel(subject=appointment, kinds=[kind])


def _owe_confirmation(appointment: Appointment, *, now: datetime) -> None:
    _owe(appointment, KIND_CONFIRMATION)
    _plan_reminders(appointment, now=now)


owe_confirmation = _owe_confirmation  # for the waiting list's claim (booking/waitlist.py)


def _offer_freed(*, therapist_id: int, location: Location, start: datetime, blocked_until: datetime, now) -> None:
    """A held time was freed: offer it to the waiting list in this same transaction, before the diary version's
    bump (always the last write). Imported here because the waiting list builds on this module."""
    from . import waitlist

    windows = [availability.Interval(start, blocked_until)]
    waitlist.offers_for_freed(therapist_id=therapist_id, location=location, windows=windows, now=now)


# --- Booking -------------------------------------------------------------------------------------------------


def appointment_audit(
    appointment: Appointment, detail: dict, *, actor, request=None, action: str = AuditEvent.Action.APPOINTMENT_CHANGE
) -> None:
    """Every change to an appointment is audited, filed under its patient: by staff (the actor), or by the patient
    through the site or their signed link (no actor). `detail`: ids, states and times only."""
    core_services.audit_record(
        actor=actor, action=action, obj=appointment, patient_id=appointment.patient_id, request=request, detail=detail
    )


def diary_changed() -> None:
    """Free times are cached under the diary version (booking/slot_cache.py): every write to appointments, hours,
    time off, closures, services, therapists or locations bumps it in its own transaction, as its last write."""
    core_services.data_version_bump(name=DataVersion.DIARY)


def lock_therapists(ids: list[int]) -> None:
    # Always in primary-key order, so two bookings that lock overlapping sets cannot deadlock.
    list(Therapist.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _nearest(
    *, location: Location, service: Service, therapist_ids: list[int] | None, wanted: datetime, now, by_staff=False
) -> list:
    zone = location.zone
    day = wanted.astimezone(zone).date()
    window = selectors.local_window(location, day - timedelta(days=1), 4)
    found = selectors.availability_for(
        location=location, service=service, window=window, therapist_ids=therapist_ids, by_staff=by_staff
    )
    return availability.nearest(found.slots(now=now), wanted)


def _check_time(*, location: Location, start: datetime, now: datetime, by_staff: bool = False) -> None:
    if start <= now:
        raise BookingError("That time has already passed. Please choose another time.")
    if by_staff:  # the desk's rules: any future time within the staff horizon
        if start >= now + timedelta(days=max(location.horizon_days, selectors.STAFF_HORIZON_DAYS)):
            raise BookingError(
                f"Bookings open {selectors.STAFF_HORIZON_DAYS} days ahead. Please choose an earlier time."
            )
        return
    if start < now + timedelta(minutes=location.min_notice_minutes):
        hours = location.min_notice_minutes / 60
        raise BookingError(f"Online bookings need at least {hours:g} hours' notice. Please choose a later time.")
    if start >= now + timedelta(days=location.horizon_days):
        raise BookingError(f"Online bookings open {location.horizon_days} days ahead. Please choose an earlier time.")


def _free_therapist(
    *, location, service, therapist_ids, start, now, ignore_appointment_id=None, by_staff=False
) -> int | None:
    """The first of the therapists (in display order) for whom `start` is a free slot, read after the locks."""
    window = availability.Interval(start, start + service.duration)
    found = selectors.availability_for(
        location=location,
        service=service,
        window=window,
        therapist_ids=therapist_ids,
        ignore_appointment_id=ignore_appointment_id,
        by_staff=by_staff,
    )
    for diary in found.diaries:
        if availability.is_free(diary, start, zone=location.zone, rules=found.rules, now=now, closures=found.closures):
            return diary.therapist_id
    return None


OVERRIDE_REASON_MAX_LENGTH = 200


def _check_override(override_reason: str, *, by_staff: bool) -> str:
    reason = override_reason.strip()
    if reason and not by_staff:
        raise BookingError("Only the front desk can book outside working hours.")
    if len(reason) > OVERRIDE_REASON_MAX_LENGTH:
        raise BookingError(f"Please keep the reason under {OVERRIDE_REASON_MAX_LENGTH} characters.")
    return reason


def _therapist_or_override(
    *,
    location,
    service,
    therapist_ids,
    start,
    now,
    by_staff,
    named=False,
    override_reason="",
    ignore_appointment_id=None,
) -> tuple[int, bool]:
    """The therapist who takes `start` and whether the desk's override was needed for it.

    The availability engine decides first (_free_therapist). When it says no, the desk having `named` one therapist
    who offers the service here may still have the time if nothing but their hours, time off or a closure is in the
    way, and only with a reason (OutsideHours without one). Other appointments are never overridden: SlotTaken, and
    the exclusion constraint below it all."""
    chosen = _free_therapist(
        location=location,
        service=service,
        therapist_ids=therapist_ids,
        start=start,
        now=now,
        ignore_appointment_id=ignore_appointment_id,
        by_staff=by_staff,
    )
    if chosen is not None:
        return chosen, False
    if by_staff and named:
        clashes = Appointment.objects.held().filter(therapist_id=therapist_ids[0])
        clashes = clashes.overlapping(start, start + service.duration + service.buffer)
        if ignore_appointment_id is not None:
            clashes = clashes.exclude(pk=ignore_appointment_id)
        offers = selectors.therapists_for(location, service).filter(pk=therapist_ids[0]).exists()
        if offers and not clashes.exists():
            if override_reason:
                return therapist_ids[0], True
            raise OutsideHours(
                "That time is outside the therapist's working hours, in their time off or on a day the clinic is "
                "closed. To book it anyway, tick “Outside working hours” and say why."
            )
    raise SlotTaken(
        _nearest(location=location, service=service, therapist_ids=therapist_ids, wanted=start, now=now,
                 by_staff=by_staff)
    )  # fmt: skip


def _override_detail(overridden: bool, reason: str) -> dict:
    return {"override": "outside_hours", "override_reason": reason} if overridden else {}


def appointment_book(
    *,
    patient: Patient | PatientDetails,
    service: Service,
    location: Location,
    therapist: Therapist | None,
    start: datetime,
    intake: Intake | None = None,
    source: str = Appointment.Source.ONLINE,
    created_by=None,
    submission_key: uuid.UUID | None = None,
    notify_email: bool = True,
    notify_sms: bool = False,
    override_reason: str = "",
    request=None,
    now: datetime | None = None,
) -> Appointment:
    """Book `start` with `therapist` (or any therapist offering the service there when None) for `patient`: a record,
    or the details typed into the form, matched to a record or made one in this same transaction, so a booking that
    fails stores no patient. At the desk the patient's current screening counts unless `intake` is given.

    The confirmation and the reminders are owed in the same transaction, on each channel the patient chose.

    Idempotent per `submission_key`: the same key returns the appointment it already made. Raises SlotTaken with
    the nearest free times when the time is not free (any more), BookingError for times in the past or too soon,
    NeedsIntake / BookingRefused when the screening does not allow it.

    The desk books outside a therapist's working hours, time off or a closure only with `override_reason` (audited
    with it); without one such a time raises OutsideHours."""
    now = now or timezone.now()
    if submission_key is not None:
        existing = Appointment.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if not (notify_email or notify_sms):
        raise BookingError("Please choose how we should send your confirmation: e-mail, SMS or both.")
    by_staff = source == Appointment.Source.DESK
    override_reason = _check_override(override_reason, by_staff=by_staff)
    _check_time(location=location, start=start, now=now, by_staff=by_staff)
    if therapist is not None:
        therapist_ids = [therapist.pk]
    else:
        therapist_ids = list(selectors.therapists_for(location, service).values_list("pk", flat=True))

    with transaction.atomic():
        # The therapists first, then the patient: two bookings for one new person never wait on each other in the
        # opposite order (the patient's unique e-mail and birth date is the second lock).
        lock_therapists(therapist_ids)
        if submission_key is not None:  # a double submit that waited for our lock finds the first one's booking
            existing = Appointment.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing
        if isinstance(patient, PatientDetails):
            patient = patient_match_or_create(details=patient)
        if intake is None and by_staff and service.needs_screening:
            intake = Intake.objects.current_of(patient, at=now)
        status = booking_status(service=service, intake=intake, now=now, patient=patient, by_staff=by_staff)
        if intake is not None and intake.patient_id != patient.pk:
            raise BookingRefused("This screening belongs to someone else.")
        chosen, overridden = _therapist_or_override(
            location=location,
            service=service,
            therapist_ids=therapist_ids,
            start=start,
            now=now,
            by_staff=by_staff,
            named=therapist is not None,
            override_reason=override_reason,
        )
        appointment = Appointment(
            patient=patient,
            therapist_id=chosen,
            location=location,
            service=service,
            intake=intake if service.needs_screening else None,
            start=start,
            end=start + service.duration,
            blocked_until=start + service.duration + service.buffer,
            status=status,
            source=source,
            created_by=created_by if created_by is not None and created_by.is_authenticated else None,
            submission_key=submission_key,
            notify_email=notify_email,
            notify_sms=notify_sms,
            created_at=now,
        )
        appointment.full_clean(validate_constraints=False)  # the constraints are the database's to enforce
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError:
            if submission_key is not None:
                existing = Appointment.objects.filter(submission_key=submission_key).first()
                if existing is not None:
                    return existing
            logger.warning("booking: exclusion constraint refused therapist %s at %s", chosen, start.isoformat())
            raise SlotTaken(
                _nearest(location=location, service=service, therapist_ids=therapist_ids, wanted=start, now=now)
            ) from None
        appointment_audit(
            appointment,
            {
                "status": appointment.status,
                "source": appointment.source,
                "therapist_id": chosen,
                **_override_detail(overridden, override_reason),
            },
            actor=created_by,
            request=request,
            action=AuditEvent.Action.APPOINTMENT_CREATE,
        )
        if appointment.status == Appointment.Status.CONFIRMED:
            # Pending-review bookings get their confirmation and reminders when a therapist approves.
            _owe_confirmation(appointment, now=now)
        else:
            _owe(appointment, KIND_HELD)
        diary_changed()
    logger.info("booking: appointment %s booked (%s)", appointment.pk, appointment.status)
    return appointment


def can_patient_change(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Patients can move or cancel online until the location's cut-off before the start (the model's rule)."""
    return appointment.patient_may_change(now=now or timezone.now())


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    therapist: Therapist | None = None,
    override_reason: str = "",
    actor=None,
    by_patient: bool = True,
    request=None,
    now: datetime | None = None,
) -> Appointment:
    """Move the same appointment to `start`, with the same therapist or (the desk) `therapist` at the same location,
    if that time is free; the desk may move it outside working hours with `override_reason` (see appointment_book).

    The reminders move with it (those now in the past are cancelled) and a confirmed appointment's patient is told
    the new time, with a new calendar file."""
    now = now or timezone.now()
    seen = appointment
    therapist_id = therapist.pk if therapist is not None else appointment.therapist_id
    if by_patient and therapist_id != appointment.therapist_id:
        raise BookingError("Please call the clinic to change your therapist.")
    override_reason = _check_override(override_reason, by_staff=not by_patient)
    with transaction.atomic():
        lock_therapists(sorted({appointment.therapist_id, therapist_id}))
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("location", "service", "therapist", "patient")
            .get(pk=appointment.pk)
        )
        if by_patient:
            _check_link_version(appointment, seen)
        if by_patient and not can_patient_change(appointment, now=now):
            raise TooLateToChange("This appointment can no longer be changed online.")
        why_not = appointment.why_not(Appointment.Action.MOVE, now=now)
        if why_not is not None:
            raise BookingError(why_not)
        if start == appointment.start and therapist_id == appointment.therapist_id:
            return appointment  # "moved" to the time it has: nothing changes, nobody is told
        location, service = appointment.location, appointment.service
        _check_time(location=location, start=start, now=now, by_staff=not by_patient)
        chosen, overridden = _therapist_or_override(
            location=location,
            service=service,
            therapist_ids=[therapist_id],
            start=start,
            now=now,
            by_staff=not by_patient,
            named=True,
            override_reason=override_reason,
            ignore_appointment_id=appointment.pk,
        )
        previous, previous_therapist = appointment.start, appointment.therapist_id
        previous_blocked_until = appointment.blocked_until
        if chosen != previous_therapist:
            appointment.therapist = therapist
        appointment.start = start
        appointment.end = start + service.duration
        appointment.blocked_until = appointment.end + service.buffer
        appointment.link_version += 1  # links sent for the old time now answer "replaced"
        try:
            with transaction.atomic():
                appointment.save(
                    update_fields=["therapist", "start", "end", "blocked_until", "link_version", "updated_at"]
                )
        except IntegrityError:
            raise SlotTaken([]) from None
        _plan_reminders(appointment, now=now)
        if appointment.status == Appointment.Status.CONFIRMED:
            _owe(appointment, KIND_RESCHEDULED, again=True)
        else:  # still held for review: the "holding" message again, with the new time and the new link
            _owe(appointment, KIND_HELD, again=True)
        appointment_audit(
            appointment,
            {
                "change": "reschedule",
                "from": previous.isoformat(),
                "to": start.isoformat(),
                **(
                    {"therapist_from": previous_therapist, "therapist_to": chosen}
                    if chosen != previous_therapist
                    else {}
                ),
                **_override_detail(overridden, override_reason),
            },
            actor=actor,
            request=request,
        )
        _offer_freed(
            therapist_id=previous_therapist, location=location, start=previous, blocked_until=previous_blocked_until,
            now=now,
        )  # fmt: skip
        diary_changed()
    return appointment


def _cancel_messages(appointment: Appointment, *, now: datetime) -> None:
    core_services.message_cancel(subject=appointment)
    if appointment.end > now:  # staff tidying up a past visit owe the patient no notice
        _owe(appointment, KIND_CANCELLATION)


def appointment_cancel(
    *,
    appointment: Appointment,
    reason: str = "",
    actor=None,
    by_patient: bool = True,
    request=None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel: the time is freed at once, the messages still owed are cancelled and the patient is told."""
    now = now or timezone.now()
    with transaction.atomic():
        seen, appointment = (
            appointment,
            (Appointment.objects.select_for_update().select_related("location").get(pk=appointment.pk)),
        )
        if by_patient:
            _check_link_version(appointment, seen)
        if appointment.status == Appointment.Status.CANCELLED:
            return appointment
        if by_patient and not can_patient_change(appointment, now=now):
            raise TooLateToChange("This appointment can no longer be cancelled online.")
        why_not = appointment.why_not(Appointment.Action.CANCEL, now=now)
        if why_not is not None:  # what has happened (checked in, finished, a no show, or past its start) stays
            raise BookingError(why_not)
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = now
        appointment.cancellation_reason = reason[:250]
        appointment.link_version += 1
        appointment.save(update_fields=["status", "cancelled_at", "cancellation_reason", "link_version", "updated_at"])
        _cancel_messages(appointment, now=now)
        appointment_audit(appointment, {"change": "cancel", "by_patient": by_patient}, actor=actor, request=request)
        _offer_freed(
            therapist_id=appointment.therapist_id,
            location=appointment.location,
            start=appointment.start,
            blocked_until=appointment.blocked_until,
            now=now,
        )
        diary_changed()
    return appointment


def appointments_decide_for_intake(*, intake: Intake, decision: str, actor=None) -> list[Appointment]:
    """A therapist decided a needs-review screening: confirm its pending appointments (approved) or cancel them
    (declined). Runs inside the review's transaction. An approval re-checks the diary and never creates an
    overlap: a pending appointment that somehow clashes is cancelled instead of confirmed."""
    if decision not in (Intake.ReviewStatus.APPROVED, Intake.ReviewStatus.DECLINED):
        return []
    changed = []
    with transaction.atomic():
        pending = list(
            selectors.appointments_of_intake_pending(intake.pk).select_for_update().order_by("therapist_id", "pk")
        )
        if pending:
            lock_therapists(sorted({appointment.therapist_id for appointment in pending}))
        for appointment in pending:
            clashes = selectors.held_overlaps(
                therapist_id=appointment.therapist_id,
                start=appointment.start,
                blocked_until=appointment.blocked_until,
                exclude_id=appointment.pk,
            ).exists()
            if decision == Intake.ReviewStatus.APPROVED and not clashes:
                appointment.status = Appointment.Status.CONFIRMED
                appointment.save(update_fields=["status", "updated_at"])
                _owe_confirmation(appointment, now=timezone.now())
            else:
                appointment.status = Appointment.Status.CANCELLED
                appointment.cancelled_at = timezone.now()
                declined = decision == Intake.ReviewStatus.DECLINED
                appointment.cancellation_reason = (
                    "Screening review declined" if declined else "Time no longer free at approval"
                )
                appointment.link_version += 1
                appointment.save(
                    update_fields=["status", "cancelled_at", "cancellation_reason", "link_version", "updated_at"]
                )
                # The notice names no reason: a declined screening is health information.
                _cancel_messages(appointment, now=timezone.now())
                if declined:  # its time is free again: the waiting list's (a clash leaves it taken)
                    _offer_freed(
                        therapist_id=appointment.therapist_id,
                        location=appointment.location,
                        start=appointment.start,
                        blocked_until=appointment.blocked_until,
                        now=timezone.now(),
                    )
            appointment_audit(
                appointment, {"change": "review", "decision": decision, "status": appointment.status}, actor=actor
            )
            changed.append(appointment)
        if changed:
            diary_changed()
    return changed


def appointment_complete(
    *,
    appointment: Appointment,
    actor,
    follow_up_weeks: int | None = None,
    request=None,
    now: datetime | None = None,
) -> Appointment:
    """Finish a checked-in session: completed, with the therapist's follow-up plan (in weeks, or none).

    Owes the aftercare advice shortly after (needling sessions: the advice is about needling) and, with a plan, the
    "book your next session" nudge a few days before the follow-up is due."""
    now = now or timezone.now()
    if follow_up_weeks is not None and not 1 <= follow_up_weeks <= 52:
        raise BookingError("A follow-up plan is between 1 and 52 weeks. Leave it empty for no follow-up.")
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("location", "service", "patient")
            .get(pk=appointment.pk)
        )
        why_not = appointment.why_not(Appointment.Action.FINISH, now=now)
        if why_not is not None:
            raise BookingError(why_not)
        appointment.status = Appointment.Status.COMPLETED
        appointment.completed_at = now
        appointment.follow_up_weeks = follow_up_weeks
        appointment.save(update_fields=["status", "completed_at", "follow_up_weeks", "updated_at"])
        core_services.message_cancel(subject=appointment, kinds=list(reminder_kinds()))
        if appointment.service.needs_screening:
            _owe(appointment, KIND_AFTERCARE, due_at=now + aftercare_delay())
        if follow_up_weeks:
            _owe(appointment, KIND_FOLLOW_UP, due_at=now + timedelta(weeks=follow_up_weeks) - follow_up_lead())
        appointment_audit(
            appointment, {"change": "complete", "follow_up_weeks": follow_up_weeks}, actor=actor, request=request
        )
        diary_changed()
    logger.info("booking: appointment %s completed", appointment.pk)
    return appointment


def service_catalogue_changed() -> None:
    """Call inside the transaction that changed services (length, buffer, where they are offered): free times
    change, and so may the public pages that list them."""
    diary_changed()
    pagecache.public_pages_changed()
