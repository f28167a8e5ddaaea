"""Suite-wide fixtures and the guard that PostgreSQL and Redis are really there.

The suite never skips because a service is missing: it stops at once and says what to start.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# CI explores the same examples every run, so a red build is reproducible; locally each run explores new ones.
# `make test-deep` (HYPOTHESIS_PROFILE=deep) runs only the property tests with many more examples, randomized: run it
# before resolving anything that touches availability or the screening rules. Tests that set their own
# max_examples take max(theirs, the profile's), so the deep profile raises them too.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("deep", max_examples=5000, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Playwright's sync API runs an event loop in the test thread; the live-server tests still touch the ORM directly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HOW_TO_START = (
    "Start it, for example with `docker compose up -d db redis`, or on this machine with\n"
    "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
    "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(f"The tests run on PostgreSQL only; DATABASE_URL points at {db['ENGINE']}.", returncode=3)
    host, port = db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)
    if not _reachable(host, port):
        pytest.exit(f"PostgreSQL is not reachable at {host}:{port} (DATABASE_URL).\n{HOW_TO_START}", returncode=3)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        url = urlparse(getattr(settings, name))
        if url.scheme != "redis":
            pytest.exit(f"The tests need {name} to point at Redis, not {url.scheme!r}.", returncode=3)
        if not _reachable(url.hostname, url.port or 6379):
            pytest.exit(
                f"Redis is not reachable at {url.hostname}:{url.port or 6379} ({name}).\n{HOW_TO_START}", returncode=3
            )


def pytest_collection_modifyitems(items):
    """Mark every Hypothesis test `property`, so `make test-deep` can select them (`-m property`)."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (Redis database of its own), so cached pages never leak between tests."""
    from django.core.cache import cache, caches

    from clinic.core import pagecache

    cache.clear()
    caches["local"].clear()
    pagecache.forget_generation()
    return


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the second factor the admin now asks for."""
    from tests.support.auth import staff_login

    staff_login(client, admin_user)
    return client
