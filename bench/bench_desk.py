"""The desk at the issue's scale (docs/design.md; desk/selectors.py): one location with ten therapists and 200
appointments in a day, a therapist's week, and patient search over 50,000 patients, as a front-desk account limited
to that location (so the search's scope is applied too). Seeds its own location, `bench-desk`; needs nothing else.

Prints median and p95 server time one request at a time for the day grid, the week grid and a misspelt-name search
(goal: p95 under 50 ms each), and requests per second with four clients against /ping and bare Django. The machine
is shared, so it also prints what load does not move much: each page's queries per request and the CPU time the
Django process spends on it (median and p95, in-process, the same pages and user), and the load average."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import baselines, bench_env, ensure_database, gunicorn, manage, measure, report

SEED = r"""
import random
from datetime import datetime, time, timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.conf import settings
from django.utils import timezone
from booking.models import Appointment, Service, Therapist, WorkingHours
from clinic.core.models import Location, StaffProfile
from clinic.core.roles import FRONT_DESK
from intake.models import Intake, Patient

PATIENTS, THERAPISTS, PER_THERAPIST = 50_000, 10, 20
location, _ = Location.objects.update_or_create(slug="bench-desk", defaults=dict(
    name="Bench desk", time_zone="Asia/Kolkata", country="IN", phone="+914412345678", is_active=True))
service, _ = Service.objects.update_or_create(slug="bench-desk-visit", defaults=dict(
    name="Bench desk visit", duration_minutes=30, buffer_after_minutes=0))
service.locations.add(location)
User = get_user_model()
team = []
for n in range(THERAPISTS):
    user, _ = User.objects.get_or_create(username=f"bench-desk-therapist-{n}")
    therapist, _ = Therapist.objects.get_or_create(user=user, defaults={"display_name": f"Desk therapist {n:02}"})
    therapist.locations.add(location)
    therapist.services.add(service)
    if not WorkingHours.objects.filter(therapist=therapist, location=location).exists():
        WorkingHours.objects.bulk_create(WorkingHours(therapist=therapist, location=location, weekday=d,
                                                      start_time=time(7), end_time=time(21)) for d in range(7))
    team.append(therapist)
rng = random.Random(13)
# Names from syllables: about 2,000 first names and 2,000 surnames, so a name is about as rare as in a real clinic's
# list (20 names each would make every fifth patient a "Shah" and every search a scan of thousands of matches).
syllables = ["pri", "ya", "a", "sha", "ra", "vi", "mee", "ar", "jun", "vik", "ram", "ni", "ta", "san", "jay", "ka",
             "vya", "ul", "dee", "pa", "im", "ran", "fa", "ti", "ma", "jo", "hn", "sa", "rah", "wei", "ol", "ga", "to",
             "masz", "chlo", "e", "kwa", "me", "ku", "mar", "ly", "ed", "go", "na", "ri", "lo"]
firsts = sorted({(a + b).capitalize() for a in syllables for b in syllables})[:2000] + ["Priya"]
lasts = sorted({(a + b + "h").capitalize() for a in syllables for b in syllables})[:2000] + ["Shah"]
have = Patient.objects.filter(email__endswith="@bench-desk.test").count()
now = timezone.now()
if have < PATIENTS:
    made = Patient.objects.bulk_create(
        Patient(first_name=rng.choice(firsts), last_name=rng.choice(lasts),
                email=f"p{n}@bench-desk.test", phone=f"+9198{n:08d}",
                date_of_birth=datetime(1950 + n % 50, 1 + n % 12, 1 + n % 28).date())
        for n in range(have, PATIENTS)
    )
    Intake.objects.bulk_create(
        Intake(patient=p, location=location, rule_set_version="1", outcome="cleared", consent_version="1",
               consent_name=p.first_name, consented_at=now, valid_until=now + timedelta(days=183))
        for p in made
    )
day = now.astimezone(location.zone).date() + timedelta(days=1)
Appointment.objects.filter(location=location).delete()
patients = list(Patient.objects.filter(email__endswith="@bench-desk.test").order_by("pk")[:THERAPISTS * PER_THERAPIST])
rows = []
for t, therapist in enumerate(team):
    for n in range(PER_THERAPIST):
        start = timezone.make_aware(datetime.combine(day, time(7)), location.zone) + timedelta(minutes=30 * n)
        rows.append(Appointment(patient=patients[t * PER_THERAPIST + n], therapist=therapist, location=location,
                                service=service, start=start, end=start + timedelta(minutes=30),
                                blocked_until=start + timedelta(minutes=30), status="confirmed"))
