"""Celery is wired to the real broker: a task sent through Redis is run by a real worker process."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import kombu.pools
from django.conf import settings
from django.core.cache import cache

from clinic.celery import app
from clinic.core.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


def test_it_runs_a_task_sent_through_redis_in_a_worker_process(monkeypatch):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    # Other tests point this process's app at private brokers and back and close the pools they used, and kombu
    # hands out one pool per broker URL for the whole process. This test is about the worker: it starts from fresh
    # pools.
    kombu.pools.reset()
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "clinic.test_settings"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "-P",
            "solo",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    token = uuid.uuid4().hex
    try:
        ping.apply_async(args=[token], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and cache.get(f"core:ping:{token}") is None:
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.2)
        assert cache.get(f"core:ping:{token}") == "pong"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
