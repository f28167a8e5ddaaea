"""How an appointment's status and screening read on the desk: the words and the badge's colour, in one place for
the pages that hold models (an appointment, a patient) and for the time grids, which read plain values
(desk/selectors.py: GridAppointment). The screening's outcome only: the desk never sees health answers."""

from dataclasses import dataclass

from booking import courses
from booking.models import Appointment
from intake.models import Intake

STATUS_TONES = {
    Appointment.Status.PENDING_REVIEW: "text-bg-warning",
    Appointment.Status.CONFIRMED: "text-bg-primary",
    Appointment.Status.CHECKED_IN: "text-bg-info",
    Appointment.Status.COMPLETED: "text-bg-success",
    Appointment.Status.NO_SHOW: "text-bg-dark",
}


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "text-bg-secondary")


@dataclass(frozen=True)
class Screening:
    tone: str
    badge: str  # "Screening: needs review (pending)"
    sheet: str  # the printed day sheet's column: "Needs review"


def screening(
    outcome: str | None, review_status: str | None, *, needs_screening: bool, runs_out: bool = False
) -> Screening:
    """The badge of an appointment's screening from its intake's outcome and review (None: no intake linked).
    `runs_out`: the screening ends before the session and the patient has not re-confirmed it (booking/courses.py)."""
    if runs_out:
        return Screening("text-bg-warning", "Screening: re-confirm before this session", "Re-confirm")
    if not outcome:
        if needs_screening:
            return Screening("text-bg-danger", "Screening: none on record", "None on record")
        return Screening("text-bg-light border", "No screening needed", "Not needed")
    label = Intake.Outcome(outcome).label
    tone = {Intake.Outcome.CLEARED: "text-bg-success", Intake.Outcome.NEEDS_REVIEW: "text-bg-warning"}
    badge = f"Screening: {label.lower()}"
    if outcome == Intake.Outcome.NEEDS_REVIEW:
        badge += f" ({Intake.ReviewStatus(review_status).label.lower()})"
    return Screening(tone.get(outcome, "text-bg-danger"), badge, label)


def screening_of(appointment: Appointment) -> Screening:
    intake = appointment.intake
    return screening(
        intake.outcome if intake else None,
        intake.review_status if intake else None,
        needs_screening=appointment.service.needs_screening,
        runs_out=intake is not None
        and courses.screening_runs_out(
            valid_until=intake.valid_until, confirmed_at=intake.confirmed_unchanged_at, start=appointment.start
        ),
    )
