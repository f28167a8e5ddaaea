"""Education pages against the trivial view on the same gunicorn, as requests per second (content loaded first)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import bench_env, ensure_database, gunicorn, manage, measure, report

PAGES = [
    "/learn/plantar-fasciitis-heel-pain/",
    "/learn/safety/",
    "/learn/faq/",
    "/learn/",
    "/learn/search/?q=heal+pain",
    "/",
]

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    manage(env, "load_content")
    with gunicorn(env) as port:
        baseline = measure(port, "/ping")
        report(baseline)
        for path in PAGES:
            report(measure(port, path), baseline)
