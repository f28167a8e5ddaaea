"""Every page a patient meets says the same thing in its browser tab as in its heading: the <title> (before the
section and the brand) is the <h1>, one <h1> a page, and the brand is "Needle & Move". The pages' words spell
e-mail one way.

Walks the patient's pages with the test client: the guides, the screening's steps and outcomes, the returning
patient's pages, each booking step, the self-service link's pages (manage, move, cancel, replaced, invalid) and the
error pages."""

import json
import re
from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client

from booking import services as booking_services
from booking.calendar import appointment_ics
from booking.models import Appointment
from clinic.core import brand
from education.models import Page
from intake import services as intake_services
from intake.selectors import SESSION_KEY
from tests.booking.factories import AppointmentFactory, IntakeFactory, ServiceFactory, therapist_at
from tests.factories import LocationFactory
from tests.intake import walk

pytestmark = pytest.mark.django_db

BRAND = "Needle & Move"
NOW = datetime(2025, 6, 13, 6, 0, tzinfo=UTC)  # a Friday morning in Bengaluru
EVERY_DAY = tuple((day, 8, 20) for day in range(7))


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.h1s, self.text = "", [], []
        self._in = []

    def handle_starttag(self, tag, attrs):
        if tag in ("title", "h1", "script", "style"):
            self._in.append(tag)
            if tag == "h1":
                self.h1s.append("")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if "title" in self._in:
            self.title += data
        elif "script" in self._in or "style" in self._in:
            return
        else:
            if "h1" in self._in:
                self.h1s[-1] += data
            self.text.append(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


def headings(html: str) -> tuple[str, list[str], str]:
    parser = _Headings()
    parser.feed(html)
    return _squash(parser.title), [_squash(h1) for h1 in parser.h1s], _squash(" ".join(parser.text))


def assert_title_matches_heading(html: str, where: str) -> None:
    title, h1s, text = headings(html)
    assert len(h1s) == 1, f"{where}: {len(h1s)} <h1>"
    assert title.endswith(f" · {BRAND}"), f"{where}: the title {title!r} does not end with the brand"
    # The heading leads the title, or (a step of the questionnaire: "About you – step 1 of 4 – Am I suitable for dry
    # needling?") is the part after the step.
    parts = re.split(r" · | – ", title.removeprefix("Error: ").removesuffix(f" · {BRAND}"))
    assert h1s[0] in (parts[0], parts[-1]), f"{where}: title {title!r} but heading {h1s[0]!r}"
    assert not re.search(r"(?<![-\w])e?mails?\b", text, flags=re.IGNORECASE), f"{where}: 'email' without a hyphen"
    assert not re.search(r"\(([\w ]+ time)\) \(\1\)", text), f"{where}: a time zone said twice"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(db):
    call_command("load_content", verbosity=0)
    location = LocationFactory(slug="indiranagar", name="Bangalore – Indiranagar", time_zone="Asia/Kolkata")
    needling = ServiceFactory(needling=True, locations=[location], buffer_after_minutes=15)
    assessment = ServiceFactory(name="Initial assessment", slug="assessment", locations=[location])
    therapist = therapist_at(location, [needling, assessment], hours=EVERY_DAY, display_name="Arjun Menon")
    return {"location": location, "needling": needling, "assessment": assessment, "therapist": therapist}


def _pages(client: Client, urls) -> list[tuple[str, str]]:
    found = []
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404, 410), f"{url}: {response.status_code}"
        found.append((url, response.content.decode()))
    return found


def test_the_guides_and_the_therapists_pages(clinic, frozen):
    client = Client()
    slugs = list(Page.objects.order_by("slug").values_list("slug", flat=True))
    urls = ["/", "/learn/", "/learn/search/?q=neck", "/learn/search/?q=", "/book/therapists/"]
    urls += [f"/learn/{slug}/" for slug in slugs] + [f"/book/therapists/{clinic['therapist'].pk}/"]
    for url, html in _pages(client, urls):
        assert_title_matches_heading(html, url)


