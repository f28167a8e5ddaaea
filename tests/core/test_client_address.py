"""One client address (docs/access.md, "The client address"): X-Forwarded-For is believed only with a proxy
configured, and the audit log, consent records, rate limits and lockout all use the same answer."""

import pytest
from django.test import RequestFactory, override_settings

from clinic.core.client import client_ip
from clinic.core.models import AuditEvent
from tests.factories import front_desk_user

FORGED = {"HTTP_X_FORWARDED_FOR": "6.6.6.6", "REMOTE_ADDR": "203.0.113.9"}


def request_with(**meta):
    return RequestFactory().get("/", **meta)


def test_it_ignores_a_forged_header_without_a_proxy():
    assert client_ip(request_with(**FORGED)) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_it_takes_the_address_our_proxy_saw_with_one_proxy():
    # The client typed "6.6.6.6"; our proxy (10.0.0.2) appended the address it really saw.
    request = request_with(HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == "198.51.100.4"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_it_counts_proxies_from_the_right():
    request = request_with(HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4, 10.0.0.7", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == "198.51.100.4"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_it_falls_back_to_the_peer_when_the_proxy_sent_no_header():
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_without_a_request_there_is_no_address():
    assert client_ip(None) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "expected"), [(0, "203.0.113.9"), (1, "6.6.6.6")])
def test_the_audit_log_and_the_lockout_use_the_same_address(client, proxies, expected):
    user = front_desk_user()
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"}, **FORGED)

    event = AuditEvent.objects.get(action="login_failed")
    assert event.ip_address == expected
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get().ip_address == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "limited"), [(0, True), (1, False)])
def test_a_forged_header_does_not_escape_the_address_limit_without_a_proxy(client, proxies, limited):
    users = [front_desk_user() for _ in range(3)]
    with override_settings(TRUSTED_PROXY_COUNT=proxies, LOGIN_FAILURES_PER_ADDRESS_RATE="3/h"):
        for n in range(3):
            client.post(
                "/accounts/login/",
                {"username": users[n].username, "password": "wrong"},
                HTTP_X_FORWARDED_FOR=f"6.6.6.{n}",
                REMOTE_ADDR="203.0.113.9",
            )
        response = client.post(
            "/accounts/login/",
            {"username": users[0].username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="6.6.6.99",
            REMOTE_ADDR="203.0.113.9",
        )

    assert (response.status_code == 429) is limited


def test_rate_limits_count_a_caller_without_an_address_instead_of_failing():
    from clinic.core.client import client_ip_for_rate_limits

    assert client_ip_for_rate_limits(request_with(REMOTE_ADDR="")) == "0.0.0.0"  # noqa: S104
    assert client_ip_for_rate_limits(request_with(**FORGED)) == "203.0.113.9"
