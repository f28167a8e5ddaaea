"""App config of intake: registers its outbox message kinds when Django starts."""

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"

    def ready(self):
        from . import messages

        messages.register()
