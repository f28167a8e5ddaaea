"""Reading the content files in education/content/: TOML front matter between +++ lines, then a Markdown body.

Pure parsing, no database: `load_content` hands what this returns to services.content_load. A file with a
mistake stops the load with a message naming the file, so a half-right page never reaches patients.
"""

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
REFERENCES_FILE = "references.toml"
KINDS = {"condition", "treatment", "guide"}
REGIONS = {"foot-ankle", "lower-leg", "hip-pelvis", "back-neck"}
REQUIRED = ("title", "slug", "kind", "summary", "meta_description")


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class FaqSource:
    question: str
    answer: str


@dataclass(frozen=True)
class PageSource:
    path: Path
    source_hash: str
    title: str
    slug: str
    kind: str
    summary: str
    meta_description: str
    body: str
    region: str = ""
    keywords: str = ""
    order: int = 100
    published: bool = True
    reviewed_by: str = ""
    reviewed_on: date | None = None
    related: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    faq: list[FaqSource] = field(default_factory=list)


@dataclass(frozen=True)
class ReferenceSource:
    key: str
    authors: str
    year: int
    title: str
    journal: str
    details: str = ""
    doi: str = ""


def parse_page(path: Path) -> PageSource:
    raw = path.read_text(encoding="utf-8")
    parts = raw.split("+++\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ContentError(f"{path.name}: start with front matter between two lines of +++.")
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{path.name}: front matter is not valid TOML ({error}).") from error
    missing = [name for name in REQUIRED if not meta.get(name)]
    if missing:
        raise ContentError(f"{path.name}: missing {', '.join(missing)}.")
    if meta["kind"] not in KINDS:
        raise ContentError(f"{path.name}: kind must be one of {sorted(KINDS)}.")
    region = meta.get("region", "")
    if region and (region not in REGIONS or meta["kind"] != "condition"):
        raise ContentError(f"{path.name}: region must be one of {sorted(REGIONS)}, on conditions only.")
    if len(meta["meta_description"]) > 200:
        raise ContentError(f"{path.name}: meta_description is longer than 200 characters.")
    faq = [FaqSource(question=item["question"], answer=item["answer"]) for item in meta.get("faq", [])]
    return PageSource(
        path=path,
        source_hash=hashlib.sha256(raw.encode()).hexdigest(),
        title=meta["title"],
        slug=meta["slug"],
        kind=meta["kind"],
        summary=meta["summary"].strip(),
        meta_description=meta["meta_description"].strip(),
        body=parts[2].strip() + "\n",
        region=region,
        keywords=meta.get("keywords", ""),
        order=int(meta.get("order", 100)),
        published=bool(meta.get("published", True)),
        reviewed_by=meta.get("reviewed_by", ""),
        reviewed_on=meta.get("reviewed_on"),
        related=list(meta.get("related", [])),
        references=list(meta.get("references", [])),
        faq=faq,
    )


def parse_references(path: Path) -> list[ReferenceSource]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return [ReferenceSource(key=key, **fields) for key, fields in data.items()]
    except TypeError as error:
        raise ContentError(f"{path.name}: {error}") from error


def read_content(directory: Path = CONTENT_DIR) -> tuple[list[PageSource], list[ReferenceSource]]:
    """Every page and reference in the folder, checked for broken links between them."""
    pages = [parse_page(path) for path in sorted(directory.glob("*.md"))]
    references_path = directory / REFERENCES_FILE
    references = parse_references(references_path) if references_path.exists() else []
    slugs = {page.slug for page in pages}
    keys = {reference.key for reference in references}
    if len(slugs) != len(pages):
        raise ContentError("Two content files share a slug.")
    for page in pages:
        if unknown := set(page.related) - slugs:
            raise ContentError(f"{page.path.name}: related pages not found: {', '.join(sorted(unknown))}.")
        if unknown := set(page.references) - keys:
            raise ContentError(f"{page.path.name}: references not found: {', '.join(sorted(unknown))}.")
    return pages, references
