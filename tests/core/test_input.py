"""Input that no view can read is refused with a 400 page; values are parsed strictly before the database or date
arithmetic sees them; logs never carry the raw input."""

import logging
from datetime import date

import pytest

from clinic.core import parsing
from clinic.core.logs import RedactingFormatter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/intake/", "/book/confirm/", "/accounts/login/", "/no-such-page/"])
def test_it_refuses_a_form_not_sent_as_utf8_on_every_url(client, path):
    response = client.generic(
        "POST", path, b"a=b&c=d", content_type="application/x-www-form-urlencoded; charset=utf-16"
    )

    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    assert len(response.content) < 20_000  # a page, not a pile of tracebacks


def test_it_refuses_a_nul_byte_in_the_address(client):
    assert client.get("/book/?service=%00").status_code == 400
    assert client.get("/book/api/slots/?location=%00").status_code == 400


def test_it_still_reads_utf8_forms(client):
    response = client.generic(
        "POST",
        "/intake/returning/",
        b"email=a%40b.example",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("²", None),
        ("٣", None),
        ("１２", None),
        ("-1", None),
        ("1" * 19, None),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_whole_numbers_in_ascii_digits_only(value, expected):
    assert parsing.whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-16", date(2025, 6, 16)),
        ("9999-12-31", None),
        ("0001-01-01", None),
        ("2025-02-30", None),
        ("２０２５-06-16", None),
        ("20250616", None),
    ],
)
def test_it_reads_dates_within_two_centuries_only(value, expected):
    assert parsing.iso_date(value) == expected


def test_it_reads_start_times_on_sensible_dates_only():
    assert parsing.utc_instant("20250616T0330Z", "%Y%m%dT%H%MZ").isoformat() == "2025-06-16T03:30:00+00:00"
    assert parsing.utc_instant("99991231T2359Z", "%Y%m%dT%H%MZ") is None
    assert parsing.utc_instant("2025０616T0330Z", "%Y%m%dT%H%MZ") is None


@pytest.mark.parametrize("value", ["a\x00b", "x" * 101, "ünïcode", "has space", ""])
def test_it_refuses_slugs_that_could_not_be_stored(value):
    assert parsing.slug(value) is None


def test_it_logs_the_exception_class_never_its_message():
    typed = "patient said: I take " + "warfarin"
    try:
        {}[typed]
    except KeyError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed on %s", ("a\x00b\nforged line",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = RedactingFormatter("%(message)s").format(record)

    assert "warfarin" not in line
    assert "builtins.KeyError (message withheld)" in line
    assert "\x00" not in line
    assert "\\nforged line" in line.splitlines()[0]


def test_it_counts_lockouts_under_a_user_name_cut_to_size(client):
    response = client.post("/accounts/login/", {"username": "u" * 2048, "password": "wrong"})

    assert response.status_code == 200
    assert "username" in response.content.decode().lower()
