"""Whole-response cache for the public pages an anonymous visitor reads (home, education), in django.core.cache.

Only what every visitor would be sent alike is shared, so nothing personal and no CSRF token can pass from one
visitor to another:

* a view opts in with `@public_page` (and names the query parameters it reads; others do not split the cache);
* only GETs without a session, messages or Authorization header are looked up or stored; staff and patients with a
  session always get a freshly rendered page;
* such a request is marked, and the `clinic` context processor gives its templates an anonymous user and no
  messages without touching the session, so the page carries no `Vary: Cookie`;
* a response is stored only if it is a plain 200 with no Set-Cookie, no `Vary: Cookie`, no private or no-store
  cache control, no CSP nonce, and no CSRF token used while rendering it (a form with `{% csrf_token %}` is never
  cached).

The key holds the release (a hash of the templates, the static manifest and the code, so a deploy never serves
a page built by older templates), the language, the scheme and host, the path and the named parameters. The entry
holds the generation it was rendered under; `public_pages_changed()` (called by the services that change content,
locations or services, on commit) starts a new generation, so every older entry is ignored from then on. The
generation is read before rendering, so a page rendered from data that a commit replaces meanwhile is stored under
the old generation and never served. Entries live in the shared cache and, once used, in each process's memory
too, checked against the generation, which each process reads from the shared cache at most every
PAGE_CACHE_GENERATION_SECONDS (1 s): so a page served from memory costs no network round trip, and a change reaches
every process within that second of its commit (at once in the process that made it).
"""

import functools
import hashlib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import has_vary_header
from django.utils.translation import get_language_from_request

GENERATION_KEY = "pagecache:generation"
TIMEOUT = 24 * 3600
# django.contrib.messages' cookie storage: a visitor with one has a message waiting to be shown.
MESSAGES_COOKIE = "messages"
# Headers that are recomputed for every response by the middleware outside this one, or must never be shared.
_NOT_STORED = {"set-cookie", "date"}


def public_page(view=None, *, params: tuple[str, ...] = ()):
    """Mark a view whose anonymous GET response may be shared; `params` are the query parameters it reads."""

    def mark(func):
        func.public_page_params = tuple(sorted(params))
        return func

    return mark(view) if view is not None else mark


def public_pages_changed() -> None:
    """Forget every cached public page once the current transaction commits (content, a location, a service)."""
    transaction.on_commit(generation_bump)


def generation_bump() -> None:
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, timeout=None)
    _remember(generation)  # this process serves the change at once (a new generation has no entries yet)


# This process's last read of the generation and until when (time.monotonic()) it is taken as current: a cached
# page then costs no round trip to the shared cache at all. Other processes see a change within
# PAGE_CACHE_GENERATION_SECONDS of its commit (0: read on every request).
_known: tuple[str | None, float] = (None, 0.0)


def _remember(generation: str) -> None:
    global _known
    _known = (generation, time.monotonic() + settings.PAGE_CACHE_GENERATION_SECONDS)


def forget_generation() -> None:
    """Read the generation from the shared cache on the next request (tests, after clearing the caches)."""
    global _known
    _known = (None, 0.0)


def _generation() -> str | None:
    """The current generation, started if there is none; None when the shared cache cannot be reached."""
    generation, until = _known
    if generation is not None and time.monotonic() < until:
        return generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    if generation is not None:
        _remember(generation)
    return generation


# Settings that shape the headers a stored page carries (the security middleware's, the content security and
# permissions policies): a change to one, even through the environment alone, is a new release.
_HEADER_SETTINGS = ("SECURE_", "CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY", "X_FRAME_OPTIONS")


@functools.cache
def release() -> str:
    """What this deploy renders pages with: templates, the hashed static file names, the project's code and the
    settings behind the stored headers."""
    digest = hashlib.sha256(settings.RELEASE.encode())
    for name in sorted(name for name in dir(settings) if name.startswith(_HEADER_SETTINGS)):
        digest.update(f"{name}={getattr(settings, name)!r}".encode())
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(settings.BASE_DIR) / app for app in ("clinic", "education", "intake", "booking")]
    files = [path for root in roots for path in sorted(root.rglob("*")) if path.suffix in {".html", ".txt", ".py"}]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in [*files, manifest]:
        if path.is_file():
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=1024)
def _params_of(path: str, urlconf: str | None) -> tuple[str, ...] | None:
    """The view's declared parameters if `path` is a public page, else None (resolved once per path)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return getattr(match.func, "public_page_params", None)


def _may_share(request) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _key(request, params: tuple[str, ...]) -> str | None:
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the normal path answers 400
    parts = [release(), get_language_from_request(request), request.scheme, host, request.path]
    parts += [f"{name}={value}" for name in params for value in request.GET.getlist(name)]
    return "pagecache:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _storable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token was rendered into the body
        and "'nonce-" not in response.get("Content-Security-Policy", "")  # a nonce is for one response only
    )


class PublicPageCacheMiddleware:
    """Serve and store public pages (see the module's docstring). First of all the middleware: a stored page
    carries the headers every other middleware gave it (security, content security and permissions policies, frame
    options), so a hit runs none of them, and no session, CSRF, auth or messages work at all. What the others would
    refuse or redirect (plain HTTP when HTTPS is required, a NUL in the path or in a parameter the page reads) is
    never a stored 200 under its key, so it reaches them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = _params_of(request.path_info, get_urlconf()) if _may_share(request) else None
        key = _key(request, params) if params is not None else None
        if key is None:
            return self.get_response(request)
        generation = _generation()
        if generation is None:
            # The shared cache is unreachable (it degrades to misses): without the generation no copy can be
            # known to be current, so every visitor gets a freshly rendered page until it is back.
            return self.get_response(request)
        # This process's memory first (no page crossing the network), then the shared cache.
        entry = caches["local"].get(key)
        if entry is None or entry[0] != generation:
            entry = cache.get(key)
            if entry is not None and entry[0] == generation:
                caches["local"].set(key, entry, TIMEOUT)
        if entry is not None and entry[0] == generation:
            _, status, headers, content = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = self._render(request)
        if _storable(request, response):
            headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
            entry = (generation, response.status_code, headers, response.content)
            cache.set(key, entry, TIMEOUT)
            caches["local"].set(key, entry, TIMEOUT)
        return response

    def _render(self, request):
        request.is_public_page = True
        return self.get_response(request)
