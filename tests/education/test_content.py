"""Our content: original (no run of the seed articles), plain (reading grade 5 to 7, never over 8), loaded
idempotently, never overwriting an admin's edit, citing only complete references, and the pages that say who should
not book agreeing with the screening rules of docs/clinical.md."""

import itertools
import re
from pathlib import Path

import pytest
import textstat
import textstat.backend.counts._count_syllables as textstat_syllables
from django.core.management import call_command

from education.content_files import CONTENT_DIR, read_content
from education.models import FaqItem, Page, Reference
from education.rendering import markdown_to_text, render_markdown
from education.selectors import published_page
from tests.support import originality

REPO = Path(__file__).resolve().parents[2]
CLINICAL_DOC = REPO / "docs" / "clinical.md"
OWN_PATHS = [REPO / "education", REPO / "static" / "education"]
MIN_GRADE, MAX_GRADE = 5, 7  # NHS-style patient information: plain, but in whole, joined-up sentences


def _own_text(path: Path) -> str:
    """The file's text, less the titles and author lists of cited studies: a citation must quote them exactly,
    and seed 002 lists some of the same studies."""
    text = path.read_text(encoding="utf-8")
    if path.name == "references.toml":
        text = "\n".join(line for line in text.splitlines() if not line.startswith(("title = ", "authors = ")))
    return text


def test_it_copies_no_run_of_ten_words_from_any_seed_article():
    """Guards originality: the seed articles are others' work; we use their facts, never their sentences. Without
    ../shared/seeds the stored fingerprints of their runs stand in (tests/support/originality.py says which)."""
    seeds = originality.seed_fingerprints()
    ours = [
        path
        for root in OWN_PATHS
        for path in root.rglob("*")
        if path.is_file() and path.suffix in {".md", ".toml", ".html", ".py", ".css", ".js", ".txt"}
    ]
    assert len(ours) > 30

    copied = {
        f"{path.relative_to(REPO)}: {run}" for path in ours for run in originality.copied_runs(_own_text(path), seeds)
    }

    assert copied == set()


@pytest.fixture
def reading_grade(monkeypatch):
    """Flesch–Kincaid grade with syllables from Pyphen: textstat's CMU dictionary would need a download."""
    monkeypatch.setattr(textstat_syllables, "get_cmudict", lambda lang: {})
    return textstat.flesch_kincaid_grade


def test_it_writes_every_page_at_reading_grade_five_to_seven(reading_grade):
    pages, _ = read_content()
    grades = {}
    for page in pages:
        answers = " ".join(f"{faq.question} {render_markdown(faq.answer).plain_text}" for faq in page.faq)
        grades[page.slug] = reading_grade(f"{page.summary} {render_markdown(page.body).plain_text} {answers}")

    assert len(grades) >= 28
    assert {slug: round(grade, 1) for slug, grade in grades.items() if not MIN_GRADE <= grade <= MAX_GRADE} == {}


def _short_sentence_runs(text: str) -> list[str]:
    """Places in running prose where two sentences of under eight words follow each other."""
    runs = []
    for paragraph in text.splitlines():
        if paragraph.lstrip().startswith(("-", "|", "#")):
            continue  # list items and table cells are short by nature
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", paragraph.strip()) if s]
        runs += [f"{a} {b}" for a, b in itertools.pairwise(sentences) if len(a.split()) < 8 and len(b.split()) < 8]
    return runs


def test_it_writes_joined_up_sentences_rather_than_stacking_short_ones():
    stacked = {
        page.slug: runs
        for page in read_content()[0]
        if (runs := _short_sentence_runs("\n".join([page.summary, page.body, *(faq.answer for faq in page.faq)])))
    }

    assert stacked == {}


def test_it_covers_every_topic_the_clinic_promised():
    slugs = {page.slug for page in read_content()[0]}

    for slug in [
        "what-is-dry-needling", "trigger-points", "how-dry-needling-works",
        "dry-needling-vs-acupuncture-and-massage", "superficial-dry-needling", "deep-dry-needling",
        "intramuscular-stimulation", "electrical-dry-needling", "plantar-fasciitis-heel-pain",
        "achilles-tendinopathy", "metatarsalgia", "tarsal-tunnel-syndrome", "shin-splints", "calf-strain-calf-pain",
        "ankle-sprain-recovery", "hip-pain", "pelvic-pain", "neck-and-shoulder-pain", "low-back-pain",
        "what-to-expect", "is-dry-needling-painful", "how-many-sessions", "aftercare", "who-benefits",
        "choosing-a-practitioner", "safety", "faq", "references",
    ]:  # fmt: skip
        assert slug in slugs


