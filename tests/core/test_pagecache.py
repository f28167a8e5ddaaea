"""The public page cache (clinic/core/pagecache.py): what one visitor is sent is shared with another only when
it holds nothing personal and no CSRF token, and a change, a deploy or a session means a freshly rendered page."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import include, path

from booking import services as booking_services
from clinic.core import pagecache
from clinic.core.pagecache import public_page
from clinic.core.services import location_changed
from education import services as education_services
from tests.factories import LocationFactory, clinic_admin_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


@public_page
def form_with_csrf(request):
    """A public page that (wrongly) holds a form with a CSRF token: it must never be shared."""
    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    return HttpResponse(template.render(request=request))


RENDERED = []


@public_page
def page_with_nonce(request):
    RENDERED.append(1)
    response = HttpResponse("<script nonce='abc'></script>")
    response["Content-Security-Policy"] = "script-src 'nonce-abc'"
    return response


urlpatterns = [
    path("csrf-form/", form_with_csrf),
    path("nonce/", page_with_nonce),
    path("", include("clinic.urls")),
]


def test_it_serves_the_next_anonymous_visitor_from_the_cache(client, django_assert_num_queries):
    LocationFactory(name="Bangalore – Indiranagar")
    first = client.get("/")
    assert not first.cookies
    assert "Cookie" not in first.get("Vary", "")

    # The whole page comes from the page cache: no query.
    with django_assert_num_queries(0):
        second = Client().get("/", {"utm_source": "leaflet"})  # a parameter the page does not read

    assert second.status_code == 200
    assert second.content == first.content
    assert "Bangalore – Indiranagar" in second.content.decode()
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def test_a_page_from_the_cache_carries_every_security_header_a_rendered_one_does(client):
    """The cache answers before any other middleware runs: the headers they add must come stored with the page."""
    rendered = client.get("/learn/")
    with mock.patch.object(pagecache.PublicPageCacheMiddleware, "_render", side_effect=AssertionError("rendered")):
        cached = Client().get("/learn/")

    assert cached.content == rendered.content
    for name in SECURITY_HEADERS:
        assert rendered.has_header(name), name
        assert cached[name] == rendered[name], name


def test_plain_http_is_still_sent_to_https_when_a_page_is_cached(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/learn/", secure=True).status_code == 200  # stored, under the https key
    response = Client().get("/learn/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/learn/"


def test_it_never_shares_a_staff_members_page_or_csrf_token_with_another_visitor(client):
    staff = clinic_admin_user(first_name="Meera")
    staff_client = Client()
    staff_login(staff_client, staff)

    staff_page = staff_client.get("/").content.decode()
    visitor_page = client.get("/").content.decode()
    staff_again = staff_client.get("/").content.decode()

    assert "Log out Meera" in staff_page
    assert "csrfmiddlewaretoken" in staff_page
    assert "Meera" not in visitor_page
    assert "csrfmiddlewaretoken" not in visitor_page
    assert "Staff login" in visitor_page
    assert "Log out Meera" in staff_again  # a session always gets its own page, never the cached one


def test_it_gives_a_visitor_with_a_session_a_fresh_page(client, django_assert_num_queries):
    client.get("/learn/")
    staff_client = Client()
    staff_login(staff_client, clinic_admin_user())
    # Rendered, not cached (the footer's locations come from the cache the first visit warmed):
    # 1 django_session: the staff member's session
    # 2 auth_user: the user of that session, with their permissions, groups, devices and staff records
    #   (desk.auth.StaffBackend), so the header's staff links need no query of their own
    # 3 otp_totp_totpdevice: their second factor, verified for this session
    with django_assert_num_queries(3):
        staff_client.get("/learn/")


@pytest.mark.urls("tests.core.test_pagecache")
def test_it_never_stores_a_page_with_a_csrf_token():
    first, second = Client().get("/csrf-form/"), Client().get("/csrf-form/")

    tokens = [response.content.decode().split('value="')[1] for response in (first, second)]
    assert tokens[0] != tokens[1]
    assert first.cookies  # each visitor got their own CSRF cookie
    assert second.cookies


@pytest.mark.urls("tests.core.test_pagecache")
def test_it_never_stores_a_page_with_a_csp_nonce():
    RENDERED.clear()
    Client().get("/nonce/")
    Client().get("/nonce/")
    assert len(RENDERED) == 2


def test_it_keeps_each_search_apart_by_its_query(client):
    heel = client.get("/learn/search/", {"q": "heel"}).content.decode()
    back = client.get("/learn/search/", {"q": "back"}).content.decode()
    assert 'value="heel"' in heel
    assert 'value="back"' in back


@pytest.mark.parametrize(
    "change",
    [location_changed, booking_services.service_catalogue_changed, education_services.content_changed],
    ids=["location", "service", "content"],
)
def test_it_renders_again_after_a_change_commits(client, django_capture_on_commit_callbacks, change):
    location = LocationFactory(name="Old name")
    client.get("/")
    location.name = "New name"
    location.save()
    with django_capture_on_commit_callbacks() as callbacks:
        change()
    assert "Old name" in client.get("/").content.decode()  # not before the change commits
    for callback in callbacks:
        callback()
    assert "New name" in client.get("/").content.decode()


def test_a_change_committed_by_another_process_is_served_within_the_generation_seconds(client, settings):
    settings.PAGE_CACHE_GENERATION_SECONDS = 60
    location = LocationFactory(name="Old name")
    client.get("/")
    location.name = "New name"
    location.save()
    # Another web process's change: the new generation is in the shared cache, not yet known to this process.
    cache.set(pagecache.GENERATION_KEY, "started-elsewhere", timeout=None)
    assert "Old name" in client.get("/").content.decode()  # this process takes its last read as current meanwhile

    with mock.patch.object(pagecache.time, "monotonic", return_value=pagecache.time.monotonic() + 61):
        assert "New name" in client.get("/").content.decode()


def test_the_process_that_commits_a_change_serves_it_at_once(client, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_GENERATION_SECONDS = 60
    location = LocationFactory(name="Old name")
    client.get("/")
    location.name = "New name"
    location.save()
    with django_capture_on_commit_callbacks(execute=True):
        location_changed()
    assert "New name" in client.get("/").content.decode()


def test_a_new_release_never_serves_pages_of_the_old_one(client):
    location = LocationFactory(name="Old name")
    client.get("/")
    location.name = "New name"
    location.save()  # the footer's list is forgotten, but no generation is started
    assert "Old name" in client.get("/").content.decode()

    with mock.patch.object(pagecache, "release", return_value="next-release"):
        assert "New name" in client.get("/").content.decode()


def test_it_leaves_visitors_with_a_waiting_message_and_other_methods_alone(client):
    client.get("/")
    client.cookies["messages"] = "something"
    response = client.get("/")
    assert response.status_code == 200
    assert "Cookie" in response["Vary"]  # rendered for this visitor
    assert Client().post("/").status_code == 405


def test_it_renders_every_page_while_the_shared_cache_is_unreachable(client):
    """The cache degrades to misses when Redis is down: no page may then come from a process's own memory, since
    no change could be heard of."""
    location = LocationFactory(name="Old name")
    client.get("/")  # kept in the shared cache and in this process's memory
    location.name = "New name"
    location.save()  # no generation started: only a fresh rendering shows it
    with mock.patch.object(pagecache, "_generation", return_value=None):
        assert "New name" in client.get("/").content.decode()
    assert "Old name" in client.get("/").content.decode()  # back to the (unchanged) generation's copy
