"""Secrets stay out of logs (clinic/core/logs.py): every URL pattern that takes a token is redacted, private query
values are, and Django's own request log lines go through the same filter."""

import io
import logging

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clinic.core.logs import REDACTED, RedactSecretsFilter, redact_query, redact_text, redact_url

SECRET = "S3CR3T-t0ken:1abc:xyz"
# URL parameters that carry a key to someone's data.
SECRET_PARAMETERS = {"token", "uidb64"}


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _with_secret_parameters() -> list[str]:
    routes = []
    for route in _patterns(get_resolver()):
        if any(f"<str:{name}>" in route or f"<{name}>" in route for name in SECRET_PARAMETERS):
            routes.append(route)
    return routes


def test_it_knows_the_token_routes():
    """New routes with a token are found here automatically; each must be redacted (next test)."""
    assert "book/manage/<str:token>/" in _with_secret_parameters()
    assert "intake/returning/<str:token>/" in _with_secret_parameters()
    assert "accounts/reset/<uidb64>/<token>/" in _with_secret_parameters()


@pytest.mark.parametrize("route", _with_secret_parameters())
def test_every_route_with_a_token_is_redacted(route):
    path = "/" + route
    for name in SECRET_PARAMETERS:
        path = path.replace(f"<str:{name}>", SECRET).replace(f"<{name}>", SECRET)

    redacted = redact_url(path)

    assert SECRET not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/book/manage/abc.1:sig/reschedule/?week=2025-06-16", "/book/manage/[redacted]/reschedule/?week=2025-06-16"),
        ("/intake/returning/sent/", "/intake/returning/sent/"),
        ("/admin/intake/patient/?q=Zephyrine", "/admin/intake/patient/?[redacted]"),
        ("/learn/search/?q=pelvic+pain&page=2", "/learn/search/?q=[redacted]&page=2"),
        ("/book/?service=dry-needling&location=indiranagar", "/book/?service=dry-needling&location=indiranagar"),
        ("https://clinic.example/book/manage/tok/", "https://clinic.example/book/manage/[redacted]/"),
        ("/intake/?email=a%40b.example", "/intake/?email=[redacted]"),
    ],
)
def test_it_redacts_urls(url, expected):
    assert redact_url(url) == expected


def test_a_query_string_of_the_admin_is_redacted_whole():
    assert redact_query("q=Rao&o=1", "/admin/booking/appointment/") == REDACTED


def test_it_redacts_every_url_in_a_message():
    text = 'Not Found: /book/manage/abc:def/ after "GET /intake/returning/eyJ:1:x/ HTTP/1.1" 410'

    assert (
        redact_text(text)
        == 'Not Found: /book/manage/[redacted]/ after "GET /intake/returning/[redacted]/ HTTP/1.1" 410'
    )


def test_djangos_request_log_lines_are_redacted(client, db):
    """django.request logs 'Not Found: <path>' for a bad link; the console handler's filter redacts it."""
    handler = next(
        h for h in logging.getLogger("django").handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    )
    stream, handler.stream = handler.stream, io.StringIO()
    try:
        client.get(f"/book/manage/{SECRET}/")
        client.get("/admin/intake/patient/?q=Quillfeather")
        written = handler.stream.getvalue()
    finally:
        handler.stream = stream

    assert "Not Found: /book/manage/[redacted]/" in written
    assert SECRET not in written
    assert "Quillfeather" not in written


def test_the_development_servers_access_lines_are_redacted():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /book/manage/{SECRET}/ HTTP/1.1", "200", "5"),
        None,
    )

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == '"GET /book/manage/[redacted]/ HTTP/1.1" 200 5'
