"""The version read that every slots request makes (clinic.core.selectors.data_version) is also the connection's
health check: no extra `SELECT 1` round trip, and a kept connection the database ended still gets an answer."""

from unittest import mock

import psycopg2
import pytest
from django.db import connection

from clinic.core.models import DataVersion
from clinic.core.selectors import data_version
from clinic.core.services import data_version_bump

# Outside a transaction, as a request is: the read itself stands in for Django's check there.
pytestmark = pytest.mark.django_db(transaction=True)


def start_request():
    """What Django does when a request starts on a kept connection: the health check is owed again."""
    connection.close_if_unusable_or_obsolete()
    connection.health_check_done = False


def test_it_reads_the_version_without_the_separate_health_check():
    before = data_version(DataVersion.DIARY)  # a kept connection now exists
    data_version_bump(name=DataVersion.DIARY)
    start_request()
    with mock.patch.object(connection, "is_usable", side_effect=AssertionError("SELECT 1 sent")):
        assert data_version(DataVersion.DIARY) > before


def test_it_answers_on_a_new_connection_when_the_database_ended_the_kept_one():
    before = data_version(DataVersion.DIARY)
    data_version_bump(name=DataVersion.DIARY)
    kept = connection.connection
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other, other.cursor() as cursor:  # as a database restart would
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept.get_backend_pid()])
    finally:
        other.close()
    start_request()

    assert data_version(DataVersion.DIARY) > before
    assert connection.connection is not kept
