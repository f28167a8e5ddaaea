"""The base layout: navigation, footer with every location, strict CSP, staff login and lockout."""

import pytest
from django.core.cache import cache

from clinic.core.services import location_changed
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_navigation_and_every_location_in_the_footer(client):
    LocationFactory(name="Bangalore – Indiranagar", phone="+91 80 4567 8900")
    LocationFactory(name="London – Clerkenwell", phone="+44 20 7946 0321", country="GB", time_zone="Europe/London")

    html = client.get("/").content.decode()

    for label in ("Learn", "Am I suitable?", "Book", "Staff login", "Skip to main content"):
        assert label in html
    assert "Bangalore – Indiranagar" in html
    assert "+91 80 4567 8900" in html
    assert "London – Clerkenwell" in html
    assert "+44 20 7946 0321" in html


def test_it_updates_the_footer_when_a_location_changes(client, django_capture_on_commit_callbacks):
    location = LocationFactory(name="Old name")
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):  # what the location admin's save does
        location.name = "New name"
        location.save()
        location_changed()

    assert "New name" in client.get("/").content.decode()


def test_it_serves_pages_under_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "cdn" not in response.content.decode().lower()


def test_it_costs_one_query_whatever_the_number_of_locations(client, django_assert_num_queries):
    for _ in range(10):
        LocationFactory()
    cache.clear()

    # The login page has no data of its own. Cold cache:
    # 1 core_location: the footer's locations (then cached)
    with django_assert_num_queries(1):
        client.get("/accounts/login/")
    # Warm cache: the footer's locations come from the cache (the page itself is never cached: it has a CSRF token).
    with django_assert_num_queries(0):
        client.get("/accounts/login/")


def test_it_lets_staff_log_in(client):
    UserFactory(username="desk", is_staff=True)

    response = client.post("/accounts/login/", {"username": "desk", "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert client.get("/").context["user"].username == "desk"


def test_it_locks_a_username_out_after_repeated_wrong_passwords(client):
    UserFactory(username="desk", is_staff=True)
    for _ in range(5):
        client.post("/accounts/login/", {"username": "desk", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")

    response = client.post(
        "/accounts/login/", {"username": "desk", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.1"
    )

    assert response.status_code == 429
    assert "Login paused" in response.content.decode()


def test_it_explains_a_rate_limit_with_a_429_page(rf):
    from django_ratelimit.exceptions import Ratelimited
    from django_ratelimit.middleware import RatelimitMiddleware

    def limited_view(request):
        raise Ratelimited()

    LocationFactory(name="Bangalore – Indiranagar")
    middleware = RatelimitMiddleware(limited_view)
    response = middleware.process_exception(rf.get("/intake/"), Ratelimited())

    assert response.status_code == 429
    assert "Try again in an hour" in response.content.decode()


def test_it_uses_no_inline_styles_that_the_policy_would_block(client):
    """Regression: style attributes on the login page were silently dropped by the strict CSP."""
    html = client.get("/accounts/login/").content.decode()

    assert 'style="' not in html
