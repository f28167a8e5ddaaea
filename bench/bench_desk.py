"""The desk's day view (desk/views.py:home) for a signed-in member of staff: one location, ten therapists,
a full day of appointments each, among the 5,000 held appointments of bench_slots. Patient search is not built
yet (it comes with the desk issue that adds it); it joins this benchmark then.

Prints median and p95 server time one request at a time, and requests per second with four clients against /ping
and bare Django on the same gunicorn."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import baselines, bench_env, ensure_database, gunicorn, manage, measure, report

SEED = r"""
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from clinic.core.models import Location
from clinic.core.roles import FRONT_DESK

location = Location.objects.get(slug="bench-clinic")
user, _ = get_user_model().objects.get_or_create(username="bench-desk", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name=FRONT_DESK))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
day = timezone.now().astimezone(location.zone).date() + timedelta(days=1)
print("SESSION", session.session_key, day.isoformat(), settings.SESSION_COOKIE_NAME)
"""

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    # bench_slots seeds the location, therapists and appointments: run_all runs it first.
    key, day, cookie = manage(env, "shell", "-c", SEED).split("SESSION")[1].split()
    path = f"/desk/?location=bench-clinic&date={day}"
    headers = {"Cookie": f"{cookie}={key}"}
    with gunicorn(env) as port:
        print("server time one request at a time (first /ping, for scale):")
        report(measure(port, "/ping", requests=200, concurrency=1))
        timed = measure(port, path, requests=200, concurrency=1, headers=headers)
        report(timed)
        ping, bare = baselines({p: measure(port, p, requests=800) for p in ("/ping", "/bare/ping")})
        loaded = measure(port, path, requests=400, headers=headers)
        report(loaded, ping, bare=bare)
        print(
            f"desk day view (10 therapists, 9 appointments each): median {timed['median_ms']:.2f} ms, "
            f"p95 {timed['p95_ms']:.2f} ms one request at a time; {loaded['rps']:.0f} req/s with four clients"
        )
