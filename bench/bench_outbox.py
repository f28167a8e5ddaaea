"""Outbox drain: 10,000 due messages, two Celery worker processes, a local SMTP server.

Prints messages per second and the duplicate count seen at the SMTP server (by Message-ID), and what each message
cost whatever else the machine was doing: the workers' CPU, the SMTP sink's CPU (it runs in this process) and the
database commits, per message, with the load average during the drain.
"""

import os
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import bench_env, ensure_database, free_port  # noqa: E402

COUNT = int(os.environ.get("BENCH_MESSAGES", "10000"))


def main():
    env = bench_env(DJANGO_SETTINGS_MODULE="tests.outbox_settings")
    os.environ.update(env)

    ensure_database(env)
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from clinic.core.models import Location, OutboundMessage
    from tests.outbox_app import kinds
    from tests.support.services import CeleryProcess, PrivateRedis, SMTPSink, nudge_sweep, process_env

    OutboundMessage.objects.all().delete()
    Location.objects.filter(slug__startswith="bench-outbox-").delete()
    locations = Location.objects.bulk_create(
        Location(name=f"Bench {i}", slug=f"bench-outbox-{i}", address="x", city="x", phone="+918045678900")
        for i in range(COUNT)
    )
    content_type = ContentType.objects.get_for_model(Location)
    now = timezone.now()
    OutboundMessage.objects.bulk_create(
        OutboundMessage(content_type=content_type, object_id=str(loc.pk), kind=kinds.KIND, due_at=now)
        for loc in locations
    )
    print(f"{COUNT} due messages queued")

    with PrivateRedis(port=free_port(1)) as redis, SMTPSink(port=free_port(2)) as smtp:
        worker_env = process_env(CELERY_BROKER_URL=redis.url, EMAIL_URL=smtp.url, OUTBOX_BATCH_SIZE="100")
        workers = [CeleryProcess("worker", worker_env, "-P", "solo", "-n", f"w{i}@%h") for i in (1, 2)]
        for worker in workers:
            worker.start()
        time.sleep(3)  # let both workers connect before the clock starts
        commits, polls = _commits(), 0
        cpu, sink_cpu = sum(_cpu(worker.proc.pid) for worker in workers), time.process_time()
        began = time.perf_counter()
        nudge_sweep(redis.url)
        nudge_sweep(redis.url)
        while OutboundMessage.objects.filter(status="sent").count() < COUNT:
            polls += 1
            time.sleep(0.25)
            if time.perf_counter() - began > 900:
                print("gave up after 900 s")
                break
        elapsed = time.perf_counter() - began
        cpu = sum(_cpu(worker.proc.pid) for worker in workers) - cpu
        sink_cpu = time.process_time() - sink_cpu
        load = os.getloadavg()[0]
        for worker in workers:
            worker.stop()
        sent = OutboundMessage.objects.filter(status="sent").count()
        print(
            f"drained {sent} messages in {elapsed:.1f} s: {sent / elapsed:.0f} messages/s with 2 workers "
            f"(load average {load:.2f}); received {smtp.received()} at the SMTP server, {smtp.unique()} unique, "
            f"duplicates {smtp.duplicates()}, over {smtp.connections} connections"
        )
        time.sleep(1)  # the workers' connections report their last statistics as they close
        commits = _commits() - commits - polls - 1
        print(
            f"per message: workers' CPU {cpu * 1000 / sent:.2f} ms, SMTP sink and this process "
            f"{sink_cpu * 1000 / sent:.2f} ms, database commits {commits / sent:.2f}"
        )
    OutboundMessage.objects.all().delete()
    Location.objects.filter(slug__startswith="bench-outbox-").delete()


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _commits() -> int:
    """Transactions committed in this database so far (each autocommit statement is one)."""
    from django.db import connection

    with closing(connection.cursor()) as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
