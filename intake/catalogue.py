"""Where the questionnaire's list of services comes from: booking registers a source (intake cannot import it).

from intake.catalogue import ServiceOption, register_service_source
register_service_source(lambda location: [ServiceOption(slug=..., name=..., ...), ...])
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceOption:
    slug: str
    name: str
    needs_screening: bool
    uses_electrical_stimulation: bool


ServiceSource = Callable[[object], list[ServiceOption]]

_sources: list[ServiceSource] = []


def register_service_source(fn: ServiceSource) -> None:
    """Add a source of services: `fn(location: Location | None) -> list[ServiceOption]`. Idempotent per function."""
    if fn not in _sources:
        _sources.append(fn)


def unregister_service_source(fn: ServiceSource) -> None:
    if fn in _sources:
        _sources.remove(fn)


def services_for(location) -> list[ServiceOption]:
    """Services offered at a location (or anywhere, with None), from every registered source, each slug once."""
    seen: dict[str, ServiceOption] = {}
    for source in _sources:
        for option in source(location):
            seen.setdefault(option.slug, option)
    return list(seen.values())


def find_service(slug: str, location=None) -> ServiceOption | None:
    if not slug:
        return None
    return next((option for option in services_for(location) if option.slug == slug), None)


# --- Appointments held for a review ------------------------------------------------------------------------------
# Booking registers where the review page learns which appointments wait for this screening and whether approving
# would put one in the therapist's time off or outside their hours (intake cannot import booking).


@dataclass(frozen=True)
class HeldAppointment:
    when: str  # "Monday 16 June 2025, 10:00 IST"
    location: str
    therapist: str
    clash: str  # "" when approving is fine (or not checked), else why not ("falls in Arjun Menon's time off")
    move_url: str  # where the desk moves it
    location_id: int | None = None


# `fn(intakes, check_clash=...) -> {intake id: [HeldAppointment, ...]}`: one read for any number of intakes; the clash
# check costs queries per appointment, so only the review page of one screening asks for it.
HeldSource = Callable[..., dict[int, list[HeldAppointment]]]
_held_sources: list[HeldSource] = []


def register_held_source(fn: HeldSource) -> None:
    """Add a source of held appointments (see HeldSource). Idempotent per function."""
    if fn not in _held_sources:
        _held_sources.append(fn)


def held_for_many(intakes, *, check_clash: bool = False) -> dict[int, list[HeldAppointment]]:
    """The appointments waiting for each of these screenings' review, soonest first, by intake id."""
    found: dict[int, list[HeldAppointment]] = {}
    for source in _held_sources:
        for intake_id, held in source(intakes, check_clash=check_clash).items():
            found.setdefault(intake_id, []).extend(held)
    return found


def held_for(intake) -> list[HeldAppointment]:
    """One screening's held appointments, each with what approving it would clash with."""
    return held_for_many([intake], check_clash=True).get(intake.pk, [])
