"""What search engines read on an education page: canonical URL, Open Graph values and schema.org JSON-LD.

Pure functions of a page and its absolute URL; the view supplies the URL from the request.
"""

import json

from django.utils.safestring import SafeString, mark_safe

from clinic.core import brand

from .selectors import PageDetail

SITE_NAME = brand.NAME


def page_json_ld(detail: PageDetail, url: str) -> list[dict]:
    """A MedicalWebPage for every page, plus an FAQPage when the page answers questions."""
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": detail.card.title,
        "headline": detail.card.title,
        "description": detail.meta_description,
        "url": url,
        "inLanguage": "en-GB",
        "dateModified": detail.updated_at.isoformat(),
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "publisher": {"@type": "MedicalClinic", "name": SITE_NAME},
    }
    if detail.card.kind == "condition":
        page["about"] = {"@type": "MedicalCondition", "name": detail.card.title}
    elif detail.card.kind == "treatment":
        page["about"] = {"@type": "MedicalTherapy", "name": detail.card.title}
    if detail.reviewed_by:
        page["reviewedBy"] = {"@type": "Person", "name": detail.reviewed_by}
    if detail.reviewed_on:
        page["lastReviewed"] = detail.reviewed_on.isoformat()
    if detail.references:
        page["citation"] = [
            {
                "@type": "ScholarlyArticle",
                "name": ref.title,
                "author": ref.authors,
                "datePublished": str(ref.year),
                "isPartOf": ref.journal,
                **({"url": ref.doi_url} if ref.doi_url else {}),
            }
            for ref in detail.references
        ]
    blocks = [page]
    if detail.faqs:
        blocks.append(
            {
                "@context": "https://schema.org",
                "@type": "FAQPage",
                "url": url,
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": faq.question,
                        "acceptedAnswer": {"@type": "Answer", "text": faq.answer_html},
                    }
                    for faq in detail.faqs
                ],
            }
        )
    return blocks


def json_ld_script_body(data) -> SafeString:
    """JSON for a <script type="application/ld+json"> block; <, > and & are escaped so no text can end the block."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)
