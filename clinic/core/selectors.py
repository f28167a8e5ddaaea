"""Reads of the shared core that many pages reuse."""

from django.core.cache import cache

from .models import Location

LOCATIONS_CACHE_KEY = "core:active-locations:v1"


def active_locations() -> list[Location]:
    """Active locations, cached: every page's footer lists them, and they change rarely (saved -> forgotten)."""
    locations = cache.get(LOCATIONS_CACHE_KEY)
    if locations is None:
        locations = list(Location.objects.active())
        cache.set(LOCATIONS_CACHE_KEY, locations, timeout=3600)
    return locations
