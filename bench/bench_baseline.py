"""Baseline: bare Django (no middleware) and /ping (full middleware) on the same gunicorn, as requests per second."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import baselines, bench_env, ensure_database, gunicorn, interleaved

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    with gunicorn(env) as port:
        baselines(interleaved(port, []))
