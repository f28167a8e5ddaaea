"""App config of desk: the staff workspace (/desk/). It has no models; every write is a booking or intake service."""

from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
