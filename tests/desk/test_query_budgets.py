"""The desk stays fast (issue: 10 therapists, 200 appointments a day, 50,000 patients): the day grid, the week grid
and the patient search run the same, listed number of queries at two data sizes. bench/bench_desk.py times them."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User

from desk import selectors
from tests.booking.factories import AppointmentFactory, ServiceFactory, TherapistFactory, TimeOffFactory
from tests.factories import LocationFactory, front_desk_user
from tests.intake.factories import IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 13, 6, 0, tzinfo=UTC)
DAY_START = datetime(2025, 6, 13, 2, 30, tzinfo=UTC)  # 08:00 in Bengaluru


@pytest.fixture
def desk():
    location = LocationFactory(slug="bench", time_zone="Asia/Kolkata")
    service = ServiceFactory(duration_minutes=30, locations=[location])
    user = front_desk_user()
    return {"location": location, "service": service, "staff": selectors.staff_for(user), "therapists": []}


def grow(desk, *, therapists: int, per_therapist: int, patients: int) -> None:
    """Add therapists with hours and time off, a day of appointments each, and patients with intakes there."""
    from booking.models import WorkingHours

    location, service = desk["location"], desk["service"]
    while len(desk["therapists"]) < therapists:
        therapist = TherapistFactory(locations=[location], services=[service])
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, location=location, weekday=d, start_time=time(8), end_time=time(20))
            for d in range(7)
        )
        TimeOffFactory(therapist=therapist, start=DAY_START + timedelta(days=1), end=DAY_START + timedelta(days=2))
        desk["therapists"].append(therapist)
    for therapist in desk["therapists"]:
        have = therapist.appointments.count()
        for n in range(have, per_therapist):
            AppointmentFactory(
                therapist=therapist, location=location, service=service, start=DAY_START + timedelta(minutes=30 * n)
            )
    for n in range(patients):
        IntakeFactory(location=location, patient=PatientFactory(last_name=f"Shah{n}"))


@pytest.mark.parametrize("size", [(2, 3, 3), (10, 20, 30)], ids=["small", "large"])
def test_the_grids_and_the_search_run_a_fixed_number_of_queries(desk, django_assert_num_queries, size):
    therapists, per_therapist, patients = size
    grow(desk, therapists=therapists, per_therapist=per_therapist, patients=patients)
    staff, location, day = desk["staff"], desk["location"], DAY_START.date()

    # therapists at the location, their hours that weekday, the day's appointments (patient, service, therapist and
    # intake joined), time off over the day, the location's closures: each compiled once per process.
    with django_assert_num_queries(5):
        grid = selectors.day_grid(staff=staff, location=location, day=day, now=NOW)
    assert len(grid.appointments) == therapists * per_therapist
    assert sum(len(column.off) for column in grid.columns) == 0  # the time off is tomorrow

    # the therapist's hours at the location, their week's appointments (joined as above, and the location for the
    # ones elsewhere), time off, closures.
    with django_assert_num_queries(4):
        week = selectors.week_grid(staff=staff, location=location, therapist=desk["therapists"][0], day=day, now=NOW)
    assert len(week.appointments) == per_therapist
    # Saturday 08:00 to Sunday 08:00: shaded on Saturday; Sunday's part lies before the grid's first hour.
    assert sum(len(column.off) for column in week.columns) == 1

    # One word: the whole-word threshold for the search's transaction and the names holding the whole word (none:
    # the names are Shah0, Shah1...); then the word-similarity threshold and the patients in the desk's scope, ranked
    # (outside a test's transaction a BEGIN and a COMMIT around them too).
    with django_assert_num_queries(4):
        found = selectors.patient_search(staff, "shah")
    assert len(found) == min(patients, selectors.SEARCH_LIMIT)
    # Two words: only the second pair.
    with django_assert_num_queries(2):
        assert selectors.patient_search(staff, "asha shah")


@pytest.mark.parametrize("size", [(2, 3, 3), (10, 20, 30)], ids=["small", "large"])
def test_the_schedule_pages_and_the_search_page_run_a_fixed_number_of_queries(
    client, desk, django_assert_num_queries, size
):
    """The whole request, as the benchmark times it: prevents an N+1 coming back through a template or middleware."""
    from clinic.core.models import StaffProfile
    from tests.support.auth import staff_login

    therapists, per_therapist, patients = size
    grow(desk, therapists=therapists, per_therapist=per_therapist, patients=patients)
    user = desk["staff"].user
    StaffProfile.objects.create(user=user).locations.set([desk["location"]])
    staff_login(client, user)
    day = DAY_START.date().isoformat()
    client.get("/desk/")  # a warm process, as in the benchmark: the appointments' content type is cached after it
    # Every staff page: session, user (read with their permissions, groups, devices, therapist record and staff
    # profile's locations, so the desk's scope and the second-factor check need no query: desk.auth.StaffBackend),
    # the verified two-factor device, and at the end the navigation's count of screenings waiting for review: 4.
    every_page = 4
    # + the active locations in scope; the day grid's five (therapists, hours, appointments, time off, closures);
    # the messages to look at, failed or sent twice (none here, so not their appointments).
    with django_assert_num_queries(every_page + 1 + 5 + 1):
        response = client.get("/desk/", {"location": "bench", "date": day})
    assert response.content.decode().count('class="grid-appt ') == therapists * per_therapist
    # The schedule's background refresh: the page's reads but the navigation's count and the messages to look at.
    with django_assert_num_queries(every_page - 1 + 1 + 5):
        response = client.get("/desk/", {"location": "bench", "date": day}, headers={"X-Background-Refresh": "1"})
    assert response.content.decode().count('class="grid-appt ') == therapists * per_therapist
    # + the active locations in scope, the therapists of the location, and the week grid's four (hours,
    # appointments, time off, closures).
    therapist = desk["therapists"][0].pk
    with django_assert_num_queries(every_page + 2 + 4):
        response = client.get("/desk/week/", {"location": "bench", "therapist": therapist, "date": day})
    assert response.content.decode().count('class="grid-appt ') == per_therapist
    # + the search's two passes (one word, none of the names holding it whole), each a threshold and a query.
    with django_assert_num_queries(every_page + 4):
        response = client.get("/desk/patients/", {"q": "Shah"})
    found = re.findall(r'href="/desk/patients/\d+/"', response.content.decode())
    assert len(found) == min(patients, selectors.SEARCH_LIMIT)


@pytest.mark.parametrize(("shahs", "queries"), [(3, 4), (30, 2)], ids=["fewer than a page", "a page and more"])
def test_a_common_surname_fills_the_page_from_the_whole_word_pass(desk, django_assert_num_queries, shahs, queries):
    """Patients whose name holds the whole word rank 1, the highest: with a page of them the scoring of every
    similar name is skipped (two statements); with fewer, the similar names are scored too (four). Never more."""
    for n in range(shahs):
        IntakeFactory(location=desk["location"], patient=PatientFactory(first_name=f"P{n:02}", last_name="Shah"))
    IntakeFactory(location=desk["location"], patient=PatientFactory(first_name="Aaron", last_name="Shahid"))
    with django_assert_num_queries(queries):
        found = selectors.patient_search(desk["staff"], "Shah")
    assert len(found) == min(shahs + 1, selectors.SEARCH_LIMIT)
    assert [p.last_name for p in found][: min(shahs, selectors.SEARCH_LIMIT)] == ["Shah"] * min(shahs, 25)


def test_the_two_passes_find_what_one_scoring_pass_finds(desk, monkeypatch):
    """The whole-word pass is a shortcut, never a different answer: the same patients in the same order as scoring
    every similar name, for whole words, typos and names that hold the word's trigrams without being it."""
    names = [("Priya", "Shah")] * 3 + [("Ravi", "Shahah"), ("Aarav", "Shah-Mehta"), ("Ravi", "Shaw"), ("Ria", "Rao")]
    names += [(f"N{n:02}", "Shah") for n in range(30)] + [(f"S{n:02}", "Shaikh") for n in range(5)]
    for first, last in names:
        IntakeFactory(location=desk["location"], patient=PatientFactory(first_name=first, last_name=last))
    queries = ["shah", "shaw", "rau", "priya", "shah priya", "mehta", "ravi"]
    found = {q: [p.pk for p in selectors.patient_search(desk["staff"], q)] for q in queries}
    monkeypatch.setattr(selectors, "WHOLE_WORD", selectors.WORD_SIMILARITY)  # one scoring pass, as before
    assert found == {q: [p.pk for p in selectors.patient_search(desk["staff"], q)] for q in queries}
    assert len(found["shah"]) == selectors.SEARCH_LIMIT
    assert found["rau"]


