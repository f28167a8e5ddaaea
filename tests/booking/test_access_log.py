"""No token in the access log: gunicorn serves a patient's whole self-service flow, a returning-patient link, a
password-reset link and an admin search, with its access log written to a file; the file must hold none of the
tokens and no patient's name, and still say which routes were served (clinic/core/logs.py)."""

import http.client
import os
import re
import subprocess
import sys
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from booking import services
from booking.models import Appointment
from clinic.core.parsing import start_param
from intake.services import returning_link_token
from tests.booking.factories import IntakeFactory, PatientFactory, ServiceFactory, therapist_at
from tests.factories import LocationFactory, UserFactory
from tests.support.services import ROOT, free_port, wait_until

pytestmark = [pytest.mark.django_db(transaction=True)]

ALL_WEEK = tuple((day, 0, 23) for day in range(7))


class Browser:
    """Just enough of a browser over http.client: cookies kept by name, CSRF token sent back."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, referer: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1", "User-Agent": "access-log-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if referer:
            headers["Referer"] = f"http://127.0.0.1:{self.port}{referer}"
        data = None
        if body is not None:
            body = {**body, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            data = "&".join(f"{k}={v}" for k, v in body.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), content


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
        # DEBUG on only so the session and CSRF cookies work over plain HTTP here; the access log is the same.
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    # The project's gunicorn.conf.py (read from the working directory) sets the logger class.
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "clinic.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip

    def up() -> bool:
        try:
            return Browser(port).request("GET", "/ping")[0] == 200
        except OSError:
            return False

    try:
        wait_until(up, timeout=30, message="gunicorn to serve /ping")
        yield Browser(port), log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_access_log_of_a_full_flow_holds_no_token_and_no_name(gunicorn):
    browser, log = gunicorn
    location = LocationFactory(slug="indiranagar", time_zone="Asia/Kolkata")
    service = ServiceFactory(slug="assessment", locations=[location])
    therapist_at(location, [service], hours=ALL_WEEK)
    intake = IntakeFactory(patient=PatientFactory(first_name="Zephyrine", last_name="Quillfeather"), location=location)
    # 10:00 at the clinic three days ahead: inside its hours whatever the time of day the test runs.
    local = timezone.localtime(timezone.now(), ZoneInfo(location.time_zone)) + timedelta(days=3)
    start = local.replace(hour=10, minute=0, second=0, microsecond=0)
    appointment = services.appointment_book(
        patient=intake.patient, service=service, location=location, therapist=None, start=start
    )
    first = services.manage_token(appointment)
    returning = returning_link_token(intake)
    staff = UserFactory(username="sam")
    uid, reset = urlsafe_base64_encode(force_bytes(staff.pk)), default_token_generator.make_token(staff)

    manage = f"/book/manage/{first}/"
    assert browser.request("GET", manage + "?booked=1")[0] == 200
    assert browser.request("GET", manage + "calendar.ics", referer=manage)[0] == 200
    assert browser.request("GET", manage + "reschedule/", referer=manage)[0] == 200
    new_start = start_param(start + timedelta(days=1))
    assert browser.request("GET", manage + f"reschedule/?start={new_start}", referer=manage)[0] == 200
    status, headers, _ = browser.request("POST", manage + "reschedule/", {"start": new_start}, referer=manage)
    assert status == 302, "the move went through"
    second = urlsplit(headers["Location"]).path
    assert browser.request("GET", second + "?moved=1", referer=manage)[0] == 200
    assert browser.request("GET", second + "cancel/", referer=second)[0] == 200
    status, headers, _ = browser.request("POST", second + "cancel/", {"reason": "Zephyrine+is+ill"}, referer=second)
    assert status == 302
    third = urlsplit(headers["Location"]).path
    assert browser.request("GET", manage)[0] == 410  # the first link was replaced
    assert browser.request("GET", f"/intake/returning/{returning}/")[0] == 200
    assert browser.request("GET", f"/accounts/reset/{uid}/{reset}/")[0] in (200, 302)
    assert browser.request("GET", "/admin/intake/patient/?q=Quillfeather")[0] == 302
    assert browser.request("GET", "/learn/search/?q=Zephyrine")[0] in (200, 302)
    assert browser.request("GET", "/book/?service=assessment&location=indiranagar")[0] == 200
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED

    wait_until(lambda: "/book/?service=assessment" in log.read_text(), timeout=10, message="the last log line")
    text = log.read_text()
    secrets = {
        "first link": first,
        "second link": second.split("/")[3],
        "third link": third.split("/")[3],
        "returning link": returning,
        "reset token": reset,
        "reset user id": f"/{uid}/",
        "patient's first name": "Zephyrine",
        "patient's last name": "Quillfeather",
    }
    assert {what: value for what, value in secrets.items() if value in text} == {}
    # Still a useful log: each route is there, redacted.
    assert 'GET /book/manage/[redacted]/?booked=1 HTTP/1.1" 200' in text
    assert 'POST /book/manage/[redacted]/reschedule/ HTTP/1.1" 302' in text
    assert 'GET /book/manage/[redacted]/ HTTP/1.1" 410' in text
    assert "GET /intake/returning/[redacted]/ HTTP/1.1" in text
    assert "GET /accounts/reset/[redacted]/[redacted]/ HTTP/1.1" in text
    assert "GET /admin/intake/patient/?[redacted] HTTP/1.1" in text
    assert "GET /book/?service=assessment&location=indiranagar HTTP/1.1" in text
    assert len(re.findall(r"\[redacted\]", text)) >= 12
