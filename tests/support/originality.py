"""The originality check's reference: every run of ten words of the seed articles the product was started from.

The articles live outside the repository (../shared/seeds). When they are there, their runs are read from them and
the fingerprints stored beside this file (seed_runs.txt: a short hash per run, never the words) must match them;
when they are not (a clone of the repository alone, CI), the stored fingerprints stand in, so the check still runs,
and a warning says which reference it used. After the articles change: `python -m tests.support.originality`."""

import hashlib
import re
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / ".." / "shared" / "seeds"
FINGERPRINTS = Path(__file__).with_name("seed_runs.txt")
RUN = 10  # words in a row that would count as copied


def words(text: str) -> list[str]:
    text = text.lower().replace("’", "").replace("'", "")
    return re.findall(r"[^\W_]+", text)  # letters and digits of any script: "Peñas" is one word


def runs(text: str) -> set[str]:
    found = words(text)
    return {" ".join(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


def fingerprint(run: str) -> str:
    return hashlib.sha256(run.encode("utf-8")).hexdigest()[:16]


def _from_seeds() -> set[str]:
    return {fingerprint(run) for path in sorted(SEEDS.glob("*.txt")) for run in runs(path.read_text(encoding="utf-8"))}


def seed_fingerprints() -> set[str]:
    """The fingerprints of the seed articles' runs: from the articles when present, else the stored ones."""
    stored = set(FINGERPRINTS.read_text(encoding="ascii").split())
    assert len(stored) > 5000, f"{FINGERPRINTS} lost its fingerprints; the originality check cannot run."
    if not any(SEEDS.glob("*.txt")):
        warnings.warn(
            f"{SEEDS.resolve()} is absent: originality checked against the {len(stored)} stored fingerprints.",
            stacklevel=2,
        )
        return stored
    found = _from_seeds()
    assert found == stored, "The seed articles changed: run `python -m tests.support.originality` and commit."
    return found


def copied_runs(text: str, seeds: set[str]) -> set[str]:
    """The runs of `text` that stand in a seed article."""
    return {run for run in runs(text) if fingerprint(run) in seeds}


if __name__ == "__main__":
    FINGERPRINTS.write_text("\n".join(sorted(_from_seeds())) + "\n", encoding="ascii")
    print(f"Wrote {FINGERPRINTS}")
