"""Every URL of the project, tried by six kinds of visitor with ids of records at another location (docs/access.md).

The patterns come from the URL resolver, so a new page is tried automatically; a pattern without a declared
expectation below fails the test, so nobody adds a page without saying who may open it. Each response must have the
declared status, and no response may show a patient's name, e-mail or phone to someone outside that patient's
locations.

Records live at two locations: Hyderabad (where the ids in the URLs come from) and London. A therapist works at both
and is off during an appointment at each, so the time-off clash list must be scoped too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.core.models import OutboundMessage, StaffProfile
from tests.booking.factories import (
    AppointmentFactory,
    ServiceFactory,
    TherapistFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)
from tests.factories import LocationFactory, clinic_admin_user, front_desk_user
from tests.intake.factories import IntakeFactory, PatientFactory
from tests.support.auth import staff_login

NOW = datetime(2025, 6, 13, 6, 0, tzinfo=UTC)  # a Friday
ACTORS = ["anonymous", "patient", "desk_here", "desk_elsewhere", "therapist", "clinic_admin"]

LOGIN = "login"  # a redirect to a login page
ANY = "any"  # the clinic admin's own tool: any answer but a server error


@dataclass(frozen=True)
class Expect:
    """Statuses per actor; `method` is how the page is tried (POST-only views are posted, with no data)."""

    anonymous: object
    patient: object
    desk_here: object
    desk_elsewhere: object
    therapist: object
    clinic_admin: object
    method: str = "get"


def everyone(status, method="get"):
    return Expect(status, status, status, status, status, status, method)


def staff_only(desk_here, desk_elsewhere, therapist, clinic_admin, method="get"):
    return Expect(LOGIN, LOGIN, desk_here, desk_elsewhere, therapist, clinic_admin, method)


# Desk pages for a record at Hyderabad: its desk may, London's gets 404 (as if it did not exist).
DESK_RECORD = staff_only(200, 404, 200, 200)

EXPECTED = {
    # Public content and machines.
    "education:home": everyone(200),
    "education:index": everyone(200),
    "education:search": everyone(200),
    "education:faq": everyone(200),
    "education:safety": everyone(200),
    "education:page": everyone(200),
    "education:sitemap": everyone(200),
    "education:robots": everyone(200),
    "healthz": everyone(200),
    "ping": everyone(200),
    # The questionnaire: the patient's own session; staff see the empty form like anyone.
    # /intake/ starts (or carries on) and redirects to the step's own page; a step with no questionnaire started
    # goes back to the start.
    "intake:start": everyone(302),
    "intake:step": everyone(302),
    "intake:outcome": Expect(302, 200, 302, 302, 302, 302),
    "intake:returning": everyone(200),
    "intake:returning_sent": everyone(200),
    # A link with the patient's own token works for them; tampered links work for nobody.
    "intake:returning_confirm": Expect(410, 200, 410, 410, 410, 410),
    # The desk's screening link: a questionnaire filled in for the patient it names; a bad link an empty one.
    "intake:screening_link": everyone(302),
    # Review: the front desk sees outcomes at its own locations only; ids elsewhere are 404.
    "intake:review_queue": staff_only(200, 200, 200, 200),
    "intake:review_detail": DESK_RECORD,
    "intake:review_decide": staff_only(403, 404, 302, 302, method="post"),
    # Booking and self-service by signed link.
    "booking:start": everyone(200),
    "booking:confirm": everyone(302),
    "booking:api_slots": everyone(400),
    "booking:therapists": everyone(200),
    "booking:therapist": everyone(200),  # a public profile
    "booking:manage": Expect(404, 200, 404, 404, 404, 404),
    "booking:manage_ics": Expect(404, 200, 404, 404, 404, 404),
    "booking:manage_reschedule": Expect(404, 200, 404, 404, 404, 404),
    "booking:manage_cancel": Expect(404, 200, 404, 404, 404, 404),
    # The waiting list: joining needs the booking choices (back to booking without them); the offer's claim link
    # works for the patient it was sent to, a tampered one for nobody.
    "booking:waitlist_join": everyone(302),
    "booking:waitlist_joined": everyone(200),
    "booking:waitlist_offer": Expect(404, 200, 404, 404, 404, 404),
    # The desk. Patients have no account: the login page.
    "desk:home": staff_only(200, 200, 200, 200),
    "desk:week": staff_only(200, 200, 200, 200),
    "desk:export": staff_only(200, 200, 200, 200),  # the form; a location elsewhere is a form error
    "desk:appointment": DESK_RECORD,
    "desk:check_in": staff_only(302, 404, 302, 302, method="post"),
    "desk:finish": staff_only(302, 404, 302, 302, method="post"),
    "desk:no_show": staff_only(302, 404, 302, 302, method="post"),
    "desk:cancel": staff_only(302, 404, 302, 302, method="post"),
    "desk:undo": staff_only(302, 404, 302, 302, method="post"),
    "desk:reschedule": DESK_RECORD,
    "desk:move": staff_only(302, 404, 302, 302, method="post"),
    "desk:course": DESK_RECORD,  # the shared therapist's own appointment
    "desk:resend": staff_only(302, 404, 302, 302, method="post"),
    "desk:patients": staff_only(200, 200, 200, 200),
    "desk:patient": DESK_RECORD,
    "desk:patient_edit": staff_only(200, 404, 403, 200),  # therapists read contact details, the desk corrects them
    "desk:book": staff_only(200, 200, 200, 200),
    "desk:book_details": staff_only(404, 404, 404, 404),  # nothing chosen yet
    "desk:book_confirm": staff_only(404, 404, 404, 404, method="post"),
    "desk:hours": staff_only(200, 200, 200, 200),
    "desk:hours_add": staff_only(200, 200, 403, 200),
    "desk:hours_edit": staff_only(200, 404, 403, 200),
    "desk:hours_delete": staff_only(302, 404, 403, 302, method="post"),
    "desk:time_off_add": staff_only(200, 200, 200, 200),
    "desk:time_off": staff_only(200, 200, 200, 200),  # the therapist works at both: each desk sees its own clashes
    "desk:time_off_edit": staff_only(200, 200, 403, 200),  # therapists add and remove their own, never change
    "desk:time_off_delete": staff_only(302, 302, 302, 302, method="post"),
    # desk/patient_views.py: the screening link for a patient the desk may see; from the booking form, nothing chosen.
    "desk:screening_link": staff_only(302, 404, 302, 302, method="post"),
    "desk:book_screening_link": staff_only(404, 404, 404, 404, method="post"),
    # A typed time (desk/booking_views.py): with nothing chosen, back to the booking page.
    "desk:book_other_time": staff_only(302, 302, 302, 302),
    # Merging duplicates is the clinic admin's: others get 403 for a patient they see, 404 for one they do not.
    "desk:patient_merge": staff_only(403, 404, 403, 200),
    "desk:patient_merge_confirm": staff_only(403, 404, 403, 200),  # London's patient merged into Hyderabad's
    # The therapist's pages: everyone lands somewhere; a therapist's day (the shared therapist works at both).
    # The therapist's pages: everyone lands somewhere; a therapist's day (the shared therapist works at both);
    # the calendar feed link is the therapist's own (and a clinic admin's for them), never the front desk's.
    "desk:start": staff_only(302, 302, 302, 302),
    "desk:my_day": staff_only(200, 200, 200, 200),
    "desk:calendar_link": staff_only(403, 403, 200, 200),
    "desk:calendar_link_reset": staff_only(403, 403, 302, 302, method="post"),
    # The feed needs no sign-in: its link is the key. Only the therapist holds theirs; for anyone else it is
    # tampered with.
    "desk:calendar_feed": Expect(404, 404, 404, 404, 200, 404),
    # The waiting list (desk/waitlist_views.py): everyone sees their locations' list; the front desk and clinic
    # admins change it (a therapist gets 403, as for booking for others); another location's wish or patient: 404.
    "desk:waitlist": staff_only(200, 200, 200, 200),
    "desk:waitlist_add": staff_only(200, 404, 403, 200),
    "desk:waitlist_offer": staff_only(200, 404, 403, 200),
    "desk:waitlist_withdraw": staff_only(302, 404, 403, 302, method="post"),
    # Signing in.
    "login": Expect(200, 200, 302, 302, 302, 302),
    "logout": everyone(302, method="post"),
    "two_factor_verify": staff_only(302, 302, 302, 302),  # already verified: on to the desk
    "two_factor_setup": staff_only(302, 302, 302, 302),
    "recovery_codes_renew": staff_only(200, 200, 200, 200, method="post"),
    "session_status": staff_only(200, 200, 200, 200),
    "password_change": staff_only(200, 200, 200, 200),
    "password_change_done": staff_only(200, 200, 200, 200),
    "password_reset": everyone(200),
    "password_reset_done": everyone(200),
    # A valid link moves the token into the session; the admin's own sign-in (last login) has spent theirs.
    "password_reset_confirm": Expect(302, 302, 302, 302, 302, 200),
    "password_reset_complete": everyone(200),
    # The admin: clinic admins only. Its sign-in is the product's login.
    "admin:login": Expect(302, 302, 403, 403, 403, 302),
    "admin:logout": Expect(302, 302, 403, 403, 403, 405),  # signed out already: back to the admin's front page
}
# Every page of a model in the admin (changelist, add, change, delete, history and the custom ones).
ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "delete", "history", "preview", "export", "erase")
# The admin's unnamed patterns: "<id>/" redirecting to the change page, and the catch-all that answers 404.
ADMIN_UNNAMED = "admin"
ADMIN = Expect(LOGIN, LOGIN, 403, 403, 403, ANY)
ADMIN_SITE_VIEWS = ("index", "password_change", "password_change_done", "autocomplete", "jsi18n", "view_on_site",
                    "app_list")  # fmt: skip


def url_patterns():
    """(route, name) of every pattern the resolver knows, namespaces included."""

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), ":".join(filter(None, [namespace, pattern.name]))

    return list(walk(get_resolver(), "", ""))


def expectation(name: str) -> Expect | None:
    if name in EXPECTED:
        return EXPECTED[name]
    if name == ADMIN_UNNAMED:
        return ADMIN
    if name.startswith("admin:"):
        view = name.removeprefix("admin:")
        if view in ADMIN_SITE_VIEWS or view.rsplit("_", 1)[-1] in ADMIN_MODEL_VIEWS:
            return ADMIN
    return None


PATTERNS = url_patterns()


def test_every_url_pattern_has_a_declared_expectation():
    missing = [f"{route} ({name})" for route, name in PATTERNS if expectation(name) is None]

    assert not missing, f"Declare who may open these in {__name__}.EXPECTED: {missing}"


# --- The world: two locations, a patient at each ------------------------------------------------------------------


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        return _world()


def _world():
    from booking.calendar import feed_token
    from booking.models import WaitlistOffer, WaitlistWish
    from booking.services import manage_token
    from booking.waitlist import offer_token
    from intake.services import returning_link_token
    from tests.education.factories import PageFactory

    for slug in ("faq", "safety"):
        PageFactory(slug=slug, title=slug.title())
    here = LocationFactory(slug="hyderabad", name="Hyderabad")
    elsewhere = LocationFactory(slug="london", name="London", time_zone="Europe/London", country="GB")
    service = ServiceFactory(locations=[here, elsewhere])
    therapist = TherapistFactory(locations=[here, elsewhere], services=[service], display_name="Shared Therapist")
    patients = {
        "here": PatientFactory(first_name="Hemalatha", last_name="Hyderabadi", email="hema.h@example.com",
                               phone="+91 40 2345 0001"),
        "elsewhere": PatientFactory(first_name="Lionel", last_name="Londoner", email="lionel.l@example.com",
                                    phone="+44 20 7946 0002"),
    }  # fmt: skip
    records = {}
    for key, location, start in (
        ("here", here, NOW + timedelta(days=3)),
        ("elsewhere", elsewhere, NOW + timedelta(days=3, hours=2)),
    ):
        intake = IntakeFactory(patient=patients[key], location=location, needs_review=True)
        appointment = AppointmentFactory(patient=patients[key], intake=intake, therapist=therapist, location=location,
                                         service=service, start=start)  # fmt: skip
        records[key] = {"intake": intake, "appointment": appointment}
    appointment_here = records["here"]["appointment"]
    message = OutboundMessage.objects.create(
        content_type_id=_content_type(appointment_here), object_id=str(appointment_here.pk),
        kind="booking.confirmation", due_at=NOW, status=OutboundMessage.Status.FAILED,
    )  # fmt: skip
    # A wish at Hyderabad (the desk's ids), and a time offered to London's patient (their claim link).
    days = {"first_day": NOW.date(), "last_day": NOW.date() + timedelta(days=30)}
    wish_here = WaitlistWish.objects.create(patient=patients["here"], location=here, service=service, **days)
    wish_elsewhere = WaitlistWish.objects.create(
        patient=patients["elsewhere"], location=elsewhere, service=service, **days
    )
    offer = WaitlistOffer.objects.create(wish=wish_elsewhere, therapist=therapist, location=elsewhere, service=service,
                                         start=NOW + timedelta(days=4), blocked_until=NOW + timedelta(days=4, hours=1),
                                         offered_at=NOW, expires_at=NOW + timedelta(minutes=30))  # fmt: skip
    hours = WorkingHoursFactory(therapist=therapist, location=here, weekday=0)
    time_off = TimeOffFactory(therapist=therapist, start=NOW + timedelta(days=3) - timedelta(hours=1),
                              end=NOW + timedelta(days=3, hours=4))  # fmt: skip
    desk_here, desk_elsewhere = front_desk_user(), front_desk_user()
    StaffProfile.objects.create(user=desk_here).locations.set([here])
    StaffProfile.objects.create(user=desk_elsewhere).locations.set([elsewhere])
    admin = clinic_admin_user()
    return {
        "patients": patients,
        "records": records,
        "users": {
            "desk_here": desk_here,
            "desk_elsewhere": desk_elsewhere,
            "therapist": therapist.user,
            "clinic_admin": admin,
        },
        "ids": {
            "intake": records["here"]["intake"].pk,
            "patient": patients["here"].pk,
            "appointment": records["here"]["appointment"].pk,
            "message": message.pk,
            "hours": hours.pk,
            "time_off": time_off.pk,
            "therapist": therapist.pk,
            "wish": wish_here.pk,
        },
        "tokens": {
            "manage": manage_token(records["elsewhere"]["appointment"]),
            "returning": returning_link_token(records["elsewhere"]["intake"]),
            "feed": feed_token(therapist),
            "offer": offer_token(offer),
        },
        "reset": (urlsafe_base64_encode(force_bytes(admin.pk)), default_token_generator.make_token(admin)),
    }


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def _admin_object_id(route: str, world) -> str:
    """An id of the admin page's model (admin/<app>/<model>/<id>/...): Hyderabad's record where there is one."""
    app_label, model_name = route.split("/")[1:3]
    app_model = f"{app_label}_{model_name}"
    by_model = {"intake_patient": world["patients"]["here"], "intake_intake": world["records"]["here"]["intake"],
                "booking_appointment": world["records"]["here"]["appointment"]}  # fmt: skip
    if app_model in by_model:
        return str(by_model[app_model].pk)
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return "1"
    first = model.objects.order_by("pk").first()
    return str(first.pk) if first is not None else "1"


def url_for(route: str, name: str, actor: str, world) -> str:
    ids, tokens = world["ids"], world["tokens"]
    own = actor == "patient"
    if name == "booking:waitlist_offer":
        return "/" + route.replace("<str:token>", tokens["offer"] + ("" if own else "x"))
    if name == "desk:calendar_feed":
        return "/" + route.replace("<str:token>", tokens["feed"] + ("" if actor == "therapist" else "x"))
    pk = {"intake:": ids["intake"], "desk:appointment": ids["appointment"], "desk:check_in": ids["appointment"],
          "desk:finish": ids["appointment"], "desk:no_show": ids["appointment"], "desk:cancel": ids["appointment"],
          "desk:undo": ids["appointment"], "desk:reschedule": ids["appointment"], "desk:move": ids["appointment"],
          "desk:course": ids["appointment"],
          "desk:resend": ids["message"],
          "desk:patient": ids["patient"], "desk:screening_link": ids["patient"], "desk:waitlist_add": ids["patient"],
          "desk:waitlist_offer": ids["wish"], "desk:waitlist_withdraw": ids["wish"],
          "desk:hours": ids["hours"], "desk:time_off": ids["time_off"],
          "booking:therapist": ids["therapist"]}  # fmt: skip
    values = {
        # The patient (of London) holds their own links; for anyone else the link is tampered with.
        "<str:token>": tokens["returning" if name.startswith("intake:") else "manage"] + ("" if own else "x"),
        "<int:other>": str(world["patients"]["elsewhere"].pk),
        "<slug:slug>": "safety",
        "<slug:step>": "about",
        "<uidb64>": world["reset"][0],
        "<token>": world["reset"][1],
        "<path:content_type_id>": "1",
        "<path:object_id>": _admin_object_id(route, world) if "<path:object_id>" in route else "",
    }
    if "<int:pk>" in route:
        admin_page = name.startswith("admin:")
        values["<int:pk>"] = (
            _admin_object_id(route, world) if admin_page else str(next(v for k, v in pk.items() if name.startswith(k)))
        )
    url = route
    for placeholder, value in values.items():
        url = url.replace(placeholder, value)
    if "(?P<app_label>" in url:  # the admin's app index: a regular expression of the app labels
        url = "admin/core/"
    if "(?P<url>" in url:  # the admin's catch-all
        url = "admin/no-such-page/"
    return "/" + url


def sign_in(client, actor, world):
    if actor == "patient":
        session = client.session
        session["intake_id"] = world["records"]["elsewhere"]["intake"].pk
        session.save()
    elif actor != "anonymous":
        staff_login(client, world["users"][actor])


def forbidden_details(actor, world) -> list[str]:
    """Details of patients this visitor must never see."""
    sees = {"anonymous": [], "patient": ["elsewhere"], "desk_here": ["here"], "desk_elsewhere": ["elsewhere"],
            "therapist": ["here", "elsewhere"], "clinic_admin": ["here", "elsewhere"]}[actor]  # fmt: skip
    details = []
    for key, patient in world["patients"].items():
        if key not in sees:
            details += [patient.last_name, patient.email, patient.phone.as_international, patient.phone.as_e164]
    return details


def visit(route, name, actor, world) -> list[str]:
    """What went wrong when `actor` opens the page (nothing: an empty list)."""
    expect = expectation(name)
    wanted = getattr(expect, actor)
    url = url_for(route, name, actor, world)
    client = Client()
    with time_machine.travel(NOW, tick=False):
        sign_in(client, actor, world)
        response = getattr(client, expect.method)(url)

    problems = []
    where = f"{expect.method.upper()} {url} as {actor}"
    if wanted == LOGIN:
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(("/accounts/login/", "/admin/login/")):
            problems.append(f"{where}: {response.status_code} {location}, not the login page")
    elif wanted == ANY:
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
    elif response.status_code != wanted:
        problems.append(f"{where}: {response.status_code}, expected {wanted}")
    body = response.content.decode(errors="replace") if not response.streaming else ""
    leaked = [detail for detail in forbidden_details(actor, world) if detail in body]
    if leaked:
        problems.append(f"{where} showed another location's patient: {leaked}")
    return problems


@pytest.mark.parametrize(("route", "name"), PATTERNS, ids=[name or route for route, name in PATTERNS])
def test_each_visitor_gets_what_the_access_rule_says(world, route, name):
    assert expectation(name) is not None, f"no expectation declared for {name}"
    problems = []
    for actor in ACTORS:
        # Each visitor starts from the same records: whatever one changes is rolled back before the next.
        with transaction.atomic():
            problems += visit(route, name, actor, world)
            transaction.set_rollback(True)

    assert not problems, "\n".join(problems)
