"""App config of education."""

from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
