"""No input gives a server error: every URL pattern of the resolver, as anonymous and as each staff role, with hostile
values in its path, its query parameters and every field of the forms it shows.

The patterns are read from the resolver, so a new URL is covered the day it is added. Values come from Hypothesis
strategies (NUL bytes, lone surrogates sent as raw UTF-8, Unicode digits, huge and negative numbers, far dates, long
strings, repeated parameters, unknown wizard steps) and, first, a fixed sweep of the same families, so every pattern
meets every family on every run. A bad value must give 400 or a page with a message, never 5xx.
"""

import re
from datetime import UTC, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.calendar import feed_token
from booking.models import WaitlistOffer, WaitlistWish
from booking.services import manage_token
from booking.waitlist import offer_token
from clinic.core.services import message_queue
from intake import services as intake_services
from tests.booking.factories import AppointmentFactory, ClosureFactory, ServiceFactory, TimeOffFactory, therapist_at
from tests.education.factories import FaqItemFactory, PageFactory, ReferenceFactory
from tests.factories import LocationFactory, UserFactory, clinic_admin_user, front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory, PatientFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db

# --- Hostile values -------------------------------------------------------------------------------------------
SURROGATE = "\ud800"
NASTY = [
    "\x00",
    "a\x00b",
    SURROGATE,
    "²",
    "٣",
    "１２",
    "-1",
    "0",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "9999-12-31",
    "0001-01-01",
    "99991231T2359Z",
    "00010101T0000Z",
    "x" * 2048,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "",
]
# Parameter names the views read from query strings, besides the fields of the forms they show.
KNOWN_PARAMETERS = [
    "service",
    "location",
    "therapist",
    "start",
    "date",
    "day",
    "week",
    "days",
    "q",
    "next",
    "needles",
    "booked",
    "moved",
    "cancelled",
    "page",
    "p",
    "o",
    "e",
    "_changelist_filters",
    "all",
    "token",
    "action",
    "wizard_goto_step",
    "questionnaire_view-current_step",
    "pick_1",  # a course's picked times (desk/course_views.py)
    "pick_3",
    "scope",  # cancelling a course's later sessions too (booking/views.py)
]
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y%m%dT%H%MZ")),
    st.text(min_size=300, max_size=3000),
)


def encode(value: str) -> str:
    """Percent-encode any string, lone surrogates included (as the raw bytes a hostile client would send)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def form_body(pairs) -> bytes:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs).encode("ascii")


# --- What there is to request ----------------------------------------------------------------------------------
class FormFields(HTMLParser):
    """Names of every input, select and textarea on a page."""

    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        name = dict(attrs).get("name")
        if tag in ("input", "select", "textarea", "button") and name and name not in self.names:
            self.names.append(name)


def patterns(resolver=None, prefix="", namespace=""):
    """(name, route regex, parameter names) of every URL pattern, walking included resolvers."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            regex = entry.pattern.regex.pattern
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield name, prefix + str(entry.pattern), list(re.compile(regex).groupindex) or _route_params(entry)


def _route_params(entry) -> list[str]:
    return list(getattr(entry.pattern, "converters", {}))


ALL_PATTERNS = sorted({(name, route, tuple(params)) for name, route, params in patterns()})


