"""The waiting list (docs/design.md, "The waiting list"): patients' wishes for a time, and offers of freed times.

When a held time frees up (a cancel, a move, a review declined, time off removed, hours added), the service that
freed it calls `offers_for_freed` inside its own transaction: the waiting wishes that suit the time are taken in the
order they joined, and the first whose service fits gets the time held for it as an appointment in status "offered"
(so the exclusion constraint protects it like any held appointment) for WAITLIST_OFFER_MINUTES, with a message
carrying a signed claim link owed in the outbox. The patient claims it (the appointment is confirmed) or declines
it; an offer nobody claimed is found by the beat-driven sweep (`offers_expire`), and then, as after a decline, the
hold is removed and the time goes to the next wish. No ETA task anywhere: the database is the record.

Matching runs a fixed number of queries however many wishes wait: one for the candidates (the oldest that suit by
their own columns, read through an index on waiting wishes by location and joining time, then checked against other
tables), and the availability engine's reads once per service among them.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from clinic.core import services as core_services
from clinic.core.models import AuditEvent, Location
from intake.models import Intake, Patient
from intake.services import PatientDetails, patient_match_or_create

from . import availability, selectors, services
from .availability import Interval
from .models import (
    ALL_PARTS,
    ALL_WEEKDAYS,
    DAY_PARTS,
    Appointment,
    Service,
    ServiceOffering,
    Therapist,
    TimeOff,
    WaitlistOffer,
    WaitlistWish,
    WorkingHours,
    weekday_bit,
)

logger = logging.getLogger(__name__)

KIND_OFFER = "booking.waitlist_offer"
OFFER_SALT = "booking.waitlist_offer"
# How many waiting wishes one freed time looks at, oldest first: the first few whose service fits take its times.
CANDIDATES = 25
# How many of the oldest wishes that suit a freed time by their dates, days and parts of the day are checked further
# (screening, offers before, the patient's other appointments): past that many the time waits for the sweep's next.
SUITING = 500

Status = WaitlistOffer.Status


class WaitlistError(services.BookingError):
    """Something the person can read and act on."""


class OfferGone(WaitlistError):
    """The offer is no longer open: claimed by someone else, declined, expired or withdrawn. The wish stays."""

    def __init__(self):
        super().__init__(
            "Sorry, this time is no longer held for you: the offer ended and the time has gone to the next person on "
            "the waiting list. You are still on the list, and we will write again when another time frees up."
        )


def offer_hold() -> timedelta:
    return timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)


# --- The claim link --------------------------------------------------------------------------------------------


def offer_token(offer: WaitlistOffer) -> str:
    """The claim link's token: a signature of the offer's opaque id, nothing else (no name, no health detail)."""
    return signing.Signer(salt=OFFER_SALT).sign(offer.public_id.hex)


def offer_from_token(token: str) -> WaitlistOffer | None:
    """The offer a claim link names, or None for a tampered, cut or unknown link."""
    try:
        public_hex = signing.Signer(salt=OFFER_SALT).unsign(token)
        return (
            WaitlistOffer.objects.select_related("location", "service", "therapist", "wish")
            .filter(public_id=public_hex)
            .first()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None


# --- Joining the list ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """What a wish asks for, as a form gives it."""

    location: Location
    service: Service
    therapist: Therapist | None
    parts_of_day: int
    weekdays: int
    first_day: date
    last_day: date


def _check_wanted(wanted: Wanted, *, today: date, by_staff: bool) -> None:
    if not selectors.locations_offering(wanted.service).filter(pk=wanted.location.pk).exists():
        raise WaitlistError(f"{wanted.service.name} is not offered at {wanted.location.name}.")
    if wanted.therapist is not None and not (
        selectors.therapists_for(wanted.location, wanted.service).filter(pk=wanted.therapist.pk).exists()
    ):
        raise WaitlistError(f"{wanted.therapist} does not offer {wanted.service.name} at {wanted.location.name}.")
    if not 1 <= wanted.parts_of_day <= ALL_PARTS:
        raise WaitlistError("Please choose at least one part of the day.")
    if not 1 <= wanted.weekdays <= ALL_WEEKDAYS:
        raise WaitlistError("Please choose at least one day of the week.")
    horizon = wanted.location.horizon_days
    if by_staff:
        horizon = max(horizon, selectors.STAFF_HORIZON_DAYS)
    if wanted.first_day < today:
        raise WaitlistError("The first day has passed. Please choose today or a later day.")
    if wanted.last_day < wanted.first_day:
        raise WaitlistError("The last day is before the first day. Please swap them.")
    if wanted.last_day > today + timedelta(days=horizon):
        raise WaitlistError(f"We book up to {horizon} days ahead. Please choose an earlier last day.")


def wish_add(
    *,
    patient: Patient | PatientDetails,
    wanted: Wanted,
    notify_email: bool = True,
    notify_sms: bool = False,
    intake: Intake | None = None,
    created_by=None,
    request=None,
    now: datetime | None = None,
) -> WaitlistWish:
    """Put a patient on the waiting list (online, or the desk for a caller when `created_by` is staff).

    For a needling service the patient must be cleared or approved by their screening (docs/clinical.md): a time
    offered from the list is booked confirmed, never held for review. The same wish twice (a double submit) returns
    the one already waiting. Raises NeedsIntake, BookingRefused or WaitlistError with words for the person."""
    now = now or timezone.now()
    by_staff = created_by is not None and created_by.is_authenticated
    if not (notify_email or notify_sms):
        raise WaitlistError("Please choose how we should tell you about a time: e-mail, SMS or both.")
    _check_wanted(wanted, today=now.astimezone(wanted.location.zone).date(), by_staff=by_staff)
    with transaction.atomic():
        if isinstance(patient, PatientDetails):
            patient = patient_match_or_create(details=patient)
        if wanted.service.needs_screening:
            if intake is None or intake.patient_id != patient.pk:
                intake = Intake.objects.current_of(patient, at=now)
            status = services.booking_status(
                service=wanted.service, intake=intake, now=now, patient=patient, by_staff=by_staff
            )
            if status != Appointment.Status.CONFIRMED:
                raise services.BookingRefused(
                    "A therapist needs to approve the screening before we can offer a needling time from the waiting "
                    "list. We will write when they have; you can choose a time then."
                )
        fields = {
            "patient": patient,
            "location": wanted.location,
            "service": wanted.service,
            "therapist": wanted.therapist,
            "parts_of_day": wanted.parts_of_day,
            "weekdays": wanted.weekdays,
            "first_day": wanted.first_day,
            "last_day": wanted.last_day,
        }
        existing = WaitlistWish.objects.waiting().filter(**fields).first()
        if existing is not None:
            return existing
        wish = WaitlistWish(
            **fields,
            notify_email=notify_email,
            notify_sms=notify_sms,
            source="desk" if by_staff else "online",
            created_by=created_by if by_staff else None,
            created_at=now,
        )
        wish.full_clean()
        wish.save()
        detail = {"location_id": wanted.location.pk, "service_id": wanted.service.pk}
        _audit_wish(wish, "waitlist_join", actor=created_by, request=request, **detail)
    return wish


def _audit_wish(wish: WaitlistWish, change: str, *, actor, request=None, **detail) -> None:
    """Joining and leaving the list are audited under the patient, with ids only."""
    action = (
        AuditEvent.Action.APPOINTMENT_CREATE if change == "waitlist_join" else AuditEvent.Action.APPOINTMENT_CHANGE
    )
    core_services.audit_record(
        actor=actor,
        action=action,
        obj=wish,
        patient_id=wish.patient_id,
        request=request,
        detail={"change": change, **detail},
    )


@transaction.atomic
def wish_withdraw(*, wish: WaitlistWish, actor=None, request=None, now: datetime | None = None) -> WaitlistWish:
    """Take a wish off the list; an open offer of it lapses and its time goes to the next wish."""
    now = now or timezone.now()
    wish = WaitlistWish.objects.select_for_update().get(pk=wish.pk)
    if wish.status != WaitlistWish.Status.WAITING:
        return wish
    wish.status = WaitlistWish.Status.WITHDRAWN
    wish.save(update_fields=["status"])
    for offer in WaitlistOffer.objects.select_for_update().filter(wish=wish, status=Status.OPEN):
        _lapse(offer, Status.WITHDRAWN, now=now)
    _audit_wish(wish, "waitlist_leave", actor=actor, request=request)
    return wish


# --- Matching a freed time -------------------------------------------------------------------------------------


def _masks(windows: list[Interval], zone) -> tuple[int, int, date, date]:
    """The weekdays and parts of the day the windows touch (bits), and their first and last local dates."""
    weekdays = parts = 0
    days = []
    for window in windows:
        local_start, local_end = window.start.astimezone(zone), (window.end - timedelta(seconds=1)).astimezone(zone)
        for day in availability.local_dates(window, zone):
            weekdays |= weekday_bit(day)
            days.append(day)
        if local_end.date() != local_start.date():
            parts = ALL_PARTS
        else:
            for bit, _, low, high in DAY_PARTS:
                if low <= local_end.hour and local_start.hour < high:
                    parts |= bit
    return weekdays, parts, min(days), max(days)


def candidates(*, therapist_id: int, location: Location, windows: list[Interval], now: datetime):
    """Waiting wishes that may take a time of `therapist_id` in `windows` at `location`, oldest first: one query.

    In SQL: the location, a service the therapist gives there, the therapist or anyone, the dates, weekdays and parts
    of the day the windows touch, no open offer already and never this time before, and, for a needling service, a
    valid screening that cleared the patient or that a therapist approved (docs/clinical.md). Each slot is checked
    exactly against the wish afterwards (WaitlistWish.wants)."""
    weekdays, parts, first, last = _masks(windows, location.zone)
    hull = Interval(min(w.start for w in windows), max(w.end for w in windows))
    latest_intake = Intake.objects.valid(at=now).filter(patient=OuterRef("patient")).order_by("-submitted_at", "-pk")
    screened = Intake.objects.filter(pk=OuterRef("intake_id")).filter(
        Q(outcome=Intake.Outcome.CLEARED)
        | Q(outcome=Intake.Outcome.NEEDS_REVIEW, review_status=Intake.ReviewStatus.APPROVED)
    )
    offered_before = WaitlistOffer.objects.filter(wish=OuterRef("pk")).filter(
        Q(status=Status.OPEN) | Q(therapist_id=therapist_id, start__gte=hull.start, start__lt=hull.end)
    )
    gives = Therapist.services.through.objects.filter(therapist_id=therapist_id).values("service_id")
    offered_here = ServiceOffering.objects.filter(location=location).values("service_id")
    busy_patient = Appointment.objects.held().filter(
        patient=OuterRef("patient"), start__lt=hull.end, blocked_until__gt=hull.start
    )
    # First the oldest wishes that suit by their own columns (the index on waiting wishes by location and joining
    # time), then the checks that look at other tables on those only: a few hundred probes, not one per wish.
    suiting = (
        WaitlistWish.objects.waiting()
        .filter(location=location, service_id__in=Subquery(gives), first_day__lte=last, last_day__gte=first)
        .filter(Q(therapist__isnull=True) | Q(therapist_id=therapist_id))
        .annotate(weekday_hit=F("weekdays").bitand(weekdays), part_hit=F("parts_of_day").bitand(parts))
        .filter(weekday_hit__gt=0, part_hit__gt=0)
        .order_by("created_at", "pk")
        .values("pk")[:SUITING]
    )
    return (
        WaitlistWish.objects.filter(pk__in=Subquery(suiting))
        .filter(service_id__in=Subquery(offered_here), service__is_active=True)
        .annotate(intake_id=Subquery(latest_intake.values("pk")[:1]))
        .filter(
            Q(service__needs_screening=False)
            | (
                Exists(screened)
                & (Q(service__uses_electrical_stimulation=False) | Exists(screened.filter(service_uses_estim=True)))
            )
        )
        .exclude(Exists(offered_before))
        .exclude(Exists(busy_patient))
        .exclude(Exists(Patient.objects.filter(pk=OuterRef("patient"), erased_at__isnull=False)))
        .select_related("service", "location")
        .order_by("created_at", "pk")[:CANDIDATES]
    )


def _slots_by_service(*, therapist_id, location, windows, service, now) -> list[availability.Slot]:
    """The therapist's free times for `service` inside the windows (the online rules: notice and horizon)."""
    hull = Interval(min(w.start for w in windows), max(w.end for w in windows))
    found = selectors.availability_for(location=location, service=service, window=hull, therapist_ids=[therapist_id])
    return [slot for slot in found.slots(now=now) if any(w.contains(Interval(slot.start, slot.end)) for w in windows)]


