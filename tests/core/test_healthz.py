"""/healthz names the part that is down: 503 without the database, 200 "degraded" without the broker or the cache
(pages and bookings still work then, so a load balancer must keep the web process in)."""

import pytest
from django.db import OperationalError
from django.test import override_settings

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_it_reports_ok_when_database_broker_and_cache_are_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "degraded": [], "database": "ok", "broker": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@override_settings(CELERY_BROKER_URL=UNREACHABLE_REDIS)
def test_it_says_degraded_when_the_broker_is_down(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "degraded": ["broker"],
        "database": "ok",
        "broker": "down",
        "cache": "ok",
    }


def test_it_says_degraded_when_the_cache_is_down(client, settings):
    settings.CACHES = {alias: {**config, "LOCATION": UNREACHABLE_REDIS} for alias, config in settings.CACHES.items()}

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["degraded"] == ["cache"]
    assert response.json()["cache"] == "down"


def test_it_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "down"


def test_it_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