DOI = re.compile(r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+")
DETAILS = re.compile(r"\d+(\(\d+\))?:\d+(–\d+)?")  # volume(issue):first–last page, or volume:article number


def test_it_cites_only_references_with_every_detail_and_a_well_formed_doi():
    _, references = read_content()

    assert len(references) >= 9
    for reference in references:
        assert all([reference.authors, reference.title, reference.journal]), reference.key
        assert 1990 <= reference.year <= 2026, reference.key
        assert reference.key.endswith(f"-{reference.year}"), reference.key
        assert DETAILS.fullmatch(reference.details), f"{reference.key}: volume, issue and pages {reference.details!r}"
        assert DOI.fullmatch(reference.doi), f"{reference.key}: DOI {reference.doi!r}"
    assert len({reference.doi.lower() for reference in references}) == len(references)


def test_it_cites_every_reference_it_lists_from_some_page():
    pages, references = read_content()
    cited = {key for page in pages for key in page.references}

    assert {reference.key for reference in references} == cited


LITTLE_RESEARCH = re.compile(r"little research|no trial|no good trial")


def test_it_backs_every_page_that_claims_an_effect_with_a_study_or_says_how_little_research_there_is():
    pages = {page.slug: page for page in read_content()[0]}
    unbacked = {
        slug
        for slug, page in pages.items()
        if page.kind in {"condition", "treatment"} and not page.references and not LITTLE_RESEARCH.search(page.body)
    }

    assert unbacked == set()
    for slug in [
        "achilles-tendinopathy", "metatarsalgia", "tarsal-tunnel-syndrome", "ankle-sprain-recovery",
        "calf-strain-calf-pain", "shin-splints", "intramuscular-stimulation", "aftercare",
    ]:  # fmt: skip
        assert LITTLE_RESEARCH.search(pages[slug].body), f"{slug} must say how little research there is"
    heel = pages["plantar-fasciitis-heel-pain"].body
    assert "minimal important difference" in heel
    assert "one in three" in heel
    assert "foot function" not in heel  # the trial's primary outcomes were pain
    assert "exertional compartment syndrome" in pages["shin-splints"].body
    assert "no advice for treatment can yet be drawn" in pages["electrical-dry-needling"].body
    assert not [slug for slug, page in pages.items() if re.search(r"\b2012\b", page.body)]  # Hsieh is 2007
    pelvic = pages["pelvic-pain"].body
    for duty in ("specialist training", "separate written consent", "chaperone"):
        assert duty in pelvic


@pytest.mark.django_db
def test_it_loads_content_idempotently():
    call_command("load_content", verbosity=0)
    counts = (Page.objects.count(), FaqItem.objects.count(), Reference.objects.count())
    stamps = dict(Page.objects.values_list("slug", "updated_at"))

    call_command("load_content", verbosity=0)

    assert (Page.objects.count(), FaqItem.objects.count(), Reference.objects.count()) == counts
    assert dict(Page.objects.values_list("slug", "updated_at")) == stamps  # nothing rewritten
    assert counts[0] == len(list(CONTENT_DIR.glob("*.md")))


@pytest.mark.django_db
def test_it_keeps_an_admin_edit_unless_forced(tmp_path):
    for path in CONTENT_DIR.iterdir():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    call_command("load_content", directory=tmp_path, verbosity=0)
    Page.objects.filter(slug="aftercare").update(title="Edited by the clinic", edited_in_admin=True)
    heel = tmp_path / "plantar-fasciitis-heel-pain.md"
    heel.write_text(heel.read_text(encoding="utf-8").replace("most common cause", "most usual cause"))
    aftercare = tmp_path / "aftercare.md"
    aftercare.write_text(aftercare.read_text(encoding="utf-8").replace("What is normal", "What is usual"))

    call_command("load_content", directory=tmp_path, verbosity=0)

    assert Page.objects.get(slug="aftercare").title == "Edited by the clinic"
    assert "most usual cause" in Page.objects.get(slug="plantar-fasciitis-heel-pain").body

    call_command("load_content", directory=tmp_path, force=True, verbosity=0)

    page = Page.objects.get(slug="aftercare")
    assert page.title == "Aftercare: the first two days"
    assert "What is usual" in page.body
    assert not page.edited_in_admin


# Each row of the rule table in docs/clinical.md, by how its item starts, and where the safety page must list it:
# "call" = not suitable online; "review" = needs review (book, a therapist checks first); "day" = inform (tell us).
SAFETY_PAGE_ITEMS = {
    "bleeding disorder": {"call": ["bleeding disorder"]},
    "anticoagulant": {
        "call": ["INR is above its target range", "above 3.5 when you do not know your target", "two blood-thinning"],
        "review": ["blood thinners, such as warfarin", "more than seven days ago"],
    },
    "pregnancy": {
        "call": ["pregnancy in the first three months", "not sure how far along"],
        "review": ["pregnancy after the first three"],
    },
    "skin infection": {"call": ["skin infection", "where you want treatment"], "review": ["skin problem somewhere"]},
    "acute illness": {"call": ["an illness or a fever today"]},
    "strong fear of needles": {"call": ["strong fear of needles"], "review": ["nervous about needles"]},
    "cannot give consent": {"call": ["unable to give consent"]},
    "under 18": {"review": ["under 18", "guardian"]},
    "earlier serious or allergic reaction": {"call": ["serious or allergic reaction to needling", "sore arm"]},
    "lymphoedema": {
        "call": ["when that limb or the part of the body beside it", "not sure which side"],
        "review": ["in a limb we are not treating"],
    },
    "weakened immune system": {"review": ["weak immune system", "heart valve"]},
    "diabetes": {"review": ["diabetes"]},
    "vascular disease": {"review": ["blood vessels", "varicose veins"]},
    "epilepsy": {"review": ["epilepsy or seizures"]},
    "metal (nickel) allergy": {"review": ["allergy to metal", "latex", "antiseptic"]},
    "pacemaker": {"call": ["pacemaker", "electrical stimulation"], "day": ["implanted electrical device"]},
    "cancer in or near": {"review": ["cancer in or near the area"]},
    "surgery or implant": {"review": ["surgery or an implant near the area in the last three months"]},
    "alcohol or recreational drugs": {"day": ["alcohol or recreational drugs"]},
    "lung disease": {"review": ["lung disease", "collapsed lung"], "day": ["collapsed lung"]},
    "current or recent": {"call": ["blood clot", "leg or arm you want treated"], "review": ["blood clot"]},
    "joint replacement": {"review": ["joint replacement near the area", "however long ago"]},
    "all medicines": {"day": ["all the medicines", "NSAIDs", "SSRIs", "fish oil", "ginkgo"]},
    "fainting": {"call": ["fainting with needles"], "day": ["fainted with needles"]},
}


def _rule_table(path: Path) -> list[tuple[str, str]]:
    """(item, disposition) of each row of the rule table: the first and third columns after `| item |`."""
    rows = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| item |"):
            in_table = True
            continue
        if in_table and line.startswith("|---"):
            continue
        if in_table and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows.append((cells[0], cells[2]))
        elif in_table:
            break
    return rows


def _clinical_rules() -> list[tuple[str, str]]:
    """The rule table of docs/clinical.md, the repository's own record of the clinical basis."""
    rows = _rule_table(CLINICAL_DOC)
    assert len(rows) >= 19, f"{CLINICAL_DOC} has no rule table the safety page can be checked against."
    return rows


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    following = [html.find(tag, start + 1) for tag in ("<h2", "<h3")]
    ends = [position for position in following if position != -1]
    return html[start : min(ends) if ends else len(html)]


@pytest.mark.django_db
def test_it_lists_who_should_not_have_needling_as_the_screening_rules_say(content):
    """The safety page and the intake rules come from the same table; this guards that they never drift apart."""
    html = published_page("safety").body_html
    sections = {
        "call": _section(html, "do-not-book-online-call-us-first"),
        "review": _section(html, "you-can-book-and-a-therapist-checks-first"),
        "day": _section(html, "tell-us-on-the-day"),
    }
    rules = _clinical_rules()
    assert len(rules) == len(SAFETY_PAGE_ITEMS)  # a new rule in docs/clinical.md needs a line on the safety page

    for item, disposition in rules:
        matches = [key for key in SAFETY_PAGE_ITEMS if item.lower().startswith(key)]
        assert matches, f"docs/clinical.md rule {item!r} has no place on the safety page"
        expected = SAFETY_PAGE_ITEMS[matches[0]]
        assert bool(expected.get("call")) == ("not suitable online" in disposition), item
        assert bool(expected.get("review")) == ("needs review" in disposition), item
        assert bool(expected.get("day")) == ("inform" in disposition), item
        for where, phrases in expected.items():
            for phrase in phrases:
                assert phrase in sections[where], f"{phrase!r} missing from the {where!r} list ({item})"


CALL_ID = "do-not-book-online-call-us-first"
REVIEW_ID = "you-can-book-and-a-therapist-checks-first"
# Pages that repeat part of the safety page's lists, under the same headings, and FAQ answers that repeat all of one.
LISTING_PAGES = {
    "aftercare": [CALL_ID],
    "electrical-dry-needling": [CALL_ID, REVIEW_ID],
    "pelvic-pain": [CALL_ID, REVIEW_ID],
}
LISTING_FAQS = {
    "Who should not book needling online?": CALL_ID,
    "Who can book, but needs a therapist to check first?": REVIEW_ID,
}
ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)


