"""Education pages as patients and search engines see them: content, query budgets, caching, search, SEO."""

import json
import re

import pytest
from django.core.cache import cache

from education import selectors, services
from education.models import Page, Reference
from tests.education.factories import ConditionPageFactory, FaqItemFactory, PageFactory, ReferenceFactory
from tests.factories import LocationFactory, UserFactory, clinic_admin_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


def _json_ld(html: str) -> list:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert blocks, "no JSON-LD block"
    return [json.loads(block) for block in blocks]


def _many_pages(count=40):
    references = [ReferenceFactory() for _ in range(5)]
    pages = [ConditionPageFactory() for _ in range(count // 2)] + [PageFactory() for _ in range(count // 2)]
    target = PageFactory(slug="target", title="Target page")
    target.related.set(pages[:10])
    target.references.set(references)
    for _ in range(8):
        FaqItemFactory(page=target)
    for _ in range(5):
        LocationFactory()
    cache.clear()
    return target


def test_it_shows_a_condition_page_with_everything_a_patient_needs(client, content):
    html = client.get("/learn/plantar-fasciitis-heel-pain/").content.decode()

    assert "<h1" in html
    assert "Plantar fasciitis and heel pain" in html
    assert 'aria-labelledby="contents"' in html  # table of contents on a long page
    assert "<details" in html
    assert "<summary>" in html
    assert "Cotchett" in html
    assert "https://doi.org/10.2522/ptj.20130255" in html
    assert 'href="/learn/achilles-tendinopathy/"' in html  # related pages
    assert "Medical review pending" in html or "Medically reviewed by" in html
    assert 'href="/intake/"' in html
    assert "Am I suitable?" in html
    assert 'href="/book/"' in html


def test_it_shows_who_reviewed_a_page_and_when(client):
    import datetime

    PageFactory(slug="reviewed", reviewed_by="Dr Asha Rao, PT", reviewed_on=datetime.date(2026, 3, 2))

    html = client.get("/learn/reviewed/").content.decode()

    assert "Medically reviewed by Dr Asha Rao, PT on 2 March 2026" in html
    page_ld = _json_ld(html)[0][0]
    assert page_ld["reviewedBy"]["name"] == "Dr Asha Rao, PT"
    assert page_ld["lastReviewed"] == "2026-03-02"


def test_it_serves_faq_safety_and_references_at_their_addresses(client, content):
    assert "Who should not have dry needling" in client.get("/learn/safety/").content.decode()
    faq = client.get("/learn/faq/").content.decode()
    assert faq.count("<details") >= 10
    references = client.get("/learn/references/").content.decode()
    for author in ("Cotchett", "Gattie", "Hsieh", "Dunning", "George", "Perreault", "Brady", "Boyce"):
        assert author in references


def test_it_hides_unpublished_pages_and_unknown_slugs(client):
    draft = PageFactory(slug="draft", is_published=False)
    live = PageFactory(slug="live")
    live.related.set([draft])

    assert client.get("/learn/draft/").status_code == 404
    assert client.get("/learn/no-such-page/").status_code == 404
    assert 'href="/learn/draft/"' not in client.get("/learn/live/").content.decode()
    assert "draft" not in client.get("/sitemap.xml").content.decode()


def test_it_browses_the_index_by_body_region_and_topic(client, content):
    html = client.get("/learn/").content.decode()

    for heading in ("Foot and ankle", "Lower leg and calf", "Hip and pelvis", "Back, neck and shoulders"):
        assert heading in html
    assert 'id="treatments"' in html
    assert 'id="guides"' in html
    assert 'href="/learn/metatarsalgia/"' in html


def test_it_highlights_conditions_and_both_calls_to_action_on_the_home_page(client, content):
    LocationFactory(name="Hyderabad – Banjara Hills")

    html = client.get("/").content.decode()

    assert 'href="/learn/plantar-fasciitis-heel-pain/"' in html
    assert 'href="/intake/"' in html
    assert 'href="/book/"' in html
    assert "Hyderabad – Banjara Hills" in html


def test_it_never_lets_a_script_in_markdown_reach_the_page(client):
    PageFactory(slug="evil", body='## Hi\n\n<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n')
    FaqItemFactory(page=Page.objects.get(slug="evil"), answer="<script>steal()</script> fine")

    html = client.get("/learn/evil/").content.decode()

    assert 'alert("x")' not in html
    assert "onerror" not in html
    assert "steal()" not in html


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # 1 education_page: the page, by its slug
        # 2 education_faqitem: its FAQ items
        # 3 education_reference: its references
        # 4 education_page: its related pages
        # 5 core_location: the footer's locations
        ("/learn/target/", 5),
        # 1 education_page: the published pages, as cards
        # 2 core_location: the footer's locations
        ("/learn/", 2),
        # 1 education_page: the published pages, as cards
        # 2 core_location: the footer's locations
        ("/", 2),
        # 1 education_page: titles and keywords, the words the spelling correction knows
        # 2 education_page: the pages that match
        # 3 core_location: the footer's locations
        ("/learn/search/?q=guide", 3),
    ],
)
def test_it_costs_the_same_queries_whatever_the_number_of_pages(client, django_assert_num_queries, path, queries):
    """Prevents an N+1 on any education page (40 pages, 10 related, 8 FAQ items, 5 references, 5 locations)."""
    _many_pages()  # ends with an empty cache

    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    # The next anonymous visitor gets the page from the page cache: no query at all.
    with django_assert_num_queries(0):
        client.get(path)