def test_the_name_search_is_answered_from_the_trigram_index_of_the_whole_name(desk):
    """Guards the one thing that made the search fast: its condition is exactly the expression booking's migration
    0009 indexes (a different spelling of the same name, e.g. Concat with COALESCE, and PostgreSQL scores every
    patient instead). Sequential scans are priced out so the tiny test table does not hide the choice."""
    from django.db import connection

    from desk.selectors import SearchName
    from intake.models import Patient

    IntakeFactory(location=desk["location"], patient=PatientFactory(first_name="Priya", last_name="Shah"))
    query = (
        Patient.objects.alias(name=SearchName("first_name", "last_name"))
        .filter(name__trigram_word_similar="priya")
        .filter(name__trigram_word_similar="shaw")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "patient_name_trgm_idx" in plan
    assert list(query) == list(Patient.objects.filter(first_name="Priya", last_name="Shah"))


def test_the_search_indexes_take_each_new_patient_at_once_rather_than_into_a_pending_list():
    """GIN's pending list is read row by row by every search until a vacuum merges it (booking migration 0014):
    at 50,000 patients it made a name search's index scan ten times slower."""
    from django.db import connection

    indexes = ["patient_name_trgm_idx", "patient_email_trgm_idx", "patient_phone_trgm_idx"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [indexes])
        options = dict(cursor.fetchall())
    assert options == {index: ["fastupdate=off"] for index in indexes}


def test_a_scoped_search_checks_each_name_found_rather_than_hashing_every_patient_seen_here(desk):
    """The front desk's scope is one EXISTS per name found (desk/selectors.py: patients_for_staff): PostgreSQL never
    builds a hash of every patient with an appointment or an intake at the location for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinic.core.models import StaffProfile

    StaffProfile.objects.create(user=desk["staff"].user).locations.set([desk["location"]])
    # Read afresh, as the next request would: a user object keeps what it read of its scope for its request.
    staff = selectors.staff_for(User.objects.get(pk=desk["staff"].user.pk))
    for n in range(30):
        IntakeFactory(location=desk["location"], patient=PatientFactory(first_name=f"P{n:02}", last_name="Shah"))
    with CaptureQueriesContext(connection) as queries:
        assert len(selectors.patient_search(staff, "Shah")) == selectors.SEARCH_LIMIT
    (search,) = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {search}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" in plan
    assert "hashed" not in plan