def _items(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in ITEM.findall(html)]


@pytest.mark.django_db
def test_it_lists_who_should_not_book_in_the_same_words_on_every_page_that_lists_them(content):
    """A patient reading the FAQ, aftercare, electrical or pelvic page is told exactly what the safety page says."""
    safety_html = published_page("safety").body_html
    safety = {heading: _items(_section(safety_html, heading)) for heading in (CALL_ID, REVIEW_ID)}

    for slug, headings in LISTING_PAGES.items():
        html = published_page(slug).body_html
        for heading in headings:
            listed = _items(_section(html, heading))
            assert listed, f"{slug}: nothing listed under {heading}"
            assert [item for item in listed if item not in safety[heading]] == [], f"{slug}: {heading}"

    answers = {faq.question: faq.answer_html for faq in published_page("faq").faqs}
    for question, heading in LISTING_FAQS.items():
        assert _items(answers[question]) == safety[heading], question  # the whole list, in the same order


@pytest.mark.django_db
def test_it_gives_the_same_collapsed_lung_figure_wherever_it_gives_one(content):
    figure = "A collapsed lung is much rarer than 1 in 1,000 treatments, which is the figure for all major problems"
    faq_answers = " ".join(faq.answer_html for faq in published_page("faq").faqs)

    assert figure in published_page("safety").body_html
    assert figure in faq_answers
    for slug in ("safety", "faq", "aftercare", "neck-and-shoulder-pain"):
        page = published_page(slug)
        text = markdown_to_text(page.body_html + " ".join(faq.answer_html for faq in page.faqs))
        for sentence in re.split(r"(?<=[.!?])\s", text):
            if "collapsed lung" in sentence.lower() and re.search(r"\d", sentence):
                assert "much rarer than 1 in 1,000" in sentence or "7,629" in sentence, f"{slug}: {sentence}"


@pytest.mark.django_db
def test_it_tells_patients_to_call_the_emergency_number_for_late_breathlessness(content):
    for slug in ("aftercare", "safety"):
        text = published_page(slug).body_html
        assert "two days" in text
        assert "112 in India" in text
        assert "999 in the UK" in text


@pytest.mark.django_db
def test_it_quotes_the_safety_figures_of_clinical_md(content):
    text = published_page("safety").body_html

    for figure in ("7,629", "19 in every 100", "7.55%", "4.65%", "3.01%", "2.19%", "0.04%"):
        assert figure in text
    for figure in ("20,000", "420", "36.7%", "16%", "7.7%", "5.9%", "0.1%", "1 in 1,000"):
        assert figure in text
    assert {c.authors.split()[0] for c in published_page("safety").references} == {"Brady", "Boyce", "Muñoz"}
