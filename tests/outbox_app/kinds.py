"""A message kind about locations, for outbox tests and benchmarks that run real worker processes."""

from clinic.core import outbox

KIND = "test.hello"


def render(message):
    return outbox.RenderedMessage(
        to=[f"patient{message.object_id}@example.com"],
        subject=f"Hello #{message.pk}",
        text="See you soon.",
    )


def register():
    outbox.register_kind(KIND, render=render)
