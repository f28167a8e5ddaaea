"""Views of the education pages: home, the /learn/ index, each page, FAQ, safety, search, sitemap and robots.txt."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from clinic.core.pagecache import public_page
from clinic.core.selectors import active_locations

from . import selectors, seo
from .models import Region

HOME_CONDITIONS = 6


@public_page
@require_GET
def home(request):
    conditions = [card for card in selectors.catalogue() if card.kind == "condition"]
    return render(
        request,
        "education/home.html",
        {
            "conditions": conditions[:HOME_CONDITIONS],
            "locations": active_locations(),
            "canonical_url": request.build_absolute_uri(reverse("education:home")),
        },
    )


@public_page
@require_GET
def index(request):
    cards = selectors.catalogue()
    regions = [
        (value, label, [c for c in cards if c.kind == "condition" and c.region == value])
        for value, label in Region.choices
    ]
    return render(
        request,
        "education/index.html",
        {
            "regions": [region for region in regions if region[2]],
            "treatments": [c for c in cards if c.kind == "treatment"],
            "guides": [c for c in cards if c.kind == "guide"],
            "canonical_url": request.build_absolute_uri(reverse("education:index")),
            "content_version": selectors.content_version(),
        },
    )


def render_page(request, detail, *, preview=False):
    url = request.build_absolute_uri(detail.card.url)
    return render(
        request,
        "education/page.html",
        {
            "page": detail,
            "canonical_url": url,
            "json_ld": seo.json_ld_script_body(seo.page_json_ld(detail, url)),
            "is_preview": preview,
            "content_version": selectors.content_version(),
        },
    )


SLUG_MAX_LENGTH = 120  # Page.slug


@public_page
@require_GET
def page(request, slug):
    # Longer than any page's slug: no page, and no over-long cache key built from what was typed.
    detail = selectors.published_page(slug) if len(slug) <= SLUG_MAX_LENGTH else None
    if detail is None:
        raise Http404("No such page")
    return render_page(request, detail)


@public_page(params=("q",))
@require_GET
def search(request):
    raw = request.GET.get("q", "")
    query = selectors.normalise_query(raw)
    return render(
        request,
        "education/search.html",
        {
            "query": query,
            "searched": "q" in request.GET,
            "result": selectors.search(query),
            "was_trimmed": len(raw.strip()) > selectors.MAX_QUERY_LENGTH,
            "suggestions": selectors.SEARCH_SUGGESTIONS,
        },
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /desk/",
        "Disallow: /intake/review/",
        "Disallow: /book/manage/",
        "Disallow: /accounts/",
        f"Sitemap: {request.build_absolute_uri(reverse('education:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
