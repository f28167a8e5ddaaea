"""Reads of education content for the pages, cached under a content version that any edit bumps.

Each public read costs at most a handful of queries on a cold cache and none on a warm one, whatever the
number of pages: lists are one query, a page with its FAQ, references and related pages four.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import F, FloatField, Prefetch, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .models import Page, Region
from .rendering import Heading, render_markdown

VERSION_KEY = "education:content-version"
CACHE_SECONDS = 24 * 3600
MAX_QUERY_LENGTH = 100
# How close a misspelt word must be to a title or keyword to count (pg_trgm word similarity, 0 to 1).
TRIGRAM_THRESHOLD = 0.3
MAX_RESULTS = 20
# Offered when a search finds nothing or nothing was typed.
SEARCH_SUGGESTIONS = ("heel pain", "calf pain", "low back pain", "is it painful", "aftercare", "safety")


def content_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        # With the cache unreachable nothing was stored: a version of this call's own keeps every key unique, so
        # nothing cached now can be read back under a version an edit has since replaced.
        version = cache.get(VERSION_KEY) or uuid.uuid4().hex
    return version


def _key(*parts: str) -> str:
    return ":".join(("education", content_version(), *parts))


@dataclass(frozen=True)
class PageCard:
    slug: str
    title: str
    summary: str
    kind: str
    region: str

    @property
    def url(self) -> str:
        return reverse("education:page", kwargs={"slug": self.slug})

    @property
    def region_label(self) -> str:
        return Region(self.region).label if self.region else ""


@dataclass(frozen=True)
class Citation:
    authors: str
    year: int
    title: str
    journal: str
    details: str
    doi_url: str


@dataclass(frozen=True)
class Faq:
    question: str
    answer_html: str


@dataclass(frozen=True)
class PageDetail:
    card: PageCard
    kind_label: str
    meta_description: str
    body_html: str
    toc: list[Heading]
    faqs: list[Faq]
    references: list[Citation]
    related: list[PageCard]
    reviewed_by: str
    reviewed_on: date | None
    updated_at: datetime
    is_published: bool
    extra: dict = field(default_factory=dict)


_CARD_FIELDS = ("slug", "title", "summary", "kind", "region")


def catalogue() -> list[PageCard]:
    """Every published page as a card, in display order (one query, cached)."""
    key = _key("catalogue")
    cards = cache.get(key)
    if cards is None:
        cards = [PageCard(**row) for row in Page.objects.published().values(*_CARD_FIELDS)]
        cache.set(key, cards, CACHE_SECONDS)
    return cards


def _citation(reference) -> Citation:
    return Citation(
        authors=reference.authors,
        year=reference.year,
        title=reference.title,
        journal=reference.journal,
        details=reference.details,
        doi_url=reference.doi_url,
    )


def _build_detail(page: Page) -> PageDetail:
    rendered = render_markdown(page.body)
    return PageDetail(
        card=PageCard(**{name: getattr(page, name) for name in _CARD_FIELDS}),
        kind_label=page.get_kind_display(),
        meta_description=page.meta_description,
        body_html=rendered.html,
        # A contents list helps only when there is something to jump between.
        toc=rendered.toc if len(rendered.toc) >= 3 else [],
        faqs=[Faq(question=f.question, answer_html=render_markdown(f.answer).html) for f in page.faq_items.all()],
        references=[_citation(r) for r in page.references.all()],
        related=[PageCard(**{name: getattr(r, name) for name in _CARD_FIELDS}) for r in page.related.all()],
        reviewed_by=page.reviewed_by,
        reviewed_on=page.reviewed_on,
        updated_at=page.updated_at,
        is_published=page.is_published,
    )


def _detail_queryset():
    # Only published related pages: an unpublished draft must never be linked from a live page.
    related = Prefetch("related", queryset=Page.objects.published().only(*_CARD_FIELDS))
    return Page.objects.prefetch_related("faq_items", "references", related).only(
        *_CARD_FIELDS, "meta_description", "body", "reviewed_by", "reviewed_on", "updated_at", "is_published"
    )


def published_page(slug: str) -> PageDetail | None:
    """A published page ready to display, or None (four queries on a cold cache: page, FAQ, references, related)."""
    key = _key("page", slug)
    detail = cache.get(key)
    if detail is None:
        page = _detail_queryset().published().filter(slug=slug).first()
        if page is None:
            return None
        detail = _build_detail(page)
        cache.set(key, detail, CACHE_SECONDS)
    return detail


def page_preview(page_id: int) -> PageDetail | None:
    """Any page, published or not, straight from the database: what the admin preview shows."""
    page = _detail_queryset().filter(pk=page_id).first()
    return _build_detail(page) if page else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_query(raw: str | None) -> str:
    """Trim what people type into something safe to search with: no control characters, bounded length."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


