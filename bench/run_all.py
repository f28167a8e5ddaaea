"""Run every benchmark in bench/ in turn (each prints its own figures), in an order where each finds the data it
needs: the desk's day view uses the clinic that bench_slots seeds."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

ORDER = ["bench_baseline", "bench_education", "bench_first_load", "bench_slots", "bench_desk", "bench_outbox"]
scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: ORDER.index(p.stem) if p.stem in ORDER else len(ORDER))
only = sys.argv[1:]  # e.g. `python bench/run_all.py bench_slots bench_desk`
for script in scripts:
    if only and script.stem not in only:
        continue
    print(f"\n== {script.name}", flush=True)
    runpy.run_path(str(script), run_name="__main__")
