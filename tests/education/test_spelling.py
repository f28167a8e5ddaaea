"""Typo tolerance of search: unknown words are swapped for the closest word of our titles and keywords. No database."""

import pytest

from education.selectors import correct_spelling

VOCABULARY = frozenset({"heel", "hip", "plantar", "fasciitis", "calf", "pain", "needling", "hell", "shin"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("heal pain", "heel pain"),  # one edit: "heel" and "hell" tie; the alphabetically first wins, every time
        ("plantar fascitis", "plantar fasciitis"),
        ("neeedling", "needling"),  # nine letters allow two edits
        ("calfs", "calf"),
        ("knee", "knee"),  # two edits from anything: left as typed
        ("hip", "hip"),  # words under four letters are never changed
        ("Plantar", "Plantar"),  # known words keep the person's spelling and case
        ("3mm", "3mm"),
    ],
)
def test_it_corrects_only_a_slip_of_the_keyboard(query, expected):
    assert correct_spelling(query, VOCABULARY) == expected
