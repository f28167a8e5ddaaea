"""Refuse requests no view can read, before any middleware or view tries to: the answer is a 400 page.

Form posts must be UTF-8 (`application/x-www-form-urlencoded; charset=utf-16` cannot be decoded, and every later
reader of request.POST, the CSRF check first, would fail on it), and no query parameter may carry a NUL byte
(PostgreSQL refuses NUL in text, so it would fail in the first query that used it). Form fields are left to the forms:
their CharFields refuse NUL with a message next to the field.
"""

import logging

from django.shortcuts import render

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectUnreadableRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem:
            logger.info(
                "refused an unreadable request to %s: %s", request.path[:200].encode("unicode_escape"), problem
            )
            return render(request, "400.html", {"problem": problem}, status=400)
        return self.get_response(request)

    @staticmethod
    def problem(request) -> str:
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
            charset = (request.content_params.get("charset") or "utf-8").strip().lower()
            if charset not in ("utf-8", "utf8"):
                return "form not sent as UTF-8"
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return "NUL byte in the address"
        return ""
