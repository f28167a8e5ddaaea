"""Staff roles exist as groups with the permissions of the table in docs/design.md, "Who sees what"."""

import pytest
from django.contrib.auth.models import Group

from clinic.core.roles import CLINIC_ADMIN, FRONT_DESK, HEALTH_ANSWERS_PERMISSION, THERAPIST
from tests.factories import clinic_admin_user, front_desk_user, therapist_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


def test_it_creates_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {FRONT_DESK, THERAPIST, CLINIC_ADMIN}


def test_it_gives_front_desk_schedules_but_not_locations_to_edit():
    user = front_desk_user()

    assert user.has_perm("core.view_location")
    assert not user.has_perm("core.change_location")


def test_it_lets_clinic_admins_manage_locations():
    user = clinic_admin_user()

    assert user.has_perm("core.change_location")
    assert user.has_perm("core.add_location")


def test_it_keeps_health_answers_from_the_front_desk():
    """The health-answers permission is the therapists' and clinic admins' only (checked once the intake exists)."""
    desk, therapist = front_desk_user(), therapist_user()

    assert not desk.has_perm(HEALTH_ANSWERS_PERMISSION)
    assert therapist.groups.filter(name=THERAPIST).exists()


def test_it_keeps_the_audit_log_append_only_in_the_admin(client):
    admin = clinic_admin_user()
    staff_login(client, admin)

    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403


def test_it_records_an_audit_event_without_a_logged_in_actor():
    """Changes a patient makes through a signed link are audited with no staff actor (regression: actor was
    required, so audit_record(actor=None) failed validation)."""
    from clinic.core.models import AuditEvent
    from clinic.core.services import audit_record
    from tests.factories import LocationFactory

    event = audit_record(actor=None, action=AuditEvent.Action.APPOINTMENT_CHANGE, obj=LocationFactory())

    assert event.pk is not None
    assert event.actor is None
