"""The admin is the clinic admins' tool only, and they cannot widen their own rights or erase who did what
(docs/access.md, "The admin"). Headers on personal pages (docs/access.md, "Pages and headers")."""

import pytest
from django.contrib.auth import get_user_model

from clinic.core.models import AuditEvent, Location
from tests.factories import LocationFactory, UserFactory, clinic_admin_user, front_desk_user, therapist_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.mark.parametrize("make_user", [front_desk_user, therapist_user])
def test_front_desk_and_therapists_get_403_in_the_admin(client, make_user):
    location = LocationFactory()
    staff_login(client, make_user())

    for url in ["/admin/", f"/admin/core/location/{location.pk}/change/", "/admin/login/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/core/location/{location.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Location.objects.filter(pk=location.pk).exists()


def test_the_admin_login_is_the_products_login(client):
    response = client.get("/admin/login/?next=/admin/core/location/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fcore%2Flocation%2F"


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_clinic_admin_cannot_make_anyone_a_superuser(client):
    admin = clinic_admin_user()
    colleague = front_desk_user()
    staff_login(client, admin)

    for user in (colleague, admin):
        response = client.post(
            f"/admin/auth/user/{user.pk}/change/", _user_form(user, is_superuser="on", last_name="Saved")
        )
        assert response.status_code == 302  # the form saved, without the box

    assert set(User.objects.filter(last_name="Saved").values_list("is_superuser", flat=True)) == {False}


def test_a_clinic_admin_cannot_change_their_own_groups_or_permissions(client):
    admin = clinic_admin_user()
    staff_login(client, admin)
    groups_before = set(admin.groups.values_list("name", flat=True))

    response = client.post(f"/admin/auth/user/{admin.pk}/change/", _user_form(admin, groups=[], first_name="Meera"))

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.first_name == "Meera"  # the rest of the form still saves
    assert set(admin.groups.values_list("name", flat=True)) == groups_before
    page = client.get(f"/admin/auth/user/{admin.pk}/change/").content.decode()
    assert 'name="groups"' not in page
    assert 'name="user_permissions"' not in page


def test_a_user_named_by_the_audit_log_is_deactivated_never_deleted(client):
    admin = clinic_admin_user()
    leaver = therapist_user()
    AuditEvent.objects.create(actor=leaver, action="view_health_answers", object_type="intake.intake", object_id="1")
    staff_login(client, admin)

    assert client.post(f"/admin/auth/user/{leaver.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/auth/user/", {"action": "deactivate", "_selected_action": [leaver.pk, admin.pk]}, follow=True
    )

    assert response.status_code == 200
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert User.objects.get(pk=admin.pk).is_active  # not themselves
    assert AuditEvent.objects.filter(actor=leaver).exists()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        leaver.delete()


def test_a_user_with_no_audit_trail_can_still_be_deleted(client):
    admin = clinic_admin_user()
    mistake = UserFactory()
    staff_login(client, admin)

    assert client.post(f"/admin/auth/user/{mistake.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=mistake.pk).exists()


# --- Headers ------------------------------------------------------------------------------------------------------


def test_personal_pages_are_never_stored_the_review_queue_included(client):
    LocationFactory()
    staff_login(client, therapist_user())

    for url in ["/intake/review/", "/desk/", "/desk/hours/", "/learn/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_patient_pages_are_never_stored_even_without_an_account(client):
    LocationFactory()
    for url in ["/intake/", "/book/", "/intake/returning/", "/accounts/login/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_public_content_can_still_be_cached_for_anonymous_visitors(client):
    response = client.get("/learn/")

    assert "no-store" not in response.get("Cache-Control", "")


def test_every_page_denies_the_browser_features_the_app_never_uses(client):
    policy = client.get("/").headers["Permissions-Policy"]

    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]:
        assert feature in policy
