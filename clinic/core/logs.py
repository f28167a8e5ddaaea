"""What reaches a log line: no secret, no patient's name, nothing a visitor typed.

Two guards. URLs: access logs (gunicorn's and Django's) never carry a secret or a private query (below). Exceptions:
`RedactingFormatter` writes an exception as its class and where it was raised, never its message (a KeyError or
ValueError message repeats the raw input, which may be health data or an attack string), and escapes control
characters in a line so a NUL or a newline cannot forge or break lines.

A patient's self-service link, a returning-patient link, a waiting-list claim link, a password-reset link and a
therapist's calendar feed link are keys: whoever reads them in a log can act as the patient or the member of staff,
or read a therapist's diary. Searches in the admin and the site carry names and health words in their query strings.
So every URL that reaches a log line goes through `redact_url`: secret path segments become "[redacted]", and query
values are kept only for the booking flow's own harmless parameters (service, location, week, ...). The route stays
readable, so the logs still say what happened.

`GunicornLogger` is gunicorn's logger class (gunicorn.conf.py); `RedactSecretsFilter` is on the console handler of
Django's LOGGING (settings), which also carries the development server's request lines.
"""

import logging
import re
import traceback
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# Routes whose next segment(s) are a secret token (tests/core/test_logs.py checks every URL pattern with a token).
_SECRET_PATHS = [
    re.compile(r"(/book/manage/)[^/?#\s\"]+"),
    re.compile(r"(/book/waitlist/offer/)[^/?#\s\"]+"),
    re.compile(r"(/intake/returning/)(?!sent/)[^/?#\s\"]+"),
    re.compile(r"(/intake/screening/)[^/?#\s\"]+"),
    re.compile(r"(/accounts/reset/)[^/?#\s\"]+/[^/?#\s\"]+"),
    re.compile(r"(/desk/calendar/feed/)[^/?#\s\"]+"),
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


# --- Exceptions and control characters ------------------------------------------------------------------------

MAX_LINE = 2000


def _describe(exc: BaseException | None) -> str:
    lines = []
    while exc is not None:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(exc.__traceback__))
        lines.append(f"{exc.__class__.__module__}.{exc.__class__.__qualname__} (message withheld)\n")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if exc is not None:
            lines.append("\nwhile handling or caused by:\n")
    return "".join(lines).rstrip("\n")


class RedactingFormatter(logging.Formatter):
    def formatException(self, ei) -> str:
        return _describe(ei[1])

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None  # never reuse a text another formatter produced with the message in it
        line = super().format(record)
        head, sep, rest = line.partition("\nTraceback")
        head = head.encode("unicode_escape", "backslashreplace").decode("ascii")[:MAX_LINE]
        return head + (sep + rest if sep else "")
