"""The schedule's time grids: a location's day (one column per therapist, blocks sized by duration, hours, time off
and closures shaded, the now-line), a therapist's week, and the background refresh that is not activity."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from desk import grid
from tests.booking.conftest import NOW
from tests.booking.factories import AppointmentFactory, ClosureFactory, TherapistFactory, TimeOffFactory
from tests.factories import LocationFactory, front_desk_user
from tests.intake.factories import PatientFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 13)  # Friday; NOW is 11:30 in Bengaluru
AT_10 = datetime(2025, 6, 13, 4, 30, tzinfo=UTC)  # 10:00 IST


def test_a_frame_covers_the_working_day_and_places_blocks_in_five_minute_rows():
    frame = grid.frame_for([(9 * 60, 17 * 60), (7 * 60 + 30, 8 * 60 + 15)])
    assert (frame.first_hour, frame.last_hour) == (7, 17)  # the earliest opening to the latest close
    # 07:30-08:15: row 2 is 07:00, so 07:30 is row 8, 45 minutes are 9 rows.
    assert frame.place(7 * 60 + 30, 8 * 60 + 15) == (8, 9)
    assert frame.place(20 * 60, 21 * 60) is None  # outside the frame
    assert frame.place(-600, 24 * 60 + 60) == (2, frame.rows)  # time off over the whole day is clamped
    assert grid.week_of(TODAY)[0] == date(2025, 6, 9)


@pytest.mark.parametrize(
    ("spans", "hours"),
    [
        ([(10 * 60, 16 * 60)], (10, 16)),  # no empty hours before opening or after closing
        ([(9 * 60 + 45, 13 * 60 + 10), (14 * 60, 15 * 60)], (9, 15)),  # whole hours around them
        ([], (8, 18)),  # nobody in and nothing booked: a working day's default
        ([(22 * 60, 24 * 60 + 90)], (22, 24)),  # an appointment running past midnight stops at the day's end
        ([(0, 0)], (0, 1)),  # never an empty frame
    ],
)
def test_a_frame_starts_at_the_earliest_opening_and_ends_at_the_latest_close(spans, hours):
    frame = grid.frame_for(spans)
    assert (frame.first_hour, frame.last_hour) == hours


def test_the_day_grid_sizes_blocks_by_duration_and_shades_time_off_and_closures(client, clinic, frozen):
    location, therapist = clinic["location"], clinic["therapist"]
    AppointmentFactory(therapist=therapist, location=location, service=clinic["needling"], start=AT_10)
    TimeOffFactory(therapist=therapist, start=AT_10 + timedelta(hours=4), end=AT_10 + timedelta(hours=6))
    staff_login(client, front_desk_user())
    page = client.get("/desk/").content.decode()
    # Hours 09:00-17:00, so the frame is 09:00-17:00: 10:00 is row 2 + 12; 45 minutes are 9 rows.
    assert '<div class="grid-hour c-1 r-2 s-12">09:00</div>' in page
    assert "grid-appt appointment-confirmed c-2 r-14 s-9" in page
    assert "grid-hours c-2 r-2 s-96" in page
    assert "grid-off c-2 r-62 s-24" in page  # 14:00-16:00
    assert "now-line r-32 all-cols" in page  # 11:30
    assert "Day sheet:" in page  # the printed sheet
    ClosureFactory(location=location, first_day=TODAY, last_day=TODAY, reason="Diwali")
    assert "Closed: Diwali" in client.get("/desk/").content.decode()
    assert "now-line" not in client.get("/desk/", {"date": "2025-06-14"}).content.decode()


def test_a_therapist_who_left_the_location_keeps_a_column_on_a_day_they_are_still_booked(client, clinic, frozen):
    """The day grid reads time off for the location's therapists and whoever is booked there that day
    (desk/selectors.py): someone moved to another clinic shows with their last appointment and their time off."""
    location, therapist = clinic["location"], clinic["therapist"]
    AppointmentFactory(therapist=therapist, location=location, service=clinic["needling"], start=AT_10)
    TimeOffFactory(therapist=therapist, start=AT_10 + timedelta(hours=4), end=AT_10 + timedelta(hours=6))
    therapist.locations.remove(location)
    elsewhere = TherapistFactory(display_name="Away Elsewhere")  # works at no location here: no column, no shading
    TimeOffFactory(therapist=elsewhere, start=AT_10, end=AT_10 + timedelta(hours=1))
    staff_login(client, front_desk_user())
    page = client.get("/desk/").content.decode()
    assert "Arjun Menon" in page
    assert "grid-appt appointment-confirmed c-2 r-14 s-9" in page
    assert "grid-off c-2 r-62 s-24" in page  # found through their appointment here, not the location's team
    assert page.count("grid-off ") == 1
    assert "Away Elsewhere" not in page


def test_a_therapists_week_names_the_other_location_of_an_appointment_there(client, clinic, frozen):
    location, therapist = clinic["location"], clinic["therapist"]
    other = LocationFactory(name="Koramangala", time_zone="Asia/Kolkata")
    therapist.locations.add(other)
    AppointmentFactory(therapist=therapist, location=other, service=clinic["needling"], start=AT_10)
    staff_login(client, front_desk_user())
    page = client.get("/desk/week/", {"location": location.slug, "therapist": therapist.pk}).content.decode()
    assert "grid-appt appointment-confirmed c-6 r-14 s-9" in page
    assert ", Koramangala</span>" in page
    day = client.get("/desk/", {"location": location.slug}).content.decode()
    assert "grid-appt " not in day  # the day grid is the location's own


def test_the_grid_and_the_day_sheet_escape_what_they_show_and_the_sheet_formats_phones(client, clinic, frozen):
    """The per-appointment loops write their markup themselves (desk/templatetags/desk_tags.py): every value is
    escaped as the template engine would, and only the printed sheet shows the phone, formatted for dialling."""
    patient = PatientFactory(first_name="<b>Ann</b>", last_name="O'Neil & Co", phone="+919876543210")
    AppointmentFactory(patient=patient, therapist=clinic["therapist"], location=clinic["location"], start=AT_10)
    staff_login(client, front_desk_user())
    page = client.get("/desk/").content.decode()
    name = "&lt;b&gt;Ann&lt;/b&gt; O&#x27;Neil &amp; Co"
    assert f'<span class="grid-appt-name">{name}</span>' in page
    assert f"<td>{name}</td><td>+91 98765 43210</td>" in page
    assert "<b>Ann" not in page
    assert page.count("+91 98765 43210") == 1  # the sheet's; the grid's block has no phone


def test_the_week_grid_shows_a_therapists_week_with_their_appointments(client, clinic, frozen):
    location, therapist = clinic["location"], clinic["therapist"]
    AppointmentFactory(therapist=therapist, location=location, service=clinic["needling"], start=AT_10)
    staff_login(client, front_desk_user())
    page = client.get("/desk/week/", {"location": location.slug, "therapist": therapist.pk}).content.decode()
    assert "Arjun Menon: week of 9 June–15 June 2025" in page
    assert "grid-appt appointment-confirmed c-6 r-14 s-9" in page  # Friday is the fifth day: column 6
    assert page.count("grid-hours ") == 6  # Monday to Saturday
    assert "now-line r-32 c-6" in page
    for bad in ({"therapist": "x"}, {"therapist": "999999"}, {"location": "nowhere"}):
        assert client.get("/desk/week/", {"location": location.slug, **bad}).status_code == 404
    assert client.get("/desk/week/", {"date": "2025-13-40"}).status_code == 200


def test_a_therapist_lands_on_their_own_week(client, clinic, frozen):
    staff_login(client, clinic["therapist"].user)
    page = client.get("/desk/week/").content.decode()
    assert "Arjun Menon: week of" in page


def test_a_background_refresh_gets_the_schedule_alone(client, clinic, frozen):
    """static/desk/schedule.js replaces only the schedule section with the refreshed one: the server sends only that,
    without the header, navigation, date form or messages (nor the reads behind them)."""
    location, therapist = clinic["location"], clinic["therapist"]
    AppointmentFactory(therapist=therapist, location=location, service=clinic["needling"], start=AT_10)
    staff_login(client, front_desk_user())
    page = client.get("/desk/").content.decode()
    refreshed = client.get("/desk/", headers={"X-Background-Refresh": "1"})
    body = refreshed.content.decode()
    assert body.lstrip().startswith('<section id="schedule"')
    assert body.count("grid-appt appointment-confirmed c-2 r-14 s-9") == 1
    assert body.strip() in page  # exactly the page's section
    assert "<nav" not in body
    assert "<form" not in body
    assert refreshed["Vary"].count("X-Background-Refresh") == 1
    assert "no-store" in refreshed["Cache-Control"]
    # An unreadable date on a refresh shows today, and leaves no message waiting for the next page.
    assert (
        "r-14" in client.get("/desk/", {"date": "2025-13-40"}, headers={"X-Background-Refresh": "1"}).content.decode()
    )
    assert "could not be read" not in client.get("/desk/").content.decode()


def test_a_background_refresh_does_not_keep_an_idle_desk_signed_in(client, clinic):
    with time_machine.travel(NOW, tick=False) as traveller:
        staff_login(client, front_desk_user())
        for minutes in (10, 20, 29):
            traveller.move_to(NOW + timedelta(minutes=minutes))
            assert client.get("/desk/", headers={"X-Background-Refresh": "1"}).status_code == 200
        traveller.move_to(NOW + timedelta(minutes=30, seconds=1))
        assert client.get("/desk/", headers={"X-Background-Refresh": "1"}).status_code == 302
