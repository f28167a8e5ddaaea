"""The HTTP SMS adapter against a local stub of a provider's JSON API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clinic.core.sms import SMS, HTTPSMSBackend, SMSError


class _Provider(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Provider.received.append((self.headers["Authorization"], body))
        self.send_response(_Provider.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "msg-42"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Provider.received, _Provider.status = [], 200
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_port}/v1/messages"
    settings.SMS_API_TOKEN = "token-123"
    settings.SMS_SENDER = "Clinic"
    yield _Provider
    server.shutdown()


def test_it_posts_the_text_with_the_token(provider):
    message_id = HTTPSMSBackend().send(SMS(to="+919876543210", text="Your appointment is tomorrow at 10:00."))

    assert message_id == "msg-42"
    assert provider.received == [
        (
            "Bearer token-123",
            {"to": "+919876543210", "from": "Clinic", "text": "Your appointment is tomorrow at 10:00."},
        )
    ]


def test_it_raises_an_sms_error_when_the_provider_refuses(provider):
    provider.status = 503

    with pytest.raises(SMSError, match="503"):
        HTTPSMSBackend().send(SMS(to="+919876543210", text="Hello"))


def test_it_raises_an_sms_error_when_the_provider_is_unreachable(settings):
    settings.SMS_API_URL = "http://127.0.0.1:9/v1/messages"
    settings.SMS_API_TOKEN = "token-123"

    with pytest.raises(SMSError, match="unreachable"):
        HTTPSMSBackend().send(SMS(to="+919876543210", text="Hello"))


def test_it_gives_up_on_a_provider_that_never_answers(settings):
    """A provider that accepts the connection and then says nothing must not hold the sweep: SMS_TIMEOUT_SECONDS."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts, never reads or answers
    settings.SMS_API_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/v1/messages"
    settings.SMS_API_TOKEN = "token-123"
    settings.SMS_TIMEOUT_SECONDS = 0.5
    try:
        with pytest.raises(SMSError, match="unreachable: TimeoutError"):
            HTTPSMSBackend().send(SMS(to="+919876543210", text="Hello"))
    finally:
        listener.close()
