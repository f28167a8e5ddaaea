"""Staff sessions that end, the second factor they owe, and no caching of personal pages (docs/access.md).

- Idle timeout: a session unused for SESSION_IDLE_MINUTES is ended (the page warns two minutes before, and the
  person can stay signed in: static/core/session-timeout.js).
- Absolute lifetime: SESSION_ABSOLUTE_HOURS after signing in the session ends whatever the activity.
- Second factor: a signed-in user who still owes a code reaches only the two-factor pages and logout.
- Cache-Control: no-store on every response to a signed-in user and on the pages that carry a patient's details.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .access import has_device, must_verify

STARTED_KEY = "staff_session_started"
SEEN_KEY = "staff_session_seen"
# Writing the session on every request costs a database write; a minute's slack on a 30-minute timeout does not.
SEEN_RESOLUTION_SECONDS = 30
# Pages with a patient's details even for patients without an account: the questionnaire and its result, the
# booking flow and its self-service links, and everything staff see.
PERSONAL_PREFIXES = ("/intake/", "/book/", "/desk/", "/accounts/", "/admin/")
NOT_PERSONAL_PREFIXES = ("/book/api/",)


# Sent by scripts that refresh a page on their own (static/desk/schedule.js); such requests are not activity.
BACKGROUND_HEADER = "X-Background-Refresh"


def session_times(request) -> tuple[float, float]:
    """(signed in at, last seen at) of this session, as POSIX timestamps."""
    now = timezone.now().timestamp()
    return request.session.get(STARTED_KEY, now), request.session.get(SEEN_KEY, now)


def session_seconds_left(request) -> int:
    """Seconds until this session ends, by idleness or by its absolute lifetime, whichever comes first."""
    started, seen = session_times(request)
    now = timezone.now().timestamp()
    idle_end = seen + settings.SESSION_IDLE_MINUTES * 60
    absolute_end = started + settings.SESSION_ABSOLUTE_HOURS * 3600
    return max(0, int(min(idle_end, absolute_end) - now))


def mark_seen(request) -> None:
    request.session[SEEN_KEY] = timezone.now().timestamp()


def _exempt_from_second_factor(path: str) -> bool:
    return path.startswith(("/accounts/two-factor/", "/accounts/logout/", settings.STATIC_URL)) or path in (
        "/healthz",
        "/ping",
    )


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, so nobody is signed in. Not touching request.user keeps the session unread, so public
            # pages carry no `Vary: Cookie` and stay shareable (clinic/core/pagecache.py).
            response = self.get_response(request)
            if self._personal(request):
                add_never_cache_headers(response)
            return response
        user = request.user
        if user.is_authenticated:
            if session_seconds_left(request) <= 0:
                return self._expired(request)
            now = timezone.now().timestamp()
            _, seen = session_times(request)
            # The warning dialog asks how long is left without counting as activity, and so does a page refreshing
            # itself in the background (the desk's schedule): only a person's clicks keep a session alive.
            counts = (request.path != reverse("session_status") or request.method == "POST") and request.headers.get(
                BACKGROUND_HEADER
            ) != "1"
            if counts and (now - seen >= SEEN_RESOLUTION_SECONDS or SEEN_KEY not in request.session):
                mark_seen(request)
            if not _exempt_from_second_factor(request.path) and must_verify(user):
                return self._owe_second_factor(request)
        response = self.get_response(request)
        if request.user.is_authenticated or self._personal(request):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _personal(request) -> bool:
        path = request.path
        return path.startswith(PERSONAL_PREFIXES) and not path.startswith(NOT_PERSONAL_PREFIXES)

    @staticmethod
    def _expired(request):
        from .account_services import session_end

        session_end(request=request, reason="timeout")
        messages.info(request, "You were signed out because the session timed out. Please sign in again.")
        wanted = request.get_full_path() if request.method == "GET" else "/desk/"
        response = redirect(f"{reverse('login')}?{urlencode({'next': wanted})}")
        add_never_cache_headers(response)
        return response

    @staticmethod
    def _owe_second_factor(request):
        name = "two_factor_verify" if has_device(request.user) else "two_factor_setup"
        wanted = request.get_full_path() if request.method == "GET" else "/desk/"
        response = redirect(f"{reverse(name)}?{urlencode({'next': wanted})}")
        add_never_cache_headers(response)
        return response
