"""URLs of the education pages (mounted at the site root for the home page and at /learn/)."""

from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("", views.home, name="home"),
    path("learn/", views.index, name="index"),
]