def test_the_screening_its_outcomes_and_the_returning_patients_pages(clinic, frozen):
    client = Client()
    steps = []
    client.get("/intake/")
    for step, data in (
        ("about", walk.about(clinic["location"])),
        ("where", walk.where()),
        ("health", walk.health()),
    ):
        steps.append((step, client.get(f"/intake/step/{step}/").content.decode()))
        walk.post_step(client, step, data)
    steps.append(("consent", client.get("/intake/step/consent/").content.decode()))
    for where, html in steps:
        assert_title_matches_heading(html, where)

    for outcome in ("cleared", "needs_review", "not_suitable"):
        visitor = Client()
        intake = IntakeFactory(location=clinic["location"], **({outcome: True} if outcome != "cleared" else {}))
        session = visitor.session
        session[SESSION_KEY] = intake.pk
        session.save()
        assert_title_matches_heading(visitor.get("/intake/result/").content.decode(), outcome)

    intake = IntakeFactory(location=clinic["location"])
    token = intake_services.returning_link_token(intake)
    urls = ["/intake/returning/", "/intake/returning/sent/", f"/intake/returning/{token}/", "/intake/returning/x/"]
    for url, html in _pages(Client(), urls):
        assert_title_matches_heading(html, url)
    errors = Client().post("/intake/returning/", {"email": "not an address"}).content.decode()
    assert_title_matches_heading(errors, "returning with an error")


def test_each_booking_step_and_the_confirm_page(clinic, frozen):
    client = Client()
    start = "20250616T0330Z"
    query = "service=assessment&location=indiranagar&therapist=any"
    urls = [
        "/book/",
        "/book/?service=assessment",
        "/book/?service=assessment&location=indiranagar",
        f"/book/?{query}",
        f"/book/confirm/?{query}&start={start}",
    ]
    for url, html in _pages(client, urls):
        assert_title_matches_heading(html, url)
    errors = client.post("/book/confirm/", {"service": "assessment", "location": "indiranagar", "therapist": "any",
                                            "start": start, "email": "not an address"})  # fmt: skip
    assert errors.status_code == 400
    assert_title_matches_heading(errors.content.decode(), "confirm with errors")

    refused = Client()
    intake = IntakeFactory(location=clinic["location"], not_suitable=True)
    session = refused.session
    session[SESSION_KEY] = intake.pk
    session.save()
    page = refused.get(f"/book/confirm/?service=dry-needling&location=indiranagar&therapist=any&start={start}")
    assert_title_matches_heading(page.content.decode(), "refused")


def test_the_self_service_links_pages(clinic, frozen):
    local = datetime.combine(NOW.date() + timedelta(days=5), time(10), tzinfo=clinic["location"].zone)
    appointment = AppointmentFactory(
        location=clinic["location"], service=clinic["assessment"], therapist=clinic["therapist"], start=local
    )
    token = booking_services.manage_token(appointment)
    new_start = (local + timedelta(days=1)).astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    client = Client()
    urls = [
        f"/book/manage/{token}/",
        f"/book/manage/{token}/?booked=1",
        f"/book/manage/{token}/reschedule/",
        f"/book/manage/{token}/reschedule/?start={new_start}",
        f"/book/manage/{token}/cancel/",
        "/book/manage/not-a-token/",
    ]
    for url, html in _pages(client, urls):
        assert_title_matches_heading(html, url)
    moved = client.post(f"/book/manage/{token}/reschedule/", {"start": new_start}, follow=True)
    assert_title_matches_heading(moved.content.decode(), "moved")
    assert_title_matches_heading(client.get(f"/book/manage/{token}/").content.decode(), "replaced")
    new_token = booking_services.manage_token(Appointment.objects.get())
    cancelled = client.post(f"/book/manage/{new_token}/cancel/", {"reason": ""}, follow=True)
    assert_title_matches_heading(cancelled.content.decode(), "cancelled")


@pytest.mark.parametrize("template", ["400.html", "403.html", "404.html", "429.html", "500.html"])
def test_the_error_pages(clinic, template):
    assert_title_matches_heading(render_to_string(template), template)


def test_a_missing_page_answers_404_with_its_page(clinic):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert_title_matches_heading(response.content.decode(), "404")


def test_the_brand_is_said_one_way_in_calendar_files_search_engines_and_the_sender(clinic, frozen, settings):
    appointment = AppointmentFactory(
        location=clinic["location"],
        service=clinic["assessment"],
        therapist=clinic["therapist"],
        start=NOW + timedelta(days=3),
    )
    ics = appointment_ics(appointment, token=booking_services.manage_token(appointment)).decode()
    slug = Page.objects.order_by("slug").values_list("slug", flat=True).first()
    page = Client().get(f"/learn/{slug}/").content.decode()

    assert f"PRODID:-//{BRAND}//Booking//EN" in ics.replace("\\,", ",")
    assert '<meta property="og:site_name" content="Needle &amp; Move">' in page
    [ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.DOTALL)
    assert {item["publisher"]["name"] for item in json.loads(ld) if "publisher" in item} == {BRAND}
    assert parseaddr(settings.DEFAULT_FROM_EMAIL)[0] == BRAND
    assert brand.NAME == BRAND
