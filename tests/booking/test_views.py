"""The booking flow and the self-service link, through the test client: each step for the patient, another
person's link, and a stranger with a tampered one."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.test import Client

from booking import services
from booking.models import Appointment
from clinic.core import outbox
from intake.selectors import SESSION_KEY
from tests.booking.conftest import NOW
from tests.booking.factories import IntakeFactory, ServiceFactory
from tests.intake import walk

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)
START = "20250616T0330Z"


def with_intake(client, intake):
    session = client.session
    session[SESSION_KEY] = intake.pk
    session.save()


def confirm_url(**extra):
    params = {"service": "dry-needling", "location": "indiranagar", "therapist": "any", "start": START, **extra}
    return "/book/confirm/?" + "&".join(f"{k}={v}" for k, v in params.items())


def details(**changes):
    data = {
        "service": "dry-needling",
        "location": "indiranagar",
        "therapist": "any",
        "start": START,
        "first_name": "Asha",
        "last_name": "Rao",
        "email": "asha@example.com",
        "phone": "+91 98765 43210",
        "date_of_birth": "1985-03-27",
        "submission_key": "3f2b1c9e-6a53-4f0e-9d7e-1b2c3d4e5f60",
    }
    data.update(changes)
    return data


def book_assessment(clinic, start):
    return services.appointment_book(
        patient=IntakeFactory().patient,
        service=clinic["assessment"],
        location=clinic["location"],
        therapist=None,
        start=start,
        now=NOW,
    )


def test_it_walks_the_steps_without_javascript(client, clinic, frozen):
    assert "Dry needling session" in client.get("/book/").content.decode()
    assert "Bangalore – Indiranagar" in client.get("/book/?service=dry-needling").content.decode()
    page = client.get("/book/?service=dry-needling&location=indiranagar").content.decode()
    assert "Any therapist" in page
    assert "Arjun Menon" in page

    times = client.get("/book/?service=dry-needling&location=indiranagar&therapist=any").content.decode()
    assert "Monday 16 June, 30 free times" in times  # the date strip links each day
    monday = client.get("/book/?service=dry-needling&location=indiranagar&therapist=any&day=2025-06-16")

    assert f"start={START}" in monday.content.decode()  # 09:00 India time as a plain link
    assert "Times are India time." in monday.content.decode()


def test_it_sends_a_patient_without_an_intake_to_the_questionnaire_and_back(client, clinic, frozen):
    response = client.get(confirm_url())

    assert response.status_code == 302
    target = urlparse(response.url)
    assert target.path == "/intake/"
    assert parse_qs(target.query) == {
        "next": [confirm_url()],
        "service": ["dry-needling"],
        "location": ["indiranagar"],
        "why": ["time"],
    }


def test_the_questionnaire_says_why_it_comes_and_returns_to_the_chosen_time(client, clinic, frozen):
    """From a chosen time to the screening: told why on its first step, and led back to that time once cleared."""
    first_step = client.get(client.get(confirm_url()).url, follow=True)

    page = first_step.content.decode()
    assert "Your time is not booked yet." in page
    assert "we take you straight back to the time you chose" in page
    assert first_step.context["form"]["location"].value() == clinic["location"].pk  # the clinic carried in
    walk.walk(client, clinic["location"], where_data=walk.where(service="dry-needling"), start=None)

    outcome = client.get("/intake/result/").content.decode()
    assert f'href="{confirm_url().replace("&", "&amp;")}">Back to the time you chose' in outcome
    assert client.get(confirm_url()).status_code == 200  # cleared: the time's details form, no screening again


def test_the_clinic_and_service_chosen_in_the_screening_are_chosen_in_booking(client, clinic, frozen):
    walk.walk(client, clinic["location"], where_data=walk.where(service="dry-needling"))

    outcome = client.get("/intake/result/")
    continue_url = re.search(r'href="([^"]+)">Continue to booking', outcome.content.decode()).group(1)

    assert continue_url == "/book/?location=indiranagar&amp;service=dry-needling"
    therapists = client.get(continue_url.replace("&amp;", "&")).content.decode()
    assert "Any therapist" in therapists  # straight to the therapist step: service and clinic already chosen


def test_the_area_to_treat_carries_into_booking_in_the_session_only_and_is_forgotten_once_booked(
    client, clinic, frozen
):
    """The area is health information: shown on each booking step, never in a URL, and gone after the booking."""
    where = walk.where(areas=["neck", "shoulder"], side="right", service="dry-needling")
    walk.walk(client, clinic["location"], where_data=where)
    continue_url = re.search(r'href="([^"]+)">Continue to booking', client.get("/intake/result/").content.decode())[1]

    therapists = client.get(continue_url.replace("&amp;", "&"))
    confirm = client.get(confirm_url())
    for page in (therapists.content.decode(), confirm.content.decode()):
        assert "<dt>Area to treat</dt><dd>Neck, shoulder (right side)</dd>" in page
        for link in re.findall(r'(?:href|action)="([^"]*)"', page):
            assert "neck" not in link.lower()
            assert "shoulder" not in link.lower()
    assert "neck" not in continue_url
    assert client.session["area_to_treat"] == "Neck, shoulder (right side)"

    booked = client.post("/book/confirm/", details())

    assert booked.status_code == 302
    assert "neck" not in booked["Location"].lower()
    assert "area_to_treat" not in client.session
    assert "Area to treat" not in client.get(confirm_url(start="20250617T0330Z")).content.decode()


def test_a_screening_started_on_its_own_does_not_say_it_comes_from_a_time(client, clinic, frozen):
    assert "Your time is not booked yet." not in client.get("/intake/", follow=True).content.decode()


# --- The services offered: the ones this patient can book at that clinic ----------------------------------------


def test_it_lists_no_service_that_no_clinic_offers(client, clinic, frozen):
    ServiceFactory(name="Hydrotherapy", slug="hydrotherapy", locations=[])

    assert "Hydrotherapy" not in client.get("/book/").content.decode()
    chosen_anyway = client.get("/book/?service=hydrotherapy")  # an old link: back to the list of services
    assert [service.slug for service in chosen_anyway.context["services"]] == ["dry-needling", "assessment"]


def test_after_not_suitable_online_it_offers_only_services_without_needles_saying_why(client, clinic, frozen):
    ServiceFactory(
        name="Needling with stimulation",
        slug="estim",
        needs_screening=True,
        uses_electrical_stimulation=True,
        locations=[clinic["location"]],
    )
    with_intake(client, IntakeFactory(not_suitable=True, location=clinic["location"]))

    for url in ("/book/", "/book/?location=indiranagar"):
        response = client.get(url)
        page = response.content.decode()
        assert [service.slug for service in response.context["services"]] == ["assessment"]
        assert "Dry needling is not listed" in page
        assert "+91 80 4567 8900" in page
    assert 'href="?service=assessment&amp;location=indiranagar"' in page  # the clinic chosen stays chosen


def test_a_cleared_patient_sees_every_service_of_the_clinic(client, clinic, frozen):
    with_intake(client, IntakeFactory(location=clinic["location"]))

    response = client.get("/book/?location=indiranagar")

    assert {service.slug for service in response.context["services"]} == {"assessment", "dry-needling"}
    assert "Dry needling is not listed" not in response.content.decode()


def test_it_books_a_cleared_patient_once_and_shows_the_confirmation(client, clinic, frozen):
    intake = IntakeFactory(location=clinic["location"], patient__first_name="Asha")
    with_intake(client, intake)

    form = client.get(confirm_url())
    assert 'value="Asha"' in form.content.decode()  # prefilled from the intake

    first = client.post("/book/confirm/", details())
    second = client.post("/book/confirm/", details())  # double submit

    assert Appointment.objects.count() == 1
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.patient == intake.patient
    assert first.status_code == second.status_code == 302
    page = client.get(first.url).content.decode()
    assert "You’re booked" in page
    assert "Monday 16 June 2025, 09:00 (India time)" in page
    assert "1 Test Road" in page
    assert "loose" in page
    assert ".ics" in page


def test_it_holds_a_needs_review_patient_as_pending(client, clinic, frozen):
    with_intake(client, IntakeFactory(needs_review=True, location=clinic["location"]))

    response = client.post("/book/confirm/", details())

    assert Appointment.objects.get().status == Appointment.Status.PENDING_REVIEW
    assert "holding this time" in client.get(response.url).content.decode()


def test_it_refuses_needling_for_a_not_suitable_patient_with_the_phone_number(client, clinic, frozen):
    with_intake(client, IntakeFactory(not_suitable=True, location=clinic["location"]))

    page = client.get(confirm_url()).content.decode()

    assert "+91 80 4567 8900" in page
    assert "needles=no" in page
    assert client.post("/book/confirm/", details()).status_code == 200
    assert not Appointment.objects.exists()


def test_it_answers_a_taken_time_with_the_nearest_free_ones_keeping_the_details(client, clinic, frozen):
    book_assessment(clinic, MONDAY_9)
    with_intake(client, IntakeFactory(location=clinic["location"]))

    response = client.post("/book/confirm/", details())

    assert response.status_code == 409
    page = response.content.decode()
    assert "just taken" in page
    assert "10:00 (India time)" in page  # the assessment (60 min) ends at 10:00
    assert 'value="Rao"' in page


def test_it_refuses_a_time_in_the_past(client, clinic, frozen):
    with_intake(client, IntakeFactory(location=clinic["location"]))
    response = client.post("/book/confirm/", details(start="20250612T0330Z"))
    assert response.status_code == 400
    assert "already passed" in response.content.decode()


def booked_link(client, clinic) -> str:
    with_intake(client, IntakeFactory(location=clinic["location"]))
    client.post("/book/confirm/", details())
    outbox.deliver_due()
    return re.search(r"https?://[^/]+(/book/manage/[^\s/]+/)", mail.outbox[-1].body).group(1)


def test_it_emails_the_confirmation_with_the_ics_and_no_health_details(client, clinic, frozen):
    link = booked_link(client, clinic)

    message = mail.outbox[-1]
    assert "Monday 16 June 2025, 09:00 (India time)" in message.body
    assert "1 Test Road" in message.body
    assert "loose" in message.body
    assert "Tight calf" not in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("appointment.ics", "text/calendar")
    content = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART;TZID=Asia/Kolkata:20250616T090000" in content
    assert link.startswith("/book/manage/")


def test_the_link_lets_the_patient_view_download_reschedule_and_cancel(client, clinic, frozen):
    link = booked_link(client, clinic)
    appointment = Appointment.objects.get()

    assert "Monday 16 June 2025, 09:00 (India time)" in client.get(link).content.decode()
    assert client.get(link + "calendar.ics")["Content-Type"].startswith("text/calendar")
    assert "Change the time" in client.get(link + "reschedule/").content.decode()

    response = client.post(link + "reschedule/", {"start": "20250617T0530Z"})  # Tuesday 11:00 IST
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == datetime(2025, 6, 17, 5, 30, tzinfo=UTC)

    # The move replaced the link; the patient carries on with the new one it redirected to.
    link = urlparse(response["Location"]).path
    client.post(link + "cancel/", {"reason": "Feeling better"})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


# --- Self-service: each change shows what will happen before it happens -------------------------------------------


def test_choosing_a_new_time_shows_the_move_before_making_it(client, clinic, frozen):
    link = booked_link(client, clinic)
    picker = client.get(link + "reschedule/").content.decode()
    choice = f"{link}reschedule/?week=2025-06-13&amp;start=20250617T0530Z"
    assert f'href="{choice}"' in picker  # each free time is a link to the confirm step

    confirm = client.get(choice.replace("&amp;", "&"))

    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Move your appointment?" in page
    assert "Monday 16 June 2025, 09:00" in page  # from
    assert "Tuesday 17 June 2025, 11:00" in page  # to
    assert 'name="start" value="20250617T0530Z"' in page
    assert Appointment.objects.get().start == MONDAY_9  # nothing moved by looking
    moved = client.post(link + "reschedule/", {"start": "20250617T0530Z"})
    assert moved["Location"].endswith("?moved=1")
    assert Appointment.objects.get().start == datetime(2025, 6, 17, 5, 30, tzinfo=UTC)


def test_the_current_time_is_not_offered_as_a_move(client, clinic, frozen):
    link = booked_link(client, clinic)

    picker = client.get(link + "reschedule/?week=2025-06-16")

    offered = [param for day in picker.context["days"] for _, param in day["slots"]]
    assert START not in offered
    assert "20250616T0430Z" in offered  # 10:00 the same morning is
    same = client.get(link + f"reschedule/?start={START}")
    assert "That is the time you already have." in same.content.decode()


def test_moving_to_the_time_it_already_has_changes_nothing_and_sends_nothing(client, clinic, frozen):
    link = booked_link(client, clinic)
    mail.outbox = []

    response = client.post(link + "reschedule/", {"start": START})
    outbox.deliver_due()

    assert response["Location"] == link  # the same link still works: nothing was replaced
    assert client.get(link).status_code == 200
    assert Appointment.objects.get().link_version == 1
    assert mail.outbox == []


def test_cancelling_shows_what_will_happen_before_cancelling(client, clinic, frozen):
    link = booked_link(client, clinic)

    page = client.get(link + "cancel/").content.decode()

    assert "Cancel your appointment?" in page
    assert "Monday 16 June 2025, 09:00" in page
    assert "The time is freed at once" in page
    assert f'action="{link}cancel/"' in page
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    cancelled = client.post(link + "cancel/", {"reason": "Feeling better"})
    assert cancelled["Location"].endswith("?cancelled=1")
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert client.get(urlparse(cancelled["Location"]).path + "cancel/")["Location"].startswith("/book/manage/")


def test_the_cancel_step_after_the_cutoff_says_to_call(client, clinic, frozen):
    link = booked_link(client, clinic)
    frozen.move_to(MONDAY_9 - timedelta(hours=3))

    response = client.get(link + "cancel/")

    assert response.status_code == 403
    assert "too late to change" in response.content.decode()


def test_the_success_page_leads_with_what_to_bring_and_how_to_prepare_and_cancel_is_a_quiet_link(
    client, clinic, frozen
):
    with_intake(client, IntakeFactory(location=clinic["location"]))
    booked = client.post("/book/confirm/", details())

    page = client.get(booked.url).content.decode()

    assert page.index("Before you come") < page.index("Therapist</dt>")
    assert "What to bring" in page
    assert "light meal" in page  # a needling session
    cancel = re.search(r'<a href="(/book/manage/[^"]+/cancel/)">Cancel this appointment</a>', page)
    assert cancel is not None
    assert "btn-danger" not in page
    assert "<form" not in page.split("</header>", 1)[1].split("<footer", 1)[0]  # nothing on the page acts in one tap


def test_a_reschedule_into_a_taken_time_is_refused_clearly(client, clinic, frozen):
    link = booked_link(client, clinic)
    book_assessment(clinic, datetime(2025, 6, 17, 5, 30, tzinfo=UTC))

    response = client.post(link + "reschedule/", {"start": "20250617T0530Z"})

    assert response.status_code == 409
    assert "just taken" in response.content.decode()
    assert Appointment.objects.filter(start=MONDAY_9).exists()


def test_after_the_cutoff_it_says_to_call_the_clinic(client, clinic, frozen):
    link = booked_link(client, clinic)
    frozen.move_to(MONDAY_9 - timedelta(hours=3))

    page = client.get(link).content.decode()
    assert "too late to change" in page
    assert "+91 80 4567 8900" in page
    assert client.post(link + "cancel/").status_code == 403
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED


def test_another_patients_link_shows_only_their_appointment(client, clinic, frozen):
    mine = booked_link(client, clinic)
    theirs = f"/book/manage/{services.manage_token(book_assessment(clinic, MONDAY_9 + timedelta(days=1)))}/"

    assert "Tuesday 17 June" in client.get(theirs).content.decode()
    assert "Tuesday 17 June" not in client.get(mine).content.decode()


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "nope", lambda t: t.replace(":", ";", 1)])
def test_a_tampered_link_gets_a_clear_page_and_no_data(client, clinic, frozen, mangle):
    link = booked_link(client, clinic)
    token = link.split("/")[3]
    bad = f"/book/manage/{mangle(token)}/"

    for url in (bad, bad + "calendar.ics", bad + "reschedule/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert "Asha" not in response.content.decode()
    assert client.post(bad + "cancel/").status_code == 404
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED


def test_an_expired_link_gets_the_same_page(client, clinic, frozen):
    link = booked_link(client, clinic)
    frozen.move_to(NOW + timedelta(days=91))
    assert client.get(link).status_code == 404


def test_changes_need_post_and_csrf(clinic, frozen):
    client = Client(enforce_csrf_checks=True)
    link = f"/book/manage/{services.manage_token(book_assessment(clinic, MONDAY_9))}/"

    assert "Cancel your appointment?" in client.get(link + "cancel/").content.decode()  # GET only shows
    assert client.post(link + "cancel/").status_code == 403
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
