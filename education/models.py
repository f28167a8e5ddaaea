"""Education content: pages (conditions, treatments, guides), their FAQ items and the studies they cite."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse


class Region(models.TextChoices):
    FOOT_ANKLE = "foot-ankle", "Foot and ankle"
    LOWER_LEG = "lower-leg", "Lower leg and calf"
    HIP_PELVIS = "hip-pelvis", "Hip and pelvis"
    BACK_NECK = "back-neck", "Back, neck and shoulders"


class Kind(models.TextChoices):
    CONDITION = "condition", "Condition"
    TREATMENT = "treatment", "Treatment and technique"
    GUIDE = "guide", "Guide"


class Reference(models.Model):
    """A published study. Pages cite it; the references page lists every one."""

    key = models.SlugField(unique=True, help_text="Short handle used in content files, e.g. cotchett-2014.")
    authors = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField()
    title = models.CharField(
        max_length=300, help_text="The study's title, shortened where needed; the DOI identifies the paper."
    )
    journal = models.CharField(max_length=200)
    details = models.CharField(max_length=80, blank=True, help_text="Volume, issue and pages, e.g. 94(8):1083–1094.")
    doi = models.CharField(max_length=120, blank=True, help_text="Without the https://doi.org/ prefix.")

    class Meta:
        ordering = ["authors", "year"]

    def __str__(self):
        return f"{self.authors.split(',')[0]} {self.year}"

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def conditions(self):
        return self.filter(kind=Kind.CONDITION)


class Page(models.Model):
    """One education page. The body is Markdown, rendered and sanitised on display (see rendering.py)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(help_text="One or two plain sentences shown in lists and search results.")
    body = models.TextField(help_text="Markdown. Start sections with ## headings; raw HTML is cleaned on display.")
    region = models.CharField(
        max_length=20, choices=Region.choices, blank=True, help_text="Body region, for conditions."
    )
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Other words people search with, e.g. “heel pain, heel spur”."
    )
    meta_description = models.CharField(max_length=200, help_text="Shown by search engines under the title.")
    reviewed_by = models.CharField("medically reviewed by", max_length=120, blank=True)
    reviewed_on = models.DateField("medically reviewed on", null=True, blank=True)
    is_published = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first in lists.")
    related = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")
    references = models.ManyToManyField(Reference, blank=True, related_name="pages")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Loading content: the hash of the file last loaded, and whether an admin changed the page since, so that
    # `load_content` never silently overwrites a clinician's edit.
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    edited_in_admin = models.BooleanField(default=False, editable=False)
    # Filled by services.page_refresh_search_vectors on PostgreSQL (weighted title, keywords, summary, body).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="condition") | models.Q(region=""), name="page_region_only_for_conditions"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("education:page", kwargs={"slug": self.slug})


class FaqItem(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="faq_items")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown, a paragraph or two.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ item"

    def __str__(self):
        return self.question
