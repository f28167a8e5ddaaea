"""The intake in the Django admin: read-only records, answers only for the health-answers permission, audited."""

import pytest

from clinic.core.models import AuditEvent
from tests.factories import clinic_admin_user, front_desk_user
from tests.intake.factories import IntakeFactory, healthy_answers
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake():
    return IntakeFactory(needs_review=True, answers=healthy_answers(vascular="yes", vascular_where="Left calf veins"))


def test_it_keeps_the_front_desk_out_of_the_admin(client, intake):
    staff_login(client, front_desk_user())

    response = client.get(f"/admin/intake/intake/{intake.pk}/change/")

    assert response.status_code == 403
    assert "Left calf veins" not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_it_shows_answers_to_clinic_admins_and_audits_it(client, intake):
    admin = clinic_admin_user()
    staff_login(client, admin)

    response = client.get(f"/admin/intake/intake/{intake.pk}/change/")

    assert "Left calf veins" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.object_id) == (admin, "view_health_answers", str(intake.pk))


def test_it_never_lets_anyone_edit_an_intake(client, intake):
    staff_login(client, clinic_admin_user())

    response = client.post(f"/admin/intake/intake/{intake.pk}/change/", {"outcome": "cleared"})

    assert response.status_code == 403
    intake.refresh_from_db()
    assert intake.outcome == "needs_review"


def test_it_sends_anonymous_visitors_to_the_admin_login(client, intake):
    response = client.get(f"/admin/intake/intake/{intake.pk}/change/")

    assert response.status_code == 302
