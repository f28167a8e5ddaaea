"""Test-only app: registers the test message kind inside worker processes started by the failure tests."""

from django.apps import AppConfig


class OutboxTestAppConfig(AppConfig):
    name = "tests.outbox_app"
    label = "outbox_test_app"

    def ready(self):
        from . import kinds

        kinds.register()
