"""The benchmark's WSGI application: the project as deployed, plus the physical limit beside it.

Paths under /bare/ go to a Django handler with no middleware at all (so /bare/ping is Django's URL resolution,
the view and the response, nothing else); everything else goes to the project's own application. Both run in the
same gunicorn workers, so the figures compare like with like."""

import os

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

from clinic.wsgi import application as project  # sets Django up


class BareHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = convert_exception_to_response(self._get_response)


bare = BareHandler()
PREFIX = "/bare"


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.startswith(PREFIX + "/"):
        environ["PATH_INFO"] = path[len(PREFIX) :]
        return bare(environ, start_response)
    return project(environ, start_response)
