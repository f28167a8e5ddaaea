"""Writes of education content: loading the content files, recording admin edits, keeping search and caches fresh."""

import uuid
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.db import connection, transaction

from clinic.core import pagecache

from .content_files import PageSource, ReferenceSource
from .models import FaqItem, Page, Reference
from .selectors import VERSION_KEY


def content_version_bump() -> None:
    """Forget every cached education page at once: readers build keys from the version, so old entries expire; and
    every cached public page, which shows the same content."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    pagecache.generation_bump()


def page_refresh_search_vectors(*, page_ids) -> None:
    """Store each page's weighted full-text vector (PostgreSQL only; SQLite searches with a plain fallback)."""
    if connection.vendor != "postgresql":
        return
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("keywords", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    Page.objects.filter(pk__in=list(page_ids)).update(search_vector=vector)


@transaction.atomic
def page_record_admin_edit(*, page: Page) -> None:
    """An admin saved the page (or its FAQ): keep the edit safe from `load_content` and show it everywhere."""
    Page.objects.filter(pk=page.pk).update(edited_in_admin=True)
    page.edited_in_admin = True
    page_refresh_search_vectors(page_ids=[page.pk])
    # After commit, so no reader caches the old text under the new version.
    transaction.on_commit(content_version_bump)


@transaction.atomic
def content_changed() -> None:
    """Something other than a page's own form changed (a reference, a deletion): drop cached pages."""
    transaction.on_commit(content_version_bump)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_admin_edits: list[str] = field(default_factory=list)
    references: int = 0


def _reference_upsert(source: ReferenceSource) -> Reference:
    fields = {name: getattr(source, name) for name in ("authors", "year", "title", "journal", "details", "doi")}
    reference, created = Reference.objects.get_or_create(key=source.key, defaults=fields)
    if not created and any(getattr(reference, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(reference, name, value)
        reference.full_clean()
        reference.save()
    return reference


# The fields a content file sets on its page, by the same name on both.
_PAGE_FIELDS_FROM_FILE = (
    "kind",
    "title",
    "slug",
    "summary",
    "body",
    "region",
    "keywords",
    "meta_description",
    "order",
    "reviewed_by",
    "reviewed_on",
    "source_hash",
)


def _page_fill(page: Page, source: PageSource) -> None:
    for name in _PAGE_FIELDS_FROM_FILE:
        setattr(page, name, getattr(source, name))
    page.is_published = source.published
    page.edited_in_admin = False


@transaction.atomic
def content_load(*, pages: list[PageSource], references: list[ReferenceSource], force: bool = False) -> LoadReport:
    """Create or update pages from their files. Idempotent: an unchanged file writes nothing. A page an admin
    edited since the last load is kept as the admin left it unless `force` is given."""
    report = LoadReport()
    by_key = {source.key: _reference_upsert(source) for source in references}
    report.references = len(by_key)
    existing = {page.slug: page for page in Page.objects.filter(slug__in=[s.slug for s in pages])}
    written: list[tuple[Page, PageSource]] = []
    for source in pages:
        page = existing.get(source.slug)
        if page is None:
            page = Page()
            report.created.append(source.slug)
        elif page.edited_in_admin and not force:
            report.kept_admin_edits.append(source.slug)
            continue
        elif page.source_hash == source.source_hash and not force:
            report.unchanged.append(source.slug)
            continue
        else:
            report.updated.append(source.slug)
        _page_fill(page, source)
        page.full_clean(exclude=["related", "references"])
        page.save()
        written.append((page, source))

    slugs = {page.slug: page for page in Page.objects.filter(slug__in=[s.slug for s in pages])}
    for page, source in written:
        page.related.set([slugs[slug] for slug in source.related if slug in slugs])
        page.references.set([by_key[key] for key in source.references])
        page.faq_items.all().delete()
        FaqItem.objects.bulk_create(
            FaqItem(page=page, question=item.question, answer=item.answer, order=index)
            for index, item in enumerate(source.faq)
        )
    page_refresh_search_vectors(page_ids=[page.pk for page, _ in written])
    transaction.on_commit(content_version_bump)
    return report