def offers_for_freed(
    *, therapist_id: int, windows: list[Interval], location: Location | None = None, now: datetime | None = None
) -> list[WaitlistOffer]:
    """Offer the free times of `therapist_id` inside `windows` (just freed) to the waiting list: each to the oldest
    suiting wish whose service fits, one open offer per wish. Call inside the transaction of the write that freed
    them; with no location, at each of the therapist's locations. Returns the offers made."""
    now = now or timezone.now()
    windows = [w for w in windows if w.end > now]
    if not windows:
        return []
    locations = [location] if location is not None else list(Location.objects.filter(therapists=therapist_id))
    made = []
    for place in locations:
        made += _offer_at(therapist_id=therapist_id, location=place, windows=windows, now=now)
    return made


def _offer_at(*, therapist_id, location, windows, now) -> list[WaitlistOffer]:
    wishes = list(candidates(therapist_id=therapist_id, location=location, windows=windows, now=now))
    if not wishes:
        return []
    slots: dict[int, list[availability.Slot]] = {}
    taken: list[Interval] = []
    made = []
    for wish in wishes:
        service = wish.service
        if service.pk not in slots:
            slots[service.pk] = _slots_by_service(
                therapist_id=therapist_id, location=location, windows=windows, service=service, now=now
            )
        for slot in slots[service.pk]:
            needed = Interval(slot.start, slot.end + service.buffer)
            if not wish.wants(slot.start) or any(needed.overlaps(busy) for busy in taken):
                continue
            offer = _hold_for(wish, therapist_id=therapist_id, start=slot.start, now=now)
            if offer is not None:
                made.append(offer)
                taken.append(needed)
            break
    return made


