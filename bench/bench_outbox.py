"""Outbox drain: 10,000 due messages, two Celery worker processes, a local SMTP server.

Prints messages per second and the duplicate count seen at the SMTP server (by Message-ID).
"""

import os
import sys
import time
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
        began = time.perf_counter()
        nudge_sweep(redis.url)
        nudge_sweep(redis.url)
        while OutboundMessage.objects.filter(status="sent").count() < COUNT:
            time.sleep(0.25)
            if time.perf_counter() - began > 900:
                print("gave up after 900 s")
                break
        elapsed = time.perf_counter() - began
        for worker in workers:
            worker.stop()
        sent = OutboundMessage.objects.filter(status="sent").count()
        print(
            f"drained {sent} messages in {elapsed:.1f} s: {sent / elapsed:.0f} messages/s with 2 workers; "
            f"received {smtp.received()} at the SMTP server, {smtp.unique()} unique, duplicates {smtp.duplicates()}"
        )
    OutboundMessage.objects.all().delete()
    Location.objects.filter(slug__startswith="bench-outbox-").delete()


if __name__ == "__main__":
    main()
