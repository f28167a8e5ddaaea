"""The project package as an app, so it can carry commands that span every app (seed_demo)."""

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic project"