@pytest.fixture
def world(db):
    """One of everything a URL can name, so each pattern is reached with real ids as well as hostile ones."""
    location = LocationFactory(slug="fuzz-clinic")
    service = ServiceFactory(slug="fuzz-needling", needling=True, locations=[location])
    therapist = therapist_at(location, [service], hours=tuple((day, 9, 17) for day in range(7)))
    patient = PatientFactory()
    intake = IntakeFactory(patient=patient, location=location, needs_review=True)
    appointment = AppointmentFactory(
        location=location,
        service=service,
        therapist=therapist,
        patient=patient,
        start=timezone.now() + timedelta(days=3),
    )
    message = message_queue(subject=appointment, kind="booking.confirmation")
    now = timezone.now()
    time_off = TimeOffFactory(therapist=therapist, start=now + timedelta(days=9), end=now + timedelta(days=10))
    closed = (now + timedelta(days=20)).date()
    ClosureFactory(location=location, first_day=closed, last_day=closed)
    page = PageFactory(slug="fuzz-page")
    ReferenceFactory()
    FaqItemFactory()
    hours = therapist.working_hours.first()
    admin = clinic_admin_user(username="fuzz-admin", is_superuser=False)
    users = {
        "anonymous": None,
        "front_desk": front_desk_user(username="fuzz-desk"),
        "therapist": therapist_user(username="fuzz-therapist"),
        "clinic_admin": admin,
    }
    # The waiting list: a wish and an open offer of a free time to it (booking/waitlist.py).
    wish = WaitlistWish.objects.create(patient=patient, location=location, service=service, first_day=now.date(),
                                       last_day=now.date() + timedelta(days=30))  # fmt: skip
    offer = WaitlistOffer.objects.create(wish=wish, therapist=therapist, location=location, service=service,
                                         start=now + timedelta(days=5), blocked_until=now + timedelta(days=5, hours=1),
                                         expires_at=now + timedelta(minutes=30))  # fmt: skip
    objects = {
        "appointment": appointment.pk,
        "waitlist": wish.pk,
        "patient": patient.pk,
        "message": message.pk,
        "hours": hours.pk if hours else 1,
        "time_off": time_off.pk,
        "intake": intake.pk,
        "user": UserFactory(username="fuzz-someone").pk,
    }
    tokens = {
        "booking": manage_token(appointment),
        "waitlist": offer_token(offer),
        "intake": intake_services.returning_link_token(intake),
        "desk": feed_token(therapist),
    }
    today = timezone.localdate(timezone=location.zone).isoformat()
    valid_query = {
        "service": service.slug,
        "location": location.slug,
        "therapist": str(therapist.pk),
        "start": f"{appointment.start.astimezone(UTC):%Y%m%dT%H%MZ}",
        "date": today,
        "week": today,
        "days": "7",
        "q": "pain",
    }
    return {
        "users": users,
        "objects": objects,
        "tokens": tokens,
        "page": page.slug,
        "location": location,
        "valid_query": valid_query,
    }


def _valid_value(name: str, param: str, world) -> str:
    objects = world["objects"]
    if param == "token":
        if name == "booking:waitlist_offer":
            return world["tokens"]["waitlist"]
        return world["tokens"][name.split(":")[0] if name.startswith(("booking:", "desk:")) else "intake"]
    if name == "desk:waitlist_add":
        return str(objects["patient"])
    if param == "slug":
        return world["page"]
    if param == "app_label":
        return "booking"
    if param in ("object_id", "pk", "id", "content_type_id"):
        for key in ("message", "hours", "time_off", "appointment", "waitlist"):
            if key.replace("_", "") in name.replace("_", "") or key.replace("_", "-") in name:
                return str(objects[key])
        if name.startswith("intake:"):
            return str(objects["intake"])
        if name.startswith("admin:"):
            model = _admin_model(name)
            first = model.objects.order_by("pk").values_list("pk", flat=True).first() if model else None
            return str(first or 1)
        return str(objects["appointment"])
    return "1"


def _admin_model(name: str):
    match = re.match(r"admin:(\w+?)_(\w+)_\w+$", name)
    if not match:
        return None
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" in name:
            return model
    return None


def build_path(name: str, route: str, params, world, hostile: dict[str, str] | None = None) -> str | None:
    """The pattern's URL with valid values, or with the given hostile ones (percent-encoded, as they arrive)."""
    hostile = hostile or {}
    path = "/" + route.lstrip("^")
    for param in params:
        value = hostile.get(param, _valid_value(name, param, world))
        encoded = encode(value) if param in hostile else quote(value, safe="")
        replaced = re.sub(rf"<(?:\w+:)?{param}>", encoded, path)
        if replaced == path:  # a regex route: its named group
            replaced = re.sub(rf"\(\?P<{param}>[^)]*\)", encoded, path)
        path = replaced
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    if re.search(r"[()*+?\[\]]", path):
        return None  # a catch-all regex: reached through the other patterns' hostile paths
    return path


def client_for(role: str, world) -> Client:
    client = Client(raise_request_exception=True)
    user = world["users"][role]
    if user is not None:
        staff_login(client, user)
    return client


def fields_of(client, path: str) -> list[str]:
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormFields()
    parser.feed(response.content.decode("utf-8", "replace"))
    return [name for name in parser.names if name != "csrfmiddlewaretoken"]


def post(client, path: str, body: bytes, *, charset: str = ""):
    """POST the body as given (the test client's post() would re-encode it to the declared charset)."""
    content_type = "application/x-www-form-urlencoded" + (f"; charset={charset}" if charset else "")
    return client.generic("POST", path, body, content_type=content_type)


