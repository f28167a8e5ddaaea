"""Reads of the shared core that many pages reuse."""

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection

from .models import DataVersion, Location

LOCATIONS_CACHE_KEY = "core:active-locations:v1"


def active_locations() -> list[Location]:
    """Active locations, cached: every page's footer lists them, and they change rarely (saved -> forgotten)."""
    locations = cache.get(LOCATIONS_CACHE_KEY)
    if locations is None:
        locations = list(Location.objects.active())
        cache.set(LOCATIONS_CACHE_KEY, locations, timeout=3600)
    return locations


def data_version(name: str) -> int:
    """The committed version of the data called `name` (0 before its first change); one indexed read, in plain
    SQL because the slots API asks it on every request.

    Outside a transaction the read is also the connection's health check: Django's own check costs a round trip
    (`SELECT 1`) before the first query of every request, so it is skipped here, and a kept connection found broken
    (the database restarted) is closed and the read tried once more on a new one, which is what the check does."""
    if connection.connection is not None and not connection.in_atomic_block:
        connection.health_check_done = True
        try:
            return _read_version(name)
        except (InterfaceError, OperationalError):
            connection.close()  # a kept connection that no longer works: the read is tried on a new one
    return _read_version(name)


def _read_version(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {DataVersion._meta.db_table} WHERE name = %s", [name])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0
