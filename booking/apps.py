"""App config of booking: registers its message kinds, the intake's service list and the review receiver."""

from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"

    def ready(self):
        from intake.catalogue import register_held_source, register_service_source
        from intake.signals import intake_reviewed

        from . import course_messages, messages, receivers

        messages.register()
        course_messages.register()
        register_service_source(receivers.service_options)
        register_held_source(receivers.held_appointments)
        intake_reviewed.connect(receivers.on_intake_reviewed, dispatch_uid="booking.intake_reviewed")
