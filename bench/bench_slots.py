"""Slots API benchmark: one location, 10 therapists, 60 days of hours, 5,000 held appointments.

Prints median and p95 server time and requests per second of /book/api/slots/ for windows that together cover
60 days, as a ratio to /ping and to bare Django on the same gunicorn: warm (from the diary cache) and cold (the
diary version bumped before each request, as any booking does), and the EXPLAIN of the held-appointments query."""

import sys
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import baselines, bench_env, ensure_database, gunicorn, interleaved, manage, measure, report

SEED = r"""
from datetime import date, datetime, time, timedelta, UTC
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from booking.models import Appointment, Service, Therapist, WorkingHours
from booking import selectors
from clinic.core.models import Location
from intake.models import Patient

location, _ = Location.objects.update_or_create(slug="bench-clinic", defaults=dict(
    name="Bench clinic", address="1 Bench Road", city="Bengaluru", phone="+91 80 4567 8900",
    time_zone="Asia/Kolkata", horizon_days=60, min_notice_minutes=120))
service, _ = Service.objects.update_or_create(slug="bench-needling", defaults=dict(
    name="Bench needling", duration_minutes=45, buffer_after_minutes=15))
service.locations.add(location)
User = get_user_model()
team = []
for n in range(10):
    user, _ = User.objects.get_or_create(username=f"bench-therapist-{n}")
    therapist, _ = Therapist.objects.get_or_create(user=user, defaults={"display_name": f"Bench therapist {n}"})
    therapist.locations.add(location)
    therapist.services.add(service)
    if not therapist.working_hours.exists():
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, location=location, weekday=d, start_time=time(8), end_time=time(20))
            for d in range(7)
        )
    team.append(therapist)
Appointment.objects.filter(location=location).delete()
patient = Patient.objects.filter(email="bench@example.com").first() or Patient.objects.create(
    first_name="Bench", last_name="Patient", email="bench@example.com", phone="+91 98765 43210",
    date_of_birth=date(1980, 1, 1))
zone = location.zone
today = timezone.now().astimezone(zone).date()
rows = []
for therapist in team:
    for day in range(1, 61):
        for hour in (8, 9, 10, 12, 13, 15, 16, 17, 18):  # nine a day, gaps at 11, 14 and 19
            start = datetime.combine(today + timedelta(days=day), time(hour), tzinfo=zone).astimezone(UTC)
            rows.append(Appointment(patient=patient, therapist=therapist, location=location, service=service,
                                    start=start, end=start + timedelta(minutes=45),
                                    blocked_until=start + timedelta(minutes=60), status="confirmed"))
Appointment.objects.bulk_create(rows[:5000])
from clinic.core.models import DataVersion
from clinic.core.services import data_version_bump
data_version_bump(name=DataVersion.DIARY)  # written straight to the table, so the cached free times are told here
with connection.cursor() as cursor:
    cursor.execute("ANALYZE booking_appointment")
print("held appointments:", Appointment.objects.held().filter(location=location).count())
ids = [t.pk for t in team]
window = selectors.local_window(location, today + timedelta(days=14), 14)
qs = Appointment.objects.filter(therapist_id__in=ids, status__in=Appointment.HELD, start__lt=window.end,
                                blocked_until__gt=window.start).values_list("therapist_id", "start", "blocked_until")
print(qs.explain(analyze=True))
print("TODAY", today.isoformat())
"""

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    output = manage(env, "shell", "-c", SEED)
    today = output.split("TODAY ")[1].split()[0]
    print(output.split("TODAY")[0].rstrip())
    print()
    from datetime import date, timedelta

    first = date.fromisoformat(today)
    paths = [
        f"/book/api/slots/?service=bench-needling&location=bench-clinic&therapist=any"
        f"&start={(first + timedelta(days=offset)).isoformat()}&days=14"
        for offset in (0, 14, 28, 42, 56)  # 5 windows of up to 14 days: the 60-day horizon
    ]
    database = psycopg2.connect(env["DATABASE_URL"])
    database.autocommit = True

    def bump():
        """What every booking does in its transaction: cached free times are forgotten."""
        with database.cursor() as cursor:
            cursor.execute("UPDATE core_dataversion SET value = value + 1 WHERE name = 'diary'")

    with gunicorn(env) as port:
        # Server time: one request at a time, so queueing behind other requests does not count.
        # Throughput: four clients against the two workers, as a ratio to /ping measured the same way.
        print("cold (diary version bumped before each request), server time one request at a time:")
        cold = [measure(port, path, requests=60, concurrency=1, before=bump) for path in paths]
        for result in cold:
            report(result)
        print("warm (from the diary cache), server time one request at a time (first /ping, for scale):")
        report(measure(port, "/ping", requests=400, concurrency=1))
        timed = [measure(port, path, requests=400, concurrency=1) for path in paths]
        for result in timed:
            report(result)
        print("warm, throughput with four clients:")
        results = interleaved(port, paths, requests=800)
        ping, bare = baselines(results)
        loaded = [results[path] for path in paths]
        for result in loaded:
            report(result, ping, bare=bare)
        rps = sum(r["rps"] for r in loaded) / len(loaded)
        cold_medians = sorted(r["median_ms"] for r in cold)
        print(
            f"slots API over 60 days: warm worst-window p95 {max(r['p95_ms'] for r in timed):.2f} ms (goal < 10 ms), "
            f"mean {rps:.0f} req/s with four clients, ratio to /ping {rps / ping['rps']:.2f} (goal >= 0.5), "
            f"to bare Django {rps / bare['rps']:.2f}; cold median {cold_medians[len(cold_medians) // 2]:.2f} ms, "
            f"worst p95 {max(r['p95_ms'] for r in cold):.2f} ms"
        )
