"""The time picker of /book/: a strip of days with their free times counted, the chosen day's times grouped by
morning, afternoon and evening, and the first free time; plain links throughout (no JavaScript needed), answered
from the slot cache with the same queries however busy the diary is."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from booking.models import Appointment
from tests.booking.factories import AppointmentFactory, ClosureFactory, therapist_at

pytestmark = pytest.mark.django_db

PICKER = "/book/?service=dry-needling&location=indiranagar&therapist=any"
EVENINGS = tuple((day, 17, 20) for day in range(6))  # a second therapist, Monday to Saturday 17:00-20:00


def page(client, **params) -> str:
    query = "".join(f"&{name}={value}" for name, value in params.items())
    response = client.get(PICKER + query)
    assert response.status_code == 200
    return response.content.decode()


def strip(html: str) -> list[str]:
    """Each day of the strip as its hidden label reads: 'Monday 16 June, 29 free times'."""
    return re.findall(r'<span class="visually-hidden">([^<]+ free times?|[^<]+, no free times)</span>', html)


def groups(html: str) -> dict[str, list[str]]:
    found = {}
    for name, body in re.findall(r'<h3 class="h6 day-part">(\w+)</h3>\s*<ul[^>]*>(.*?)</ul>', html, re.S):
        found[name] = re.findall(r'class="btn btn-outline-primary slot"[^>]*>(\d\d:\d\d)</a>', body)
    return found


def test_it_shows_a_fortnight_with_free_days_marked_and_today_chosen(client, clinic, frozen):
    html = page(client)

    days = strip(html)
    assert len(days) == 14
    assert days[0].startswith("Friday 13 June, ")  # today, with its afternoon still free
    assert days[2] == "Sunday 15 June, no free times"  # the clinic's hours are Monday to Saturday
    assert days[3] == "Monday 16 June, 30 free times"  # 09:00 to 16:15 every quarter of an hour
    assert re.search(r'data-day="2025-06-13" aria-current="date"', html)
    assert html.count('aria-current="date"') == 1
    assert "Times are India time." in html


def test_it_groups_the_chosen_days_times_by_part_of_the_day(client, clinic, frozen):
    therapist_at(clinic["location"], [clinic["needling"]], hours=EVENINGS, display_name="Priya Raman")

    found = groups(page(client, day="2025-06-16"))

    assert list(found) == ["Morning", "Afternoon", "Evening"]
    assert found["Morning"][0] == "09:00"
    assert found["Morning"][-1] == "11:45"
    assert found["Afternoon"][0] == "12:00"
    assert found["Afternoon"][-1] == "16:15"
    assert found["Evening"] == [
        "17:00",
        "17:15",
        "17:30",
        "17:45",
        "18:00",
        "18:15",
        "18:30",
        "18:45",
        "19:00",
        "19:15",
    ]


def test_each_time_is_a_plain_link_to_the_confirm_step(client, clinic, frozen):
    html = page(client, day="2025-06-16")

    assert (
        "/book/confirm/?service=dry-needling&amp;location=indiranagar&amp;therapist=any&amp;start=20250616T0330Z"
        in html
    )
    assert "?service=dry-needling&amp;location=indiranagar&amp;therapist=any&amp;day=2025-06-17" in html  # a day


def test_it_leads_with_the_first_free_time(client, clinic, frozen):
    html = page(client)

    # Friday 11:30 now; two hours' notice and the quarter-hour grid make 13:30 the first time offered.
    assert re.search(
        r"First free time</h2>\s*<p[^>]*><strong>Friday 13 June 2025, 13:30 \(India time\)</strong> with Arjun Menon",
        html,
    )
    assert "start=20250613T0800Z" in html.split("Book the first free time")[0].rsplit("<a", 1)[1]


def test_the_first_free_time_may_lie_beyond_the_first_fortnight(client, clinic, frozen):
    ClosureFactory(location=clinic["location"], first_day=date(2025, 6, 13), last_day=date(2025, 6, 30))

    html = page(client)

    assert all(day.endswith("no free times") for day in strip(html))
    assert "Tuesday 1 July 2025, 09:00 (India time)" in html
    assert "No free times on this day." in html


def test_later_days_come_as_the_next_fortnight(client, clinic, frozen):
    html = page(client)
    later = re.search(r'href="\?([^"]+)"[^>]*>Later days', html).group(1).replace("&amp;", "&")
    assert later.endswith("from=2025-06-27")

    following = page(client, **{"from": "2025-06-27"})

    assert strip(following)[0].startswith("Friday 27 June")
    assert "First free time" not in following  # the shortcut leads the first fortnight only
    assert "Earlier days" in following


@pytest.mark.parametrize("day", ["2025-13-01", "yesterday", "2025-06-01", "2031-01-01", "\x00", "9" * 40])
def test_it_takes_any_day_parameter_without_an_error(client, clinic, frozen, day):
    html = page(client, day=day)

    assert len(strip(html)) == 14 or "Later days" not in html


def test_a_day_past_the_horizon_shows_the_last_bookable_fortnight(client, clinic, frozen):
    html = page(client, day="2031-01-01")

    days = strip(html)
    assert days[-1].startswith("Tuesday 12 August")  # today + 60 days
    assert "Later days" not in html


def test_a_taken_time_is_not_offered(client, clinic, frozen):
    AppointmentFactory(
        location=clinic["location"],
        therapist=clinic["therapist"],
        service=clinic["needling"],
        start=datetime(2025, 6, 16, 3, 30, tzinfo=UTC),  # Monday 09:00 IST, blocked to 10:00 with the buffer
        status=Appointment.Status.CONFIRMED,
    )

    found = groups(page(client, day="2025-06-16"))

    assert found["Morning"][:2] == ["10:00", "10:15"]


@pytest.mark.parametrize("therapists", [1, 6])
def test_it_uses_the_same_queries_however_many_therapists_and_days(
    client, clinic, frozen, therapists, django_assert_num_queries
):
    """Prevents an N+1 over days, therapists or times: the picker reads the slot cache like the slots API."""
    for _ in range(therapists - 1):
        therapist_at(clinic["location"], [clinic["needling"]], hours=EVENINGS)
    first_start = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)
    for day in range(10):
        AppointmentFactory(
            location=clinic["location"],
            therapist=clinic["therapist"],
            service=clinic["needling"],
            start=first_start + timedelta(days=day),
            status=Appointment.Status.CONFIRMED,
        )

    # Nothing cached (the suite clears the cache before each test):
    # 1 booking_service: the service chosen, by its slug
    # 2 core_location: the clinic chosen, by its slug
    # 3 core_dataversion: the diary's version, which keys the cached free times
    # 4 booking_workinghours: the team, therapists with hours there who offer it (names joined)
    # 5 booking_workinghours: their working hours over the fortnight, with the therapists' names joined
    # 6 booking_timeoff: their time off in the fortnight
    # 7 booking_closure: the clinic's closures in the fortnight
    # 8 booking_appointment: the appointments that hold time in the fortnight
    # 9 core_location: the footer's clinics (then cached)
    with django_assert_num_queries(9):
        page(client)
    # Another day of the same fortnight (team, free times and footer now cached):
    # 1 booking_service: the service chosen
    # 2 core_location: the clinic chosen
    # 3 core_dataversion: the diary's version, unchanged, so the cached days stand
    with django_assert_num_queries(3):
        page(client, day="2025-06-20")