def _hold_for(wish: WaitlistWish, *, therapist_id: int, start: datetime, now: datetime, offered_by=None):
    """Hold `start` for `wish` (an appointment "offered") and owe the offer message; None if the time was taken in
    the meantime (the exclusion constraint refused the hold: someone booked it, which fills it anyway)."""
    service = wish.service
    hold = Appointment(
        patient_id=wish.patient_id,
        therapist_id=therapist_id,
        location=wish.location,
        service=service,
        intake_id=getattr(wish, "intake_id", None) if service.needs_screening else None,
        start=start,
        end=start + service.duration,
        blocked_until=start + service.duration + service.buffer,
        status=Appointment.Status.OFFERED,
        source=Appointment.Source.DESK if offered_by is not None else Appointment.Source.ONLINE,
        created_by=offered_by,
        notify_email=wish.notify_email,
        notify_sms=wish.notify_sms,
        created_at=now,
    )
    try:
        with transaction.atomic():
            hold.save()
            offer = WaitlistOffer.objects.create(
                wish=wish,
                appointment=hold,
                therapist_id=therapist_id,
                location=wish.location,
                service=service,
                start=start,
                blocked_until=hold.blocked_until,
                offered_at=now,
                expires_at=now + offer_hold(),
                offered_by=offered_by,
            )
    except IntegrityError:
        logger.info("waitlist: time %s of therapist %s was taken before it could be offered", start, therapist_id)
        return None
    for channel in wish.channels:
        core_services.message_queue(subject=offer, kind=KIND_OFFER, channel=channel)
    services.appointment_audit(
        hold,
        {"change": "waitlist_offer", "offer_id": offer.pk, "wish_id": wish.pk, "by_hand": offered_by is not None},
        actor=offered_by,
        action=AuditEvent.Action.APPOINTMENT_CREATE,
    )
    return offer


