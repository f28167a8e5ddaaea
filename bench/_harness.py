"""Shared benchmark harness: serve the app with gunicorn on a free local port and measure URLs against it.

Benchmarks print figures and ratios; they never assert on time. The baseline is /ping, a view that does nothing,
served by the same gunicorn with the project's full middleware, so the ratio says what our code costs on top of
Django and the server; /bare/ping is the same view with no middleware at all (bench/wsgi.py), the physical limit.
Load comes from separate client processes (not threads), so the client's own Python does not cap the figures.
"""

import contextlib
import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port(offset: int = 0) -> int:
    """BENCH_PORT + `offset` when BENCH_PORT is set (a shared machine gives each engineer a range), else any free
    port."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"]) + offset
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
            "bench.wsgi:application",
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


def _timed_gets(port: int, path: str, count: int, headers: dict, before=None) -> tuple[list[float], set[int]]:
    """`count` GETs over one connection: each one's latency (ms, `before` not counted) and the statuses seen."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, statuses = [], set()
    for _ in range(count):
        if before is not None:
            before()
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status)
    conn.close()
    return latencies, statuses


def _client(port: int, path: str, count: int, headers: dict, results) -> None:
    results.put(_timed_gets(port, path, count, headers))


def measure(
    port: int, path: str, *, requests: int = 2000, concurrency: int = 4, headers: dict | None = None, before=None
) -> dict:
    """Send `requests` GETs from `concurrency` client processes; return latencies (ms) and throughput.

    `before`, if given, runs before each request (one client only): used to measure with a cold cache."""
    headers = {"Host": "127.0.0.1", **(headers or {})}
    # Warm up: imports, connections, caches.
    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers=headers)
        conn.getresponse().read()
        conn.close()
    if before is not None:
        latencies, statuses = _timed_gets(port, path, requests, headers, before)
        wall = sum(latencies) / 1000  # server time only: the cache-clearing between requests is not counted
    else:
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        per_client = requests // concurrency
        job = (port, path, per_client, headers, results)
        clients = [context.Process(target=_client, args=job) for _ in range(concurrency)]
        began = time.perf_counter()
        for client in clients:
            client.start()
        gathered = [results.get() for _ in clients]
        wall = time.perf_counter() - began
        for client in clients:
            client.join()
        latencies = [ms for chunk, _ in gathered for ms in chunk]
        statuses = set().union(*(found for _, found in gathered))
    return _summary(path, latencies, statuses, wall)


def _summary(path: str, latencies: list[float], statuses: set[int], wall: float) -> dict:
    latencies = sorted(latencies)
    return {
        "path": path,
        "statuses": sorted(statuses),
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "latencies": latencies,
        "wall": wall,
    }


def interleaved(port: int, paths: list[str], *, rounds: int = 3, **kwargs) -> dict[str, dict]:
    """Measure bare Django, /ping and `paths` in turn, `rounds` times over, and add each one's rounds up.

    The machine is shared: load from elsewhere comes and goes within seconds, so a baseline measured once at the
    start would flatter or wrong whatever came after it. Taking turns spreads that noise over every figure alike."""
    order = ["/bare/ping", "/ping", *paths]
    runs: dict[str, list[dict]] = {path: [] for path in order}
    for _ in range(rounds):
        for path in order:
            runs[path].append(measure(port, path, **kwargs))
    return {
        path: _summary(
            path,
            [ms for run in found for ms in run["latencies"]],
            set().union(*(run["statuses"] for run in found)),
            sum(run["wall"] for run in found),
        )
        for path, found in runs.items()
    }


def baselines(results: dict[str, dict]) -> tuple[dict, dict]:
    """/ping (full middleware) and /bare/ping (no middleware) from `interleaved`, printed."""
    ping, bare = results["/ping"], results["/bare/ping"]
    report(bare)
    report(ping, bare, label="bare Django")
    return ping, bare


def report(result: dict, baseline: dict | None = None, *, label: str = "/ping", bare: dict | None = None) -> None:
    line = (
        f"{result['path']:<52} {result['rps']:8.1f} req/s   median {result['median_ms']:6.2f} ms   "
        f"p95 {result['p95_ms']:6.2f} ms   status {result['statuses']}"
    )
    if baseline:
        line += f"   ratio to {label} {result['rps'] / baseline['rps']:.2f}"
    if bare:
        line += f", to bare Django {result['rps'] / bare['rps']:.2f}"
    print(line, flush=True)
