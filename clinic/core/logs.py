"""Keeping secrets and patients' names out of access logs (gunicorn's and Django's).

A patient's self-service link, a returning-patient link and a password-reset link are keys: whoever reads them in a
log can act as the patient or the member of staff. Searches in the admin and the site carry names and health words in
their query strings. So every URL that reaches a log line goes through `redact_url`: secret path segments become
"[redacted]", and query values are kept only for the booking flow's own harmless parameters (service, location, week,
...). The route stays readable, so the logs still say what happened.

`GunicornLogger` is gunicorn's logger class (gunicorn.conf.py); `RedactSecretsFilter` is on the console handler of
Django's LOGGING (settings), which also carries the development server's request lines.
"""

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# Routes whose next segment(s) are a secret token (tests/core/test_logs.py checks every URL pattern with a token).
_SECRET_PATHS = [
    re.compile(r"(/book/manage/)[^/?#\s\"]+"),
    re.compile(r"(/intake/returning/)(?!sent/)[^/?#\s\"]+"),
    re.compile(r"(/accounts/reset/)[^/?#\s\"]+/[^/?#\s\"]+"),
]
# Query parameters whose values are safe to log: the booking flow's choices and paging. Everything else, such as a
# search (`q`) or an e-mail address, is logged as [redacted].
SAFE_PARAMETERS = frozenset(
    {
        "service",
        "location",
        "therapist",
        "week",
        "date",
        "start",
        "days",
        "booked",
        "moved",
        "cancelled",
        "needles",
        "page",
    }
)
# Whole query strings of these paths are redacted (admin searches and filters name patients).
_PRIVATE_QUERY_PREFIXES = ("/admin/",)
_URL_IN_TEXT = re.compile(r"(?:https?://[^\s\"'/]+)?/[^\s\"']*")


def redact_path(path: str) -> str:
    for pattern in _SECRET_PATHS:
        path = pattern.sub(lambda m: m.group(1) + REDACTED + ("/" + REDACTED if "reset" in m.group(1) else ""), path)
    return path


def redact_query(query: str, path: str = "") -> str:
    if not query:
        return query
    if path.startswith(_PRIVATE_QUERY_PREFIXES):
        return REDACTED
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, v if k in SAFE_PARAMETERS else REDACTED) for k, v in pairs], safe="[]")


def redact_url(url: str) -> str:
    """A URL or path as it may be logged: secret segments and private query values replaced by [redacted]."""
    if not url or url == "-":
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL after all (a malformed request line): keep nothing of it
        return REDACTED
    path = redact_path(parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, redact_query(parts.query, path), ""))


def redact_text(text: str) -> str:
    """Every URL or path inside a free-text log message, redacted."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message and arguments so no token or private query reaches the handler's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_text(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


class GunicornLogger(Logger):
    """gunicorn's access log with the request line, path, query, referer and every header redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO", ""))
        uri = redact_url(environ.get("RAW_URI", ""))
        atoms["r"] = f"{environ['REQUEST_METHOD']} {uri} {environ['SERVER_PROTOCOL']}"
        atoms["U"] = path
        atoms["q"] = redact_query(environ.get("QUERY_STRING", ""), path)
        atoms["f"] = redact_url(atoms["f"])
        # Request and response headers ({referer}i, {location}o) and environ values ({raw_uri}e) may carry URLs.
        for key, value in list(atoms.items()):
            if key.startswith("{") and isinstance(value, str):
                atoms[key] = redact_text(value)
        return atoms