@dataclass(frozen=True)
class SearchResult:
    query: str
    corrected: str  # what was searched for after fixing likely misspellings; equal to query when none
    cards: list[PageCard]


def _vocabulary() -> frozenset[str]:
    """Words of every published title and keyword list (one query, cached): the spellings search can correct to."""
    key = _key("vocabulary")
    words = cache.get(key)
    if words is None:
        rows = Page.objects.published().values_list("title", "keywords")
        words = frozenset(w for row in rows for w in re.findall(r"[a-z]+", " ".join(row).lower()) if len(w) >= 3)
        cache.set(key, words, CACHE_SECONDS)
    return words


def correct_spelling(query: str, vocabulary: frozenset[str]) -> str:
    """Swap each unknown word for the closest title or keyword word ("heal pain" -> "heel pain").

    Trigram similarity alone ranks "heal pain" about as close to "hip pain" as to "heel pain": four-letter words
    share too few trigrams. Correcting against our own small vocabulary first settles what the person meant.
    """
    words = []
    for word in query.split():
        lowered = word.lower()
        if len(lowered) < 4 or not lowered.isalpha() or lowered in vocabulary:
            words.append(word)
            continue
        # Closest by edits, and only a slip of the keyboard away: one edit per four letters. Ties go to the
        # alphabetically first word, so the same query always gives the same correction.
        limit = max(1, len(lowered) // 4)
        matches = process.extract(lowered, vocabulary, scorer=Levenshtein.distance, score_cutoff=limit, limit=None)
        best = min(((distance, choice) for choice, distance, _ in matches), default=None)
        words.append(best[1] if best else word)
    return " ".join(words)


def search(raw_query: str | None) -> SearchResult:
    """Published pages matching the query, best first (two queries on a cold cache, none when cached)."""
    query = normalise_query(raw_query)
    if not query:
        return SearchResult(query="", corrected="", cards=[])
    key = _key("search", hashlib.sha256(query.lower().encode()).hexdigest())
    result = cache.get(key)
    if result is None:
        corrected = correct_spelling(query, _vocabulary())
        rows = _search_postgres(query, corrected) if connection.vendor == "postgresql" else _search_simple(corrected)
        cards = [PageCard(**{name: row[name] for name in _CARD_FIELDS}) for row in rows]
        result = SearchResult(query=query, corrected=corrected, cards=cards)
        cache.set(key, result, CACHE_SECONDS)
    return result


def _search_postgres(query: str, corrected: str):
    """Full-text rank over the stored, weighted vector plus trigram word similarity on titles and keywords, so a
    misspelling ("plantar fascitis", "heal pain") still finds the page it meant."""
    search_query = SearchQuery(corrected, search_type="websearch", config="english")
    similarity = Greatest(
        *(TrigramWordSimilarity(text, field) for text in {query, corrected} for field in ("title", "keywords")),
        output_field=FloatField(),
    )
    return (
        Page.objects.published()
        .annotate(rank=SearchRank(F("search_vector"), search_query), similarity=similarity)
        .filter(Q(search_vector=search_query) | Q(similarity__gte=TRIGRAM_THRESHOLD))
        .annotate(score=F("rank") + F("similarity") * Value(2.0))
        .order_by("-score", "order", "title")
        .values(*_CARD_FIELDS)[:MAX_RESULTS]
    )


def _search_simple(query: str):
    """SQLite (local runs): every word must appear somewhere; title matches first."""
    condition = Q()
    for word in query.split()[:8]:
        condition &= (
            Q(title__icontains=word)
            | Q(keywords__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
        )
    rows = list(Page.objects.published().filter(condition).values(*_CARD_FIELDS)[:MAX_RESULTS])
    lowered = query.lower()
    return sorted(rows, key=lambda row: lowered not in row["title"].lower())
