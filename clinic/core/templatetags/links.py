"""`{% link %}`: the address of a page that takes no arguments, for the header, navigation and footer every page
renders (templates/base.html, templates/staff_base.html)."""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=128)
def _address(name: str, script_prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def link(name: str) -> str:
    """What `{% url name %}` gives, remembered for the process: reverse() costs about 60 µs, and a staff page's
    header and navigation ask for a dozen such addresses on every request (bench/bench_desk.py). Such an address
    depends only on the URL map and the script prefix (a site served under a sub-path), both in the cache's key (the
    url tag's current app matters only to a namespace mounted twice, and none is here); a name that does not resolve
    raises NoReverseMatch, as the url tag does."""
    # The URL map in force: a request's own (request.urlconf), else the setting, which tests may change.
    return _address(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
