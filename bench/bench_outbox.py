"""Outbox drain: 10,000 due messages, two Celery worker processes, a local SMTP server.

Prints messages per second and the duplicate count seen at the SMTP server (by Message-ID), and what each message
cost whatever else the machine was doing: the workers' CPU, the CPU of the workers' PostgreSQL backends, the SMTP
sink's CPU (a lean server in this process, bench/smtp_sink.py) and the database commits, per message, with the load
average during the drain. The three CPU figures add up to what one message costs the machine, so they say whether
a rate holds on a quiet machine: 300 messages/s on two cores needs less than about 6.7 ms in all.
"""

import os
import sys
import time
from contextlib import closing, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import bench_env, ensure_database, free_port  # noqa: E402
from bench.smtp_sink import LeanSMTPSink  # noqa: E402

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
    from tests.support.services import CeleryProcess, PrivateRedis, nudge_sweep, process_env

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

    with PrivateRedis(port=free_port(1)) as redis, LeanSMTPSink(port=free_port(2)) as smtp:
        worker_env = process_env(CELERY_BROKER_URL=redis.url, EMAIL_URL=smtp.url, OUTBOX_BATCH_SIZE="100")
        workers = [CeleryProcess("worker", worker_env, "-P", "solo", "-n", f"w{i}@%h") for i in (1, 2)]
        for worker in workers:
            worker.start()
        time.sleep(3)  # let both workers connect before the clock starts
        commits, polls = _commits(), 0
        cpu, sink_cpu = sum(_cpu(worker.proc.pid) for worker in workers), time.process_time()
        backends = _Backends()
        began = time.perf_counter()
        nudge_sweep(redis.url)
        nudge_sweep(redis.url)
        while backends.poll() < COUNT:
            polls += 1
            time.sleep(0.25)
            if time.perf_counter() - began > 900:
                print("gave up after 900 s")
                break
        elapsed = time.perf_counter() - began
        cpu = sum(_cpu(worker.proc.pid) for worker in workers) - cpu
        database_cpu = backends.cpu()
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
        commits = _commits() - commits - polls - 3  # less the polls, the first and last ones and the count
        print(
            f"per message: workers' CPU {cpu * 1000 / sent:.2f} ms, their PostgreSQL backends "
            f"{database_cpu * 1000 / sent:.2f} ms, SMTP sink and this process {sink_cpu * 1000 / sent:.2f} ms "
            f"(in all {(cpu + database_cpu + sink_cpu) * 1000 / sent:.2f} ms), database commits {commits / sent:.2f}"
        )
    OutboundMessage.objects.all().delete()
    Location.objects.filter(slug__startswith="bench-outbox-").delete()


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Backends:
    """The CPU used by the other PostgreSQL backends of this database (the workers') since it was created: each
    poll also reads the count of messages sent, in the same statement, so polling adds one commit as before."""

    def __init__(self):
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.poll()
        self.first = dict(self.last)  # backends that start later count from zero

    def poll(self) -> int:
        from django.db import connection

        with closing(connection.cursor()) as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM core_outboundmessage WHERE status = 'sent'),"
                " array(SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid())"
            )
            sent, pids = cursor.fetchone()
        for pid in pids:
            with suppress(FileNotFoundError, ProcessLookupError):  # the backend ended meanwhile
                self.last[pid] = _cpu(pid)
        return sent

    def cpu(self) -> float:
        self.poll()
        return sum(used - self.first.get(pid, 0.0) for pid, used in self.last.items())


def _commits() -> int:
    """Transactions committed in this database so far (each autocommit statement is one)."""
    from django.db import connection

    with closing(connection.cursor()) as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
