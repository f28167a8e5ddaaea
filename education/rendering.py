"""Markdown to safe HTML for education pages: render with `markdown`, then clean with `nh3` against an allow-list.

Pure functions, no database. Whatever an editor types (raw HTML included), only the allowed tags and attributes
reach the page; heading ids survive so the table of contents can link to them.
"""

import html as html_lib
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.text import slugify

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "blockquote", "code", "pre",
    "ul", "ol", "li", "a", "abbr", "sup", "sub", "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
_HEADING_ATTRS = {"id"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    **{f"h{level}": _HEADING_ATTRS for level in range(2, 7)},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Ids the page layout itself uses: a heading with one of these names gets a suffix so anchors stay unique.
RESERVED_IDS = {"main", "main-nav", "contents", "faq", "references", "related", "next-step", "page-title"}


def _heading_id(value: str, separator: str) -> str:
    slug = slugify(value) or "section"
    return f"{slug}-section" if slug in RESERVED_IDS else slug


@dataclass(frozen=True)
class Heading:
    id: str
    title: str
    children: list["Heading"] = field(default_factory=list)


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[Heading]
    plain_text: str


def _toc_from_tokens(tokens: list[dict]) -> list[Heading]:
    """Second-level headings with their third-level children; deeper ones would only clutter a phone screen."""
    headings = []
    for token in tokens:
        if token["level"] != 2:
            continue
        children = [Heading(id=c["id"], title=_strip_tags(c["name"])) for c in token["children"] if c["level"] == 3]
        headings.append(Heading(id=token["id"], title=_strip_tags(token["name"]), children=children))
    return headings


def _strip_tags(html: str) -> str:
    return nh3.clean(html, tags=set()).strip()


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )


def render_markdown(text: str) -> Rendered:
    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", "abbr"],
        extension_configs={"toc": {"slugify": _heading_id, "toc_depth": "2-3"}},
        output_format="html",
    )
    html = clean_html(md.convert(text or ""))
    return Rendered(html=html, toc=_toc_from_tokens(md.toc_tokens), plain_text=markdown_to_text(html))


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(li|h[2-6]|td|th|caption)>")


def markdown_to_text(html: str) -> str:
    """Readable text of rendered HTML, for reading-grade checks. A list item or heading ends a sentence."""
    text = _BLOCK_END.sub(lambda m: f". </{m.group(1)}>", html)
    text = html_lib.unescape(_TAG.sub(" ", text))
    text = re.sub(r"([.!?:])\s*\.", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()
