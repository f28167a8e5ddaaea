"""SMS backends: a small interface so the outbox can text patients without knowing the provider.

SMS_BACKEND names the class; the console backend prints, the HTTP backend posts to a provider's JSON API.
"""

import json
import logging
import sys
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """The provider refused or could not be reached; the outbox retries later."""


@dataclass(frozen=True)
class SMS:
    to: str  # E.164, e.g. +919876543210
    text: str


class BaseSMSBackend:
    def send(self, sms: SMS) -> str:
        """Send one SMS; return the provider's message id. Raise SMSError on failure."""
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, sms: SMS) -> str:
        sys.stdout.write(f"SMS to {sms.to}:\n{sms.text}\n{'-' * 40}\n")
        return "console"


class LocMemSMSBackend(BaseSMSBackend):
    """Keeps sent texts in a list, for tests (like Django's locmem e-mail backend)."""

    outbox: list[SMS] = []

    def send(self, sms: SMS) -> str:
        LocMemSMSBackend.outbox.append(sms)
        return f"locmem-{len(LocMemSMSBackend.outbox)}"


class HTTPSMSBackend(BaseSMSBackend):
    """A provider with a JSON HTTP API: POST {"to", "from", "text"} with a bearer token, 2xx answers {"id": ...}.

    Settings: SMS_API_URL, SMS_API_TOKEN, SMS_SENDER.
    """

    def send(self, sms: SMS) -> str:
        body = json.dumps({"to": sms.to, "from": settings.SMS_SENDER, "text": sms.text}).encode()
        request = urllib.request.Request(  # noqa: S310  (URL comes from settings, https in production)
            settings.SMS_API_URL,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_API_TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SMSError(f"SMS provider answered {exc.code}") from exc
        except (OSError, ValueError) as exc:
            raise SMSError(f"SMS provider unreachable: {exc.__class__.__name__}") from exc
        return str(payload.get("id", ""))


def get_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()
