"""URLs of the screening questionnaire (/intake/)."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.start, name="start"),
]
