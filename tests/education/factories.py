"""factory_boy factories for education content."""

import factory

from education.models import FaqItem, Page, Reference


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"study-{n}")
    authors = "Smith A, Jones B"
    year = 2019
    title = factory.Sequence(lambda n: f"A trial of needling number {n}")
    journal = "Journal of Tests"
    details = "1(1):1–10"
    doi = factory.Sequence(lambda n: f"10.1000/test.{n}")


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page
        django_get_or_create = ("slug",)

    kind = "guide"
    title = factory.Sequence(lambda n: f"Guide number {n}")
    slug = factory.Sequence(lambda n: f"guide-{n}")
    summary = "A short summary in plain words."
    body = (
        "## First part\n\nSome text.\n\n## Second part\n\nMore text.\n\n## Third part\n\nEven more [text](/learn/).\n"
    )
    meta_description = "A page for tests."
    is_published = True


class ConditionPageFactory(PageFactory):
    kind = "condition"
    region = "foot-ankle"
    title = factory.Sequence(lambda n: f"Condition number {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")


class FaqItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqItem

    page = factory.SubFactory(PageFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer with **bold** words."
    order = factory.Sequence(int)