def test_it_shows_an_admin_edit_at_once(client, admin_client, django_capture_on_commit_callbacks):
    page = PageFactory(slug="edited", title="Old title")
    assert "Old title" in client.get("/learn/edited/").content.decode()

    form = {
        "title": "New title",
        "slug": "edited",
        "kind": "guide",
        "region": "",
        "is_published": "on",
        "order": 100,
        "summary": page.summary,
        "body": page.body,
        "meta_description": page.meta_description,
        "keywords": "",
        "reviewed_by": "",
        "reviewed_on": "",
        "faq_items-TOTAL_FORMS": 0,
        "faq_items-INITIAL_FORMS": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):  # the cache is dropped once the edit is committed
        response = admin_client.post(f"/admin/education/page/{page.pk}/change/", form)

    assert response.status_code == 302
    assert "New title" in client.get("/learn/edited/").content.decode()
    assert Page.objects.get(pk=page.pk).edited_in_admin


def test_it_forgets_cached_pages_when_the_admin_changes_or_deletes_references(
    admin_client, django_capture_on_commit_callbacks
):
    """The admin's save, its delete page and its "delete selected" action each start a new content version
    (RefreshOnWriteAdminMixin), so no cached page cites a reference as it was."""
    kept, deleted, selected = ReferenceFactory(), ReferenceFactory(), ReferenceFactory()
    fields = ("key", "authors", "year", "title", "journal", "details", "doi")
    posts = [
        (f"/admin/education/reference/{kept.pk}/change/", {**{f: getattr(kept, f) for f in fields}, "year": 2021}),
        (f"/admin/education/reference/{deleted.pk}/delete/", {"post": "yes"}),
        (
            "/admin/education/reference/",
            {"action": "delete_selected", "_selected_action": [selected.pk], "post": "yes"},
        ),
    ]
    for url, form in posts:
        version = selectors.content_version()
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(url, form).status_code == 302
        assert selectors.content_version() != version, url

    assert list(Reference.objects.values_list("pk", "year")) == [(kept.pk, 2021)]


def test_it_forgets_cached_pages_when_content_is_loaded_again(client, content):
    client.get("/learn/aftercare/")
    Page.objects.filter(slug="aftercare").update(title="Changed behind the cache")
    assert "Changed behind the cache" not in client.get("/learn/aftercare/").content.decode()

    services.content_version_bump()

    assert "Changed behind the cache" in client.get("/learn/aftercare/").content.decode()


def test_it_lets_only_staff_preview_a_draft_in_the_admin(client):
    draft = PageFactory(slug="draft", title="Draft page", is_published=False)
    url = f"/admin/education/page/{draft.pk}/preview/"

    assert client.get(url).status_code == 302  # anonymous: to the login page
    staff_login(client, UserFactory(is_staff=False))
    assert client.get(url).status_code == 403  # signed in, but the admin is the clinic admins' only
    staff_login(client, clinic_admin_user())
    response = client.get(url)
    assert response.status_code == 200
    assert "Draft page" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


