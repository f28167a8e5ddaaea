"""Shared benchmark harness: serve the app with gunicorn on a free local port and measure URLs against it.

Benchmarks print figures and ratios; they never assert on time. The baseline is /ping, a view that does nothing,
served by the same gunicorn, so the ratio says what our code costs on top of Django and the server.
"""

import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(**extra) -> dict:
    """Production-like settings on this machine's PostgreSQL and Redis (database `clinic_bench`)."""
    env = os.environ.copy()
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "b" * 40)
    # Production refuses local defaults for these; nothing is sent during a benchmark.
    env.setdefault("EMAIL_URL", "smtp://127.0.0.1:1025")
    env.setdefault("DEFAULT_FROM_EMAIL", "bench@clinic.test")
    env.setdefault("SITE_URL", "https://clinic.test")
    env.setdefault("SMS_BACKEND", "clinic.core.sms.HTTPSMSBackend")
    env.setdefault("SMS_API_URL", "http://127.0.0.1:9/sms")
    env.setdefault("SMS_API_TOKEN", "bench")
    env.update(
        {"DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING"}
    )
    env.update(extra)
    return env


def ensure_database(env: dict) -> None:
    """Create the benchmark database if needed and migrate it."""
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    databases = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if name not in databases:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinic.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
            # The project's redacting access log (gunicorn.conf.py) runs as in production, written nowhere.
            "--access-logfile",
            os.devnull,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(port: int, path: str, *, requests: int = 400, concurrency: int = 4) -> dict:
    """Send `requests` GETs from `concurrency` threads; return latencies (ms) and throughput."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = requests // concurrency
    statuses: set[int] = set()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_thread):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.add(response.status)
        conn.close()

    # Warm up: imports, connections, caches.
    for _ in range(2):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        conn.getresponse().read()
        conn.close()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "path": path,
        "statuses": sorted(statuses),
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
    }


def report(result: dict, baseline: dict | None = None) -> None:
    line = (
        f"{result['path']:<40} {result['rps']:8.1f} req/s   median {result['median_ms']:6.2f} ms   "
        f"p95 {result['p95_ms']:6.2f} ms   status {result['statuses']}"
    )
    if baseline:
        line += f"   ratio to baseline {result['rps'] / baseline['rps']:.2f}"
    print(line)