def offer_by_hand(
    *, wish: WaitlistWish, therapist: Therapist, start: datetime, actor, request=None, now: datetime | None = None
) -> WaitlistOffer:
    """The desk offers a time it chose to a wish (a caller it knows would take it): the same hold, message and
    expiry as an offer the list made. The time must be one of the therapist's free times for the wish's service."""
    now = now or timezone.now()
    with transaction.atomic():
        wish = (
            WaitlistWish.objects.select_for_update(of=("self",))
            .select_related("service", "location", "patient")
            .get(pk=wish.pk)
        )
        if wish.status != WaitlistWish.Status.WAITING:
            raise WaitlistError("This patient is no longer waiting: they booked or left the list.")
        if WaitlistOffer.objects.filter(wish=wish, status=Status.OPEN).exists():
            raise WaitlistError("This patient already has a time offered. Wait for their answer or its expiry.")
        if not selectors.therapists_for(wish.location, wish.service).filter(pk=therapist.pk).exists():
            raise WaitlistError(f"{therapist} does not offer {wish.service.name} at {wish.location.name}.")
        if start <= now:
            raise WaitlistError("That time has already passed. Please choose another time.")
        found = selectors.availability_for(
            location=wish.location,
            service=wish.service,
            window=Interval(start, start + wish.service.duration),
            therapist_ids=[therapist.pk],
            by_staff=True,
        )
        if not any(slot.start == start for slot in found.slots(now=now)):
            raise services.SlotTaken([], "That time is not free for this therapist. Please choose another time.")
        if WaitlistOffer.objects.filter(wish=wish, therapist=therapist, start=start).exists():
            raise WaitlistError("This time was offered to this patient before. Please choose another time.")
        intake = Intake.objects.current_of(wish.patient, at=now) if wish.service.needs_screening else None
        if wish.service.needs_screening:
            status = services.booking_status(
                service=wish.service, intake=intake, now=now, patient=wish.patient, by_staff=True
            )
            if status != Appointment.Status.CONFIRMED:
                raise services.BookingRefused(
                    f"{wish.patient.full_name}'s screening waits for a therapist's approval, so a needling time "
                    "cannot be offered yet."
                )
        wish.intake_id = intake.pk if intake is not None else None
        offer = _hold_for(wish, therapist_id=therapist.pk, start=start, now=now, offered_by=actor)
        if offer is None:
            raise services.SlotTaken([], "That time was just taken. Please choose another time.")
        services.diary_changed()
    return offer


