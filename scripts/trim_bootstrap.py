"""Write static/vendor/bootstrap/bootstrap.trimmed.min.css: Bootstrap's CSS without the rules no page can use.

    .venv/bin/python scripts/trim_bootstrap.py           # rewrite the trimmed file (commit it)
    .venv/bin/python scripts/trim_bootstrap.py --check   # exit 1 if it is out of date (a test runs this)

A rule is kept when every class and attribute name its selector needs appears as a word somewhere in our
templates, the crispy-forms Bootstrap 5 templates, our JavaScript or our Python (form widgets set classes there),
or in KEEP below. Classes inside :not(...) are not needed for a match, so they are not asked for. Element
selectors, :root variables, @keyframes and the like always stay. Over-keeping is harmless; under-keeping would
unstyle a page, so anything doubtful stays.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static/vendor/bootstrap/bootstrap.min.css"
TARGET = ROOT / "static/vendor/bootstrap/bootstrap.trimmed.min.css"
# Classes put together in templates from a variable (`alert-{{ message.level_tag }}`).
KEEP = {f"alert-{level}" for level in ("success", "info", "warning", "danger", "primary", "secondary", "light")}
ALWAYS = ("@keyframes", "@font-face", "@property", "@-webkit-keyframes")
NESTED = ("@media", "@supports", "@container", "@layer")


def _crispy_templates() -> list[Path]:
    import crispy_bootstrap5

    return list(Path(crispy_bootstrap5.__file__).parent.rglob("*.html"))


def words() -> set[str]:
    files = [*(ROOT / "templates").rglob("*.html"), *_crispy_templates()]
    for app in ("clinic", "education", "intake", "booking", "desk"):
        files += [*(ROOT / app).rglob("*.html"), *(ROOT / app).rglob("*.py")]
    files += [path for path in (ROOT / "static").rglob("*.js") if "vendor" not in path.parts]
    found = set(KEEP)
    for path in files:
        found.update(re.findall(r"[A-Za-z0-9_-]+", path.read_text(encoding="utf-8")))
    return found


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in prelude:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    return [*parts, current]


def _without_not(selector: str) -> str:
    while ":not(" in selector:
        start = selector.index(":not(")
        depth, end = 0, start + 4
        for end in range(start + 4, len(selector)):
            depth += selector[end] == "("
            depth -= selector[end] == ")"
            if depth == 0:
                break
        selector = selector[:start] + selector[end + 1 :]
    return selector


def _usable(selector: str, used: set[str]) -> bool:
    needed = _without_not(selector)
    names = re.findall(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)", needed)
    names += re.findall(r"\[([A-Za-z_-][A-Za-z0-9_-]*)", needed)
    return all(name in used for name in names)


def _block_end(css: str, open_at: int) -> int:
    """Index just past the brace that closes the one at `open_at`."""
    depth = 0
    for index in range(open_at, len(css)):
        depth += css[index] == "{"
        depth -= css[index] == "}"
        if depth == 0:
            return index + 1
    raise ValueError("unbalanced braces")


def trim(css: str, used: set[str]) -> str:
    out, index = [], 0
    while index < len(css):
        if css.startswith("/*", index):
            end = css.index("*/", index) + 2
            out.append(css[index:end])
            index = end
            continue
        if css[index].isspace():
            index += 1
            continue
        if css.startswith("@charset", index) or css.startswith("@import", index):
            end = css.index(";", index) + 1
            out.append(css[index:end])
            index = end
            continue
        open_at = css.index("{", index)
        end = _block_end(css, open_at)
        prelude = css[index:open_at]
        if prelude.startswith(ALWAYS):
            out.append(css[index:end])
        elif prelude.startswith(NESTED):
            inner = trim(css[open_at + 1 : end - 1], used)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        else:
            kept = [selector for selector in _split_selectors(prelude) if _usable(selector, used)]
            if kept:
                out.append(",".join(kept) + css[open_at:end])
        index = end
    return "".join(out)


def main() -> int:
    trimmed = trim(SOURCE.read_text(encoding="utf-8"), words()) + "\n"
    if "--check" in sys.argv:
        if TARGET.read_text(encoding="utf-8") != trimmed:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run scripts/trim_bootstrap.py and commit it.")
            return 1
        return 0
    TARGET.write_text(trimmed, encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(trimmed) / 1024:.1f} KB (from {SOURCE.stat().st_size / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
