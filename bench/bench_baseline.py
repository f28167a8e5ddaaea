"""Baseline: the trivial view and the home page on the same gunicorn, as requests per second."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import bench_env, ensure_database, gunicorn, measure, report

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    with gunicorn(env) as port:
        baseline = measure(port, "/ping")
        report(baseline)
        report(measure(port, "/"), baseline)