# --- Search ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["heal pain", "plantar fascitis", "heel pain", "Plantar Fasciitis", "heel"])
def test_it_finds_the_heel_page_first_despite_typos(client, content, query):
    response = client.get("/learn/search/", {"q": query})

    assert response.context["result"].cards[0].slug == "plantar-fasciitis-heel-pain"


def test_it_ranks_a_title_match_above_a_passing_mention(client, content):
    slugs = [card.slug for card in client.get("/learn/search/", {"q": "achilles"}).context["result"].cards]

    assert slugs[0] == "achilles-tendinopathy"


def test_it_says_which_spelling_it_searched_for(client, content):
    html = client.get("/learn/search/", {"q": "acupunture"}).content.decode()

    assert "Showing results for “acupuncture”" in html
    assert 'href="/learn/dry-needling-vs-acupuncture-and-massage/"' in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 5000,
        "!!!&&||",
        "'; DROP TABLE education_page; --",
        "\x00nul",
        "<script>alert(1)</script>",
        "😀",
    ],
)
def test_it_handles_empty_long_and_odd_queries(client, content, query):
    response = client.get("/learn/search/", {"q": query})

    # A NUL byte is refused before any view (clinic/core/request_guard.py): nobody types one into a search box.
    assert response.status_code == (400 if "\x00" in query else 200)
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Page.objects.filter(slug="safety").exists()


def test_it_suggests_searches_when_nothing_matches(client, content):
    html = client.get("/learn/search/", {"q": "zzzqqq"}).content.decode()

    assert "Nothing found" in html
    assert 'href="?q=heel%20pain"' in html


# --- Search engines -------------------------------------------------------------------------------------------


def test_it_gives_search_engines_canonical_urls_open_graph_and_json_ld(client, content, settings):
    settings.ALLOWED_HOSTS = ["clinic.example"]
    html = client.get("/learn/faq/", HTTP_HOST="clinic.example").content.decode()

    assert '<link rel="canonical" href="http://clinic.example/learn/faq/">' in html
    assert '<meta property="og:title" content="Dry needling: questions people ask">' in html
    assert '<meta property="og:url" content="http://clinic.example/learn/faq/">' in html
    page_ld, faq_ld = _json_ld(html)[0]
    assert page_ld["@type"] == "MedicalWebPage"
    assert page_ld["url"] == "http://clinic.example/learn/faq/"
    assert faq_ld["@type"] == "FAQPage"
    assert len(faq_ld["mainEntity"]) >= 10
    assert faq_ld["mainEntity"][0]["acceptedAnswer"]["text"]


def test_it_marks_condition_pages_without_faq_as_medical_pages_only(client, content):
    blocks = _json_ld(client.get("/learn/metatarsalgia/").content.decode())[0]

    assert [block["@type"] for block in blocks] == ["MedicalWebPage"]
    assert blocks[0]["about"] == {"@type": "MedicalCondition", "name": "Metatarsalgia (ball of foot pain)"}


def test_it_escapes_json_ld_so_text_cannot_close_the_script(client):
    PageFactory(slug="tricky", title="</script><script>alert(1)</script>")

    html = client.get("/learn/tricky/").content.decode()

    assert "</script><script>alert(1)" not in html
    assert _json_ld(html)[0][0]["name"] == "</script><script>alert(1)</script>"


def test_it_lists_every_published_page_in_the_sitemap(client, content):
    xml = client.get("/sitemap.xml").content.decode()

    assert xml.count("<url>") == Page.objects.published().count() + 4
    assert "http://testserver/learn/plantar-fasciitis-heel-pain/" in xml
    assert "<lastmod>" in xml


def test_it_tells_robots_what_to_skip_and_where_the_sitemap_is(client):
    response = client.get("/robots.txt")
    text = response.content.decode()

    assert response["Content-Type"].startswith("text/plain")
    assert "User-agent: *\nAllow: /" in text
    for path in ("/desk/", "/intake/review/", "/book/manage/", "/admin/"):
        assert f"Disallow: {path}" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