# --- Claim, decline, expiry -------------------------------------------------------------------------------------


def _lapse(offer: WaitlistOffer, status: str, *, now: datetime) -> None:
    """End an open offer (locked by the caller): remove its hold, take back its message, and offer the time to the
    next wish in the same transaction."""
    hold = offer.appointment_id
    offer.status, offer.decided_at, offer.appointment = status, now, None
    offer.save(update_fields=["status", "decided_at", "appointment"])
    if hold is not None:
        Appointment.objects.filter(pk=hold, status=Appointment.Status.OFFERED).delete()
    core_services.message_cancel(subject=offer)
    core_services.audit_record(
        actor=None,
        action=AuditEvent.Action.APPOINTMENT_CHANGE,
        obj=offer,
        patient_id=offer.wish.patient_id,
        detail={"change": f"waitlist_offer_{status}", "appointment_id": hold, "wish_id": offer.wish_id},
    )
    offers_for_freed(
        therapist_id=offer.therapist_id,
        location=offer.location,
        windows=[Interval(offer.start, offer.blocked_until)],
        now=now,
    )
    services.diary_changed()


def _locked_offer(offer: WaitlistOffer) -> WaitlistOffer:
    return (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("location", "service", "therapist", "wish")
        .get(pk=offer.pk)
    )


def offer_claim(*, offer: WaitlistOffer, request=None, now: datetime | None = None) -> Appointment:
    """The patient takes the time offered: the hold becomes their confirmed appointment (confirmation and
    reminders owed as for any booking) and their wish is done.

    Raises OfferGone when the offer is no longer open (another claim, a decline, the sweep, or its time ran out:
    then it lapses here and the time goes to the next wish); the wish stays on the list either way."""
    now = now or timezone.now()
    gone = False
    with transaction.atomic():
        locked = _locked_offer(offer)
        if locked.status == Status.CLAIMED and locked.appointment_id is not None:
            return Appointment.objects.get(pk=locked.appointment_id)  # a double click: the booking it made
        if locked.status != Status.OPEN:
            raise OfferGone
        hold = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("location", "service", "therapist", "patient")
            .filter(pk=locked.appointment_id, status=Appointment.Status.OFFERED)
            .first()
        )
        if locked.expires_at <= now or hold is None:  # ran out, or its hold went (the patient's record was erased)
            _lapse(locked, Status.EXPIRED if locked.expires_at <= now else Status.WITHDRAWN, now=now)
            gone = True
        else:
            appointment = _confirm_hold(locked, hold, request=request, now=now)
    if gone:
        raise OfferGone
    return appointment


