"""The patient wording of the intake: plain (reading grade about 5 to 7), its consent text versioned by content, and
original (no run of ten words from the seed articles the product was started from)."""

from pathlib import Path

import pytest
import textstat
import textstat.backend.counts._count_syllables as textstat_syllables

from intake import consent, rules
from tests.support import originality

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def reading_grade(monkeypatch):
    """Flesch–Kincaid grade with syllables from Pyphen: textstat's CMU dictionary would need a download."""
    monkeypatch.setattr(textstat_syllables, "get_cmudict", lambda lang: {})
    return textstat.flesch_kincaid_grade


def _outcome_wording() -> str:
    return " ".join(text for rule in rules.RULES for _, text in rule.wordings())


def test_it_words_the_outcomes_at_reading_grade_five_to_seven(reading_grade):
    assert 5 <= reading_grade(_outcome_wording()) <= 7


def test_it_words_the_consent_at_reading_grade_five_to_seven(reading_grade):
    text = " ".join(consent.paragraphs(emergency_number="112"))

    assert 5 <= reading_grade(text) <= 7


def test_it_writes_no_outcome_or_consent_paragraph_above_grade_ten(reading_grade):
    """Averages hide a hard sentence; no single paragraph may be much harder than the rest. (One short sentence
    with a word such as "circulation" scores high on its own, hence the looser limit per paragraph.)"""
    texts = [text for rule in rules.RULES for _, text in rule.wordings()] + consent.paragraphs(emergency_number="112")

    assert {text: reading_grade(text) for text in texts if reading_grade(text) > 10} == {}


def test_it_ties_each_consent_version_to_its_text():
    """Fails when a released consent text changes: patients agreed to it word for word. Add a new version instead."""
    assert list(consent.CONSENT_TEXTS)[-1] == consent.CONSENT_VERSION
    assert set(consent.FINGERPRINTS) == set(consent.CONSENT_TEXTS)
    for version in consent.CONSENT_TEXTS:
        assert consent.fingerprint(version) == consent.FINGERPRINTS[version], version


def test_it_covers_what_the_consent_section_of_the_clinical_notes_lists():
    text = " ".join(consent.paragraphs(emergency_number="999"))

    for phrase in (
        "sterile",
        "nothing is injected",
        "sore for one or two days",
        "bruise",
        "faint",
        "about one treatment in a thousand",
        "collapsed lung",
        "much rarer than one in a thousand",  # its own figure, never lumped in with all major events
        "7,629 treatments in Ireland did not see a single one",
        "nerve injury",
        "infection",
        "short of breath or have chest pain",
        "up to about two days later",
        "call 999",
        "electrical stimulation",
        "tingling",
        "twitch",
        "pacemaker",
        "cannot promise",
        "stop at any time",
        "take back your consent",
        "course of dry needling",
        "parent or guardian",
    ):
        assert phrase in text, phrase


def test_it_copies_no_run_of_ten_words_from_any_seed_article():
    seeds = originality.seed_fingerprints()  # the seed articles, or their stored fingerprints without ../shared
    ours = [
        path
        for path in (REPO / "intake").rglob("*")
        if path.is_file() and path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts
    ]
    wording = [_outcome_wording(), " ".join(consent.paragraphs()), *(q.label + " " + q.help for q in rules.QUESTIONS)]

    texts = [*(p.read_text(encoding="utf-8") for p in ours), *wording]
    copied = {run for text in texts for run in originality.copied_runs(text, seeds)}

    assert len(ours) > 20
    assert copied == set()


@pytest.mark.parametrize(
    ("label", "plain"),
    [
        ("If yes: which medicines? Choose all you take.", "Which medicines? Choose all you take"),
        ("Do you have a pacemaker?", "Do you have a pacemaker"),
        ("Your date of birth:", "Your date of birth"),
    ],
)
def test_the_error_summary_reads_each_label_without_its_own_punctuation(label, plain):
    """Prevents "Choose all you take.: Please answer" in the error summary."""
    from intake.forms import _plain_label

    assert _plain_label(label) == plain
