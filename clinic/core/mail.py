"""Django's SMTP e-mail backend, with the envelope sender prepared once per process instead of once per message.

Django parses and re-encodes the From address for every e-mail it sends; with a display name ("Needle & Move
<appointments@...>") that takes about a fifth of a worker's CPU per outbox message, for an address that is the same
every time. Everything else (connection, TLS, timeouts, errors) is Django's.
"""

import functools
import smtplib

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address


@functools.lru_cache(maxsize=16)
def _envelope_sender(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message):
        # Django's own _send (5.2), but for the cached sender.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = _envelope_sender(str(email_message.from_email), encoding)
        recipients = [sanitize_address(address, encoding) for address in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
