"""clinic.core.statements: a QuerySet compiled once and run with each call's values gives what the QuerySet itself
gives, for every shape of its arguments, and refuses a QuerySet it cannot run that way (docs/design.md, "Speed")."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.sql.compiler import SQLCompiler
from phonenumber_field.phonenumber import PhoneNumber

from booking.models import Appointment
from clinic.core.models import Location
from clinic.core.statements import Statement, statement
from tests.booking.factories import AppointmentFactory
from tests.factories import LocationFactory
from tests.intake.factories import PatientFactory

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 6, 13, 12, 0, tzinfo=UTC)


@statement(location=int, start=datetime, end=datetime)
def _booked(location, start, end):
    return (
        Appointment.objects.filter(location=location, start__gte=start, start__lt=end)
        .order_by("start", "pk")
        .values("pk", "start", "patient__phone", "location__name")
    )


@statement(location_ids=list, since=date)
def _from_day(location_ids, since):
    return Appointment.objects.filter(location_id__in=location_ids, start__date__gte=since).order_by("pk").values("pk")


@statement(location_ids=list)
def _counted(location_ids):
    appointments = Appointment.objects.all()
    if location_ids is not None:
        appointments = appointments.filter(location_id__in=location_ids)
    return appointments.order_by().values("location_id").annotate(n=Count("pk"))


@pytest.fixture
def booked():
    here, there = LocationFactory(), LocationFactory()
    made = [
        AppointmentFactory(location=location, start=NOON + timedelta(hours=hours))
        for location, hours in [(here, 1), (here, 2), (there, 1), (here, 30)]
    ]
    return here, there, made


def test_it_gives_what_values_gives_with_each_calls_arguments(booked):
    here, there, _ = booked
    for location, start, end in [(here, NOON, NOON + timedelta(days=1)), (there, NOON, NOON + timedelta(days=2))]:
        expected = list(
            Appointment.objects.filter(location=location, start__gte=start, start__lt=end)
            .order_by("start", "pk")
            .values("pk", "start", "patient__phone", "location__name")
        )
        assert _booked.values(location=location.pk, start=start, end=end) == expected
    assert len(_booked.values(location=here.pk, start=NOON, end=NOON + timedelta(days=1))) == 2


def test_it_converts_columns_as_the_fields_do(booked):
    here, _, made = booked
    PatientFactory._meta.model.objects.filter(pk=made[0].patient_id).update(phone="+914412345678")
    row = _booked.values(location=here.pk, start=NOON, end=NOON + timedelta(hours=90))[0]
    assert isinstance(row["patient__phone"], PhoneNumber)  # the phone field's from_db_value ran
    assert row["patient__phone"].as_e164 == "+914412345678"
    assert row["start"] == made[0].start
    assert row["start"].tzinfo is not None


def test_it_compiles_once_and_runs_one_query_afterwards(booked, django_assert_num_queries):
    here, there, _ = booked
    _booked.values(location=here.pk, start=NOON, end=NOON)
    compiled_again = mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again"))
    with compiled_again, django_assert_num_queries(1):
        assert len(_booked.values(location=there.pk, start=NOON, end=NOON + timedelta(hours=2))) == 1


@pytest.mark.parametrize("pick", [None, [], [0], [1, 0]], ids=["every location", "none", "one", "two"])
def test_each_shape_of_a_list_gives_what_the_queryset_gives(booked, pick, django_assert_num_queries):
    here, there, _ = booked
    ids = None if pick is None else [[here.pk, there.pk][n] for n in pick]
    expected = Appointment.objects.all() if ids is None else Appointment.objects.filter(location_id__in=ids)
    counts = {row["location_id"]: row["n"] for row in _counted.values(location_ids=ids)}
    assert counts == {
        row["location_id"]: row["n"] for row in expected.order_by().values("location_id").annotate(n=Count("pk"))
    }
    # An empty list matches nothing, which Django knows without asking the database.
    with django_assert_num_queries(0 if ids == [] else 1):
        _counted.values(location_ids=ids)


def test_it_makes_model_instances_with_their_annotations(booked):
    _here, there, _ = booked
    found = Statement(
        lambda location: Location.objects.filter(pk=location).annotate(twice=F("pk") * 2), location=int
    ).objects(location=there.pk)
    assert found == [there]
    assert found[0].twice == there.pk * 2


def test_it_takes_dates(booked):
    here, there, made = booked
    both = [here.pk, there.pk]
    assert _from_day.values(location_ids=both, since=date(2025, 6, 14)) == [{"pk": made[3].pk}]
    assert len(_from_day.values(location_ids=both, since=date(2025, 6, 13))) == 4


def test_it_refuses_an_argument_the_queryset_does_not_use_as_given(booked):
    here, _, _ = booked
    ignored = Statement(lambda location: Location.objects.all().values("pk"), location=int)
    with pytest.raises(ValueError, match="does not take"):
        ignored.values(location=here.pk)
    # A datetime turned into a date on the way is not the stand-in any more.
    as_date = Statement(lambda since: Appointment.objects.filter(start__date__gte=since).values("pk"), since=datetime)
    with pytest.raises(ValueError, match="does not take"):
        as_date.values(since=NOON)


def test_a_constant_equal_to_a_stand_in_is_not_taken_for_an_argument(booked):
    here, _, _ = booked
    # 32000 is the first set's stand-in for the first number: the second set shows it is a constant.
    coincidence = Statement(
        lambda location: Appointment.objects.filter(location=location, pk__lt=32_000).values("pk"), location=int
    )
    with pytest.raises(ValueError, match="changes with its arguments"):
        coincidence.values(location=here.pk)


def test_it_takes_exactly_its_arguments(booked):
    here, _, _ = booked
    with pytest.raises(TypeError, match="takes"):
        _booked.values(location=here.pk, start=NOON)
    with pytest.raises(TypeError, match="ints, dates, datetimes or lists"):
        Statement(lambda name: Location.objects.filter(name=name), name=str)


def test_it_puts_values_in_as_the_backend_adapts_them(booked):
    """SQLite (a local `make run`) takes dates and times as text: the stand-ins are found in their adapted form
    and each call's values are adapted the same way."""
    here, _, made = booked
    ops = connection.ops
    as_text = Statement(
        lambda location, start, since: Appointment.objects.filter(
            location=location, start__gte=start, start__date__gte=since
        ).values("pk"),
        location=int,
        start=datetime,
        since=date,
    )
    with (
        mock.patch.object(ops, "adapt_datetimefield_value", lambda value: value.isoformat()),
        mock.patch.object(ops, "adapt_datefield_value", lambda value: value.isoformat()),
    ):
        _, params = as_text.compiled({"location": here.pk, "start": NOON, "since": date(2025, 6, 14)})
        assert NOON.isoformat() in params
        assert "2025-06-14" in params
        assert as_text.values(location=here.pk, start=NOON, since=date(2025, 6, 14)) == [{"pk": made[3].pk}]
