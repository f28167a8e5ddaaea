"""Real servers and processes for failure tests and benchmarks: an SMTP sink, a private Redis, Celery workers.

Everything listens on 127.0.0.1 only and is stopped by its context manager. The machine's shared Redis is never
touched: tests that stop Redis stop their own.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class _SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.sink.lock:
            self.sink.connections += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.sink.refuse:
            return "554 5.7.1 Relay refused by test server"
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        message_id = ""
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip()
                break
            if not line:
                break
        with self.sink.lock:
            self.sink.message_ids.append(message_id)
            self.sink.senders.append(envelope.mail_from)
        return "250 OK"


class SMTPSink:
    """A local SMTP server that counts what it receives by Message-ID and the connections it was sent on (or
    refuses everything, or takes `delay` seconds to accept each message)."""

    def __init__(self, *, refuse: bool = False, delay: float = 0, port: int | None = None):
        self.refuse = refuse
        self.delay = delay
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.senders: list[str] = []  # the envelope's MAIL FROM of each message accepted
        self.connections = 0
        self.port = port or free_port()
        self.controller = Controller(_SinkHandler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self) -> int:
        with self.lock:
            return len(self.message_ids)

    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in Counter(self.message_ids).values() if n > 1)

    def unique(self) -> int:
        with self.lock:
            return len(set(self.message_ids))


class PrivateRedis:
    """A redis-server of our own on a free port, so a test can stop and restart it."""

    def __init__(self, *, port: int | None = None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="clinic-redis-")
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=15, message=f"redis on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def process_env(**overrides) -> dict:
    """Environment for a child Django process on the same (test) database as the caller."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.outbox_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class CeleryProcess:
    """`celery worker` or `celery beat` as a real child process."""

    def __init__(self, kind: str, env: dict, *args: str):
        self.kind, self.env, self.args = kind, env, args
        self.log = tempfile.NamedTemporaryFile(prefix=f"celery-{kind}-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = None

    def start(self):
        extra = ["--schedule", f"{self.log.name}.schedule"] if self.kind == "beat" else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "clinic", self.kind, "-l", "INFO", *extra, *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def kill(self):
        """SIGKILL the whole process group: the worker gets no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def nudge_sweep(broker_url: str) -> None:
    """Send the sweep task through a given broker, as a booking's on-commit nudge would."""
    from clinic.celery import app

    with app.connection_for_write(broker_url) as connection:
        app.send_task("clinic.core.tasks.send_due_messages", connection=connection)
