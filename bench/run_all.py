"""Run every benchmark in bench/ in turn (each prints its own figures), in an order where each finds the data it
needs: the desk's day view uses the clinic that bench_slots seeds. Ends with a summary: the headline figure of each
benchmark again, the load average and the cores, so one run gives every figure the README quotes."""

import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

ORDER = ["bench_baseline", "bench_education", "bench_first_load", "bench_slots", "bench_desk", "bench_outbox"]
# Lines that carry a benchmark's headline figures, by how they start or what they contain.
HEADLINES = (
    "/bare/ping ",
    "/ping ",
    "public pages:",
    "home page first load:",
    "slots API over 60 days:",
    " 50 ms)",
    "day grid with four clients:",
    "drained ",
    "per message:",
)


class _Tee:
    """Writes through to the real stdout and keeps the headline lines for the summary."""

    def __init__(self, stream):
        self.stream, self.pending, self.current = stream, "", ""
        self.headlines: dict[str, list[str]] = {}  # by benchmark

    def write(self, text: str) -> int:
        self.stream.write(text)
        *lines, self.pending = (self.pending + text).split("\n")
        found = [line for line in lines if any(mark in line for mark in HEADLINES)]
        if found:
            self.headlines.setdefault(self.current, []).extend(found)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name):  # fileno, isatty, encoding: the real stream's
        return getattr(self.stream, name)


scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: ORDER.index(p.stem) if p.stem in ORDER else len(ORDER))
only = sys.argv[1:]  # e.g. `python bench/run_all.py bench_slots bench_desk`
tee = _Tee(sys.stdout)
sys.stdout = tee
for script in scripts:
    if only and script.stem not in only:
        continue
    print(f"\n== {script.name}", flush=True)
    tee.current = script.stem
    runpy.run_path(str(script), run_name="__main__")
sys.stdout = tee.stream
load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
print(f"\n== summary ({os.cpu_count()} cores, so per core = req/s / {os.cpu_count()}; load average now {load})")
for benchmark, lines in tee.headlines.items():
    print(benchmark)
    print("\n".join(f"  {line.strip()}" for line in lines))
