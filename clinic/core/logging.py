"""Log formatting that never writes what a visitor typed: exceptions appear as their class and where they were
raised, not their message (a KeyError or ValueError message repeats the raw input, which may be health data or an
attack string), and control characters in a line are escaped so a NUL or a newline cannot forge or break lines."""

import logging
import traceback

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
