"""URLs of the education pages (mounted at the site root for the home page, /learn/, sitemap.xml, robots.txt)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_page

from . import views
from .sitemaps import SITEMAPS

app_name = "education"

urlpatterns = [
    path("", views.home, name="home"),
    path("learn/", views.index, name="index"),
    # Fixed paths before the catch-all slug, so no page can take them.
    path("learn/search/", views.search, name="search"),
    path("learn/faq/", views.page, {"slug": "faq"}, name="faq"),
    path("learn/safety/", views.page, {"slug": "safety"}, name="safety"),
    path("learn/<slug:slug>/", views.page, name="page"),
    # Search engines fetch these often; an hour's staleness is harmless.
    path("sitemap.xml", cache_page(3600)(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
