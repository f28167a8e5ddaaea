"""sitemap.xml entries: the public pages patients can land on from a search engine."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Page


class EducationPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Page.objects.published().only("slug", "updated_at").order_by("order", "slug")

    def lastmod(self, page):
        return page.updated_at


class LandingSitemap(Sitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["education:home", "education:index", "intake:start", "booking:start"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": EducationPageSitemap, "landing": LandingSitemap}