def _confirm_hold(offer: WaitlistOffer, appointment: Appointment, *, request, now) -> Appointment:
    """The hold (locked) becomes the patient's confirmed appointment, if their screening still allows it."""
    intake = None
    if appointment.service.needs_screening:
        intake = Intake.objects.current_of(appointment.patient, at=now)
        ok = intake is not None and intake.is_valid_at(now)
        if not ok or services.booking_status(service=appointment.service, intake=intake, now=now) != (
            Appointment.Status.CONFIRMED
        ):
            raise services.NeedsIntake("Please answer the screening questions again before booking this time.")
    appointment.status = Appointment.Status.CONFIRMED
    appointment.intake = intake
    appointment.save(update_fields=["status", "intake", "updated_at"])
    offer.status, offer.decided_at = Status.CLAIMED, now
    offer.save(update_fields=["status", "decided_at"])
    WaitlistWish.objects.filter(pk=offer.wish_id).update(status=WaitlistWish.Status.BOOKED)
    core_services.message_cancel(subject=offer)
    services.owe_confirmation(appointment, now=now)
    services.appointment_audit(
        appointment, {"change": "waitlist_claim", "offer_id": offer.pk}, actor=None, request=request
    )
    return appointment


@transaction.atomic
def offer_decline(*, offer: WaitlistOffer, now: datetime | None = None) -> WaitlistOffer:
    """The patient does not want this time: it goes to the next wish; theirs stays on the list."""
    now = now or timezone.now()
    locked = _locked_offer(offer)
    if locked.status == Status.OPEN:
        _lapse(locked, Status.DECLINED if locked.expires_at > now else Status.EXPIRED, now=now)
    return locked


def offers_expire(*, now: datetime | None = None, limit: int = 200) -> int:
    """The sweep (beat, every minute): open offers whose time ran out lapse and their times go to the next wishes.
    Each in its own transaction, rows a claim holds skipped (SKIP LOCKED), so a claim and the sweep never both win.
    Returns how many lapsed."""
    now = now or timezone.now()
    lapsed = 0
    due = list(
        WaitlistOffer.objects.filter(status=Status.OPEN, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        with transaction.atomic():
            offer = (
                WaitlistOffer.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("location", "service", "therapist", "wish")
                .filter(pk=pk, status=Status.OPEN, expires_at__lte=now)
                .first()
            )
            if offer is None:
                continue
            _lapse(offer, Status.EXPIRED, now=now)
            lapsed += 1
    return lapsed


def offers_for_lifted_time_off(time_off: TimeOff) -> list[WaitlistOffer]:
    """`time_off` (as it was stored) was removed or changed: offer the free times inside the span it blocked, which
    are what it no longer blocks, at each of the therapist's locations."""
    return offers_for_freed(therapist_id=time_off.therapist_id, windows=[Interval(time_off.start, time_off.end)])


def offers_for_reopened(*, location: Location, first_day: date, last_day: date) -> list[WaitlistOffer]:
    """Local days a closure of `location` no longer covers (removed, shortened or moved): offer each of its
    therapists' free times on them to the list."""
    zone = location.zone
    window = Interval(availability.local_day(first_day, zone).start, availability.local_day(last_day, zone).end)
    therapist_ids = (
        WorkingHours.objects.filter(location=location).order_by("therapist_id").values_list("therapist_id", flat=True)
    )
    made = []
    for therapist_id in dict.fromkeys(therapist_ids):
        made += offers_for_freed(therapist_id=therapist_id, windows=[window], location=location)
    return made


def offers_for_hours(*, hours) -> list[WaitlistOffer]:
    """New (or changed) working hours: offer their free times from now to the location's horizon to the list."""
    now = timezone.now()
    location = hours.location
    zone = location.zone
    today = now.astimezone(zone).date()
    windows = []
    for n in range(location.horizon_days + 1):
        day = today + timedelta(days=n)
        if day.weekday() == hours.weekday:
            start = availability.wall_clock_instant(day, hours.start_time, zone)
            end = availability.wall_clock_instant(day, hours.end_time, zone)
            if end > start:
                windows.append(Interval(start, end))
    if not windows:
        return []
    return offers_for_freed(therapist_id=hours.therapist_id, location=location, windows=windows, now=now)
