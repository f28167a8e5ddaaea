"""The SMTP e-mail backend: Django's, with the envelope sender prepared once per process."""

import smtplib

import pytest
from django.core.mail import EmailMessage, get_connection

from tests.support.services import SMTPSink

BACKEND = "clinic.core.mail.EmailBackend"
SENDER = "Needle & Move <appointments@clinic.test>"


def _send(smtp: SMTPSink, count: int, **options) -> int:
    connection = get_connection(BACKEND, host="127.0.0.1", port=smtp.port, timeout=5, **options)
    messages = [
        EmailMessage(subject=f"Hello {n}", body="See you soon.", from_email=SENDER, to=[f"patient{n}@example.com"])
        for n in range(count)
    ]
    return connection.send_messages(messages)


def test_it_sends_each_message_from_the_sender_address():
    with SMTPSink() as smtp:
        assert _send(smtp, 3) == 3

    assert smtp.senders == ["appointments@clinic.test"] * 3
    assert (smtp.received(), smtp.unique()) == (3, 3)


def test_it_raises_a_refusal_unless_told_to_fail_silently():
    with SMTPSink(refuse=True) as smtp:
        with pytest.raises(smtplib.SMTPDataError):
            _send(smtp, 1)
        assert _send(smtp, 1, fail_silently=True) == 0


def test_it_refuses_a_sender_address_that_does_not_parse():
    with SMTPSink() as smtp:
        connection = get_connection(BACKEND, host="127.0.0.1", port=smtp.port, timeout=5)
        bad = EmailMessage(subject="Hello", body="x", from_email="a@clinic.test, b@clinic.test", to=["p@example.com"])
        with pytest.raises(ValueError, match="Invalid address"):
            connection.send_messages([bad])

    assert smtp.received() == 0