Appointment.objects.bulk_create(rows)
from django.db import connection
with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a clinic's database
    cursor.execute("ANALYZE intake_patient; ANALYZE intake_intake; ANALYZE booking_appointment")
user, _ = User.objects.get_or_create(username="bench-desk-front", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name=FRONT_DESK))
StaffProfile.objects.get_or_create(user=user)[0].locations.set([location])
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "desk.auth.StaffBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print("patients:", Patient.objects.filter(email__endswith="@bench-desk.test").count(),
      "appointments that day:", Appointment.objects.filter(location=location).count())
print("SESSION", session.session_key, day.isoformat(), team[0].pk, settings.SESSION_COOKIE_NAME)
"""

# In-process, the same pages as the same user: queries per request and the process's own CPU time per request.
PROBE = r"""
import statistics, sys, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(get_user_model().objects.get(username="bench-desk-front"))
for path in sys.argv[-1].split("|"):
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    times = []
    for _ in range(60):
        began = time.process_time()
        client.get(path)
        times.append((time.process_time() - began) * 1000)
    times.sort()
    # Counted at the context's exit: the next request's start empties the connection's query log.
    count = queries.final_queries - queries.initial_queries
    print(f"PROBE {path} {count} {statistics.median(times):.2f} {times[int(len(times) * 0.95) - 1]:.2f}")
"""


def probe(env: dict, paths: list[str]) -> dict[str, tuple[int, float, float]]:
    found = {}
    output = manage(env, "shell", "-c", PROBE.replace("sys.argv[-1]", repr("|".join(paths))))
    for line in output.splitlines():
        if line.startswith("PROBE "):
            _, path, queries, median, p95 = line.split()
            found[path] = (int(queries), float(median), float(p95))
    return found


DAY = "day grid (10 therapists, 200 appointments)"
BACKGROUND = "X-Background-Refresh"

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    output = manage(env, "shell", "-c", SEED)
    print(output.split("SESSION")[0].strip())
    key, day, therapist, cookie = output.split("SESSION")[1].split()
    headers = {"Cookie": f"{cookie}={key}"}
    pages = {
        DAY: f"/desk/?location=bench-desk&date={day}",
        "week grid (one therapist)": f"/desk/week/?location=bench-desk&therapist={therapist}&date={day}",
        "patient search over 50,000 (misspelt name)": "/desk/patients/?q=Priya+Shaw",
        # A surname thousands share (about 3,300 of the 50,000 are like it): every match is ranked.
        "patient search over 50,000 (common surname)": "/desk/patients/?q=Shah",
    }
    print(f"load average at the start: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    with gunicorn(env) as port:
        print("server time one request at a time (first /ping, for scale):")
        report(measure(port, "/ping", requests=200, concurrency=1))
        timed = {}
        for name, path in pages.items():
            timed[name] = measure(port, path, requests=200, concurrency=1, headers=headers)
            report(timed[name])
        # What every desk asks every 30 seconds: the day's schedule section alone (static/desk/schedule.js).
        refresh = measure(port, pages[DAY], requests=200, concurrency=1, headers=headers | {BACKGROUND: "1"})
        report(refresh)
        ping, bare = baselines({p: measure(port, p, requests=800) for p in ("/ping", "/bare/ping")})
        loaded = measure(port, pages[DAY], requests=400, headers=headers)
        report(loaded, ping, bare=bare)
        for name, figures in timed.items():
            verdict = "within" if figures["p95_ms"] < 50 else "OVER"
            print(f"{name}: median {figures['median_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms ({verdict} 50 ms)")
        refreshed = f"median {refresh['median_ms']:.2f} ms, p95 {refresh['p95_ms']:.2f} ms"
        print(f"the day grid's background refresh (the schedule section alone): {refreshed}")
        print(f"day grid with four clients: {loaded['rps']:.0f} req/s")
    print("in-process, one request at a time: queries per request, the Django process's CPU time per request")
    for name, (queries, median, p95) in probe(env, list(pages.values())).items():
        label = next(label for label, path in pages.items() if path == name)
        print(f"{label}: {queries} queries, CPU median {median:.2f} ms, p95 {p95:.2f} ms")
    print(f"load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
