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
