"""Home and education pages for an anonymous visitor (from the public page cache) and for a visitor with a session
(rendered every time), against /ping and bare Django on the same gunicorn (content loaded first)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import baselines, bench_env, ensure_database, gunicorn, interleaved, manage, measure, report

PAGES = [
    "/",
    "/learn/",
    "/learn/plantar-fasciitis-heel-pain/",
    "/learn/safety/",
    "/learn/faq/",
    "/learn/search/?q=heal+pain",
]

if __name__ == "__main__":
    env = bench_env()
    ensure_database(env)
    manage(env, "load_content")
    with gunicorn(env) as port:
        results = interleaved(port, PAGES, requests=800)
        ping, bare = baselines(results)
        print("anonymous visitors (public page cache):")
        cached = [results[path] for path in PAGES]
        for result in cached:
            report(result, ping, bare=bare)
        # Any session cookie, even one the server does not know, bypasses the cache: the page is rendered.
        print("visitors with a session cookie (rendered every time):")
        for path in PAGES[:2]:
            report(measure(port, path, requests=400, headers={"Cookie": "sessionid=not-a-session"}), ping, bare=bare)
        worst = min(cached, key=lambda r: r["rps"])
        print(
            f"public pages: worst {worst['path']} {worst['rps']:.0f} req/s, ratio to /ping "
            f"{worst['rps'] / ping['rps']:.2f} (goal >= 0.8), to bare Django {worst['rps'] / bare['rps']:.2f}"
        )
