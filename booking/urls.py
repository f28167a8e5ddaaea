"""URLs of the booking flow (/book/)."""

from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
]
