"""The audit trail is append-only and outlives the people it names (docs/design.md, "Who sees what")."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from clinic.core.models import AuditEvent, AuditEventImmutable
from clinic.core.services import audit_record
from tests.factories import LocationFactory, UserFactory, clinic_admin_user, front_desk_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


def _event(actor=None, *, action=AuditEvent.Action.LOCATION_CHANGE, patient_id=None, obj=None):
    return audit_record(actor=actor, action=action, obj=obj or LocationFactory(), patient_id=patient_id)


def test_it_keeps_the_actors_name_and_id_after_the_user_is_renamed_and_deactivated():
    user = UserFactory(username="sam", first_name="Sam", last_name="Staff")
    event = _event(user)

    user.first_name, user.last_name, user.is_active = "Other", "Person", False
    user.save()
    event = AuditEvent.objects.get(pk=event.pk)

    assert (event.actor_id, event.actor_name) == (user.pk, "Sam Staff (sam)")


def test_it_refuses_to_delete_a_user_whom_events_name():
    """A cascade (or SET_NULL) from the user would blank the actor; deactivate staff instead."""
    user = UserFactory()
    event = _event(user)

    with pytest.raises(ProtectedError):
        user.delete()

    assert AuditEvent.objects.get(pk=event.pk).actor_id == user.pk


def test_it_refuses_changes_and_deletes_through_the_orm():
    event = _event()
    event.detail = {"changed": True}

    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="0")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get(pk=event.pk).detail == {}


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET object_id = '0'",
        "DELETE FROM core_auditevent",
        "UPDATE core_auditevent SET actor_id = NULL",
    ],
)
def test_the_database_refuses_updates_and_deletes(sql):
    """Whatever the client: raw SQL, a cascade, a psql session. Only the migration's trigger stands in the way."""
    event = _event(UserFactory())

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert AuditEvent.objects.filter(pk=event.pk, object_id=event.object_id, actor__isnull=False).exists()


def test_it_records_who_did_it_without_an_account_as_the_patient():
    event = _event(None)

    assert (event.actor_id, event.actor_name) == (None, "")


def test_the_admin_cannot_add_change_or_delete_events(client):
    admin = clinic_admin_user()
    event = _event(admin)
    staff_login(client, admin)

    page = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    deleted = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert deleted.status_code == 403
    assert bulk.status_code in (200, 302)
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_clinic_admins_filter_events_by_actor_patient_action_and_date(client):
    admin, desk = clinic_admin_user(), front_desk_user(username="desk-anna")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        old = _event(desk, action=AuditEvent.Action.HOURS_CHANGE, patient_id=None)
    with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False):
        about_7 = _event(admin, action=AuditEvent.Action.PATIENT_EXPORT, patient_id=7)
        about_8 = _event(desk, action=AuditEvent.Action.APPOINTMENT_CHANGE, patient_id=480913)
    staff_login(client, admin)

    def shown(query: str) -> set[int]:
        response = client.get(f"/admin/core/auditevent/?{query}")
        assert response.status_code == 200, query
        return {event.pk for event in response.context["cl"].result_list}

    assert shown(f"actor__id__exact={desk.pk}") == {old.pk, about_8.pk}
    assert shown("patient_id=7") == {about_7.pk}
    assert shown("action__exact=appointment_change") == {about_8.pk}
    assert shown("at__year=2026&at__month=3") == {old.pk}
    # a patient's number in the search box (one no location id or user name of an earlier test can contain)
    assert shown("q=480913") == {about_8.pk}
    assert shown("q=desk-anna") == {old.pk, about_8.pk}  # the actor's name as it was, user name included
    # A NUL byte in the address is refused before any view with the 400 page (clinic/core/request_guard.py).
    assert client.get("/admin/core/auditevent/?q=%00").status_code == 400