def check(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


# One value of each family for the fixed sweep (Hypothesis draws from all of NASTY and more).
FAMILIES = ["\x00", SURROGATE, "²", "-99999999999999999999", "9999-12-31", "99991231T2359Z", "x" * 2048]
ROLES = ["anonymous", "front_desk", "therapist", "clinic_admin"]


def sweep(client, name: str, route: str, params, world, *, full: bool) -> None:
    """Each family of hostile values in every query parameter and every form field of the page (`full`), or all
    families at once, spread over the parameters and fields (the admin's many look-alike pages)."""
    path = build_path(name, route, params, world)
    if path is None:
        return
    fields = fields_of(client, path)
    names = list(dict.fromkeys([*KNOWN_PARAMETERS, *fields]))
    if full:
        rounds = [[(n, value) for n in names] for value in FAMILIES]
        posts = [[(n, value) for n in fields or names] for value in FAMILIES]
    else:
        rounds = [[(n, FAMILIES[i % len(FAMILIES)]) for i, n in enumerate(names)]]
        posts = [[(n, FAMILIES[(i + 1) % len(FAMILIES)]) for i, n in enumerate(fields or names)]]
    rounds.append([(n, "0") for n in names for _ in range(2)])  # every parameter repeated
    if full:
        # One bad value among good ones, so the views get past their first check to the arithmetic behind it.
        valid = world["valid_query"]
        for i, bad in enumerate(valid):
            rounds.append([(n, FAMILIES[i % len(FAMILIES)] if n == bad else v) for n, v in valid.items()])
            rounds.append([(n, "99991231T2359Z" if n == bad else v) for n, v in valid.items()])
    for pairs in rounds:
        check(client.get(f"{path}?{form_body(pairs).decode('ascii')}"), f"GET {path} with {pairs[0][1][:20]!r}")
    for pairs in posts:
        check(post(client, path, form_body(pairs)), f"POST {path}")
    check(post(client, path, form_body(posts[0]), charset="utf-16"), f"POST {path} as UTF-16")
    for param in params:
        for value in FAMILIES if full else FAMILIES[:2]:
            hostile_path = build_path(name, route, params, world, hostile={param: value})
            if hostile_path:
                check(client.get(hostile_path), f"GET {hostile_path[:80]}")


@pytest.mark.parametrize("role", ROLES)
def test_it_never_answers_5xx_to_hostile_input(role, world):
    client = client_for(role, world)
    for name, route, params in ALL_PATTERNS:
        # Every family on every field where the role has its own code paths; one compact pass where it meets the
        # same page as another role (public pages as staff) or the admin's look-alike pages.
        own = role in ("anonymous", "clinic_admin") or name.startswith(("desk:", "intake:review"))
        sweep(client, name, route, params, world, full=own and not route.startswith("admin/"))


FUZZ_EXAMPLES = 1000 if settings.default.max_examples >= 1000 else 60


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_it_never_answers_5xx_to_generated_input(role, world, data):
    client = client_for(role, world)
    name, route, params = data.draw(st.sampled_from(ALL_PATTERNS), label="pattern")
    hostile = {param: data.draw(nasty_text, label=param) for param in params if data.draw(st.booleans())}
    path = build_path(name, route, params, world, hostile=hostile)
    if path is None:
        return
    fields = fields_of(client, build_path(name, route, params, world) or path)
    names = data.draw(st.lists(st.sampled_from([*KNOWN_PARAMETERS, *fields]), max_size=8), label="names")
    pairs = [(n, data.draw(nasty_text, label=n)) for n in names]
    if data.draw(st.booleans(), label="among good values"):
        pairs = [(n, v) for n, v in world["valid_query"].items() if n not in names] + pairs
    split = urlsplit(path)
    if data.draw(st.booleans(), label="post"):
        charset = data.draw(st.sampled_from(["", "utf-8", "utf-16", "latin-1", "nonsense"]), label="charset")
        response = post(client, split.path, form_body(pairs), charset=charset)
    else:
        response = client.get(f"{split.path}?{form_body(pairs).decode('ascii')}")
    check(response, f"{path[:80]} with {pairs!r:.200}")


def test_the_patterns_include_every_app():
    """A guard on the enumeration itself: it must reach the patterns of every app, the admin included."""
    names = {name.split(":")[0] for name, _, _ in ALL_PATTERNS if ":" in name}
    assert {"education", "intake", "booking", "desk", "admin"} <= names
    assert any(name == "healthz" for name, _, _ in ALL_PATTERNS)
