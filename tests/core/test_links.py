"""`{% link %}` (clinic/core/templatetags/links.py): the url tag's answer, remembered per URL map."""

from django.http import HttpResponse
from django.template import Context, Template
from django.test import override_settings
from django.urls import path

urlpatterns = [path("elsewhere/sign-in/", lambda request: HttpResponse(), name="login")]


def _rendered(text: str) -> str:
    return Template("{% load links %}" + text).render(Context())


def test_it_gives_what_the_url_tag_gives():
    names = ("login", "desk:home", "intake:review_queue")
    linked = [_rendered(f"{{% link '{name}' %}}") for name in names]
    assert linked == [_rendered(f"{{% url '{name}' %}}") for name in names]


def test_a_changed_url_map_is_followed_not_the_remembered_address():
    assert _rendered("{% link 'login' %}") == "/accounts/login/"
    with override_settings(ROOT_URLCONF=__name__):
        assert _rendered("{% link 'login' %}") == "/elsewhere/sign-in/"
    assert _rendered("{% link 'login' %}") == "/accounts/login/"
