"""The audit trail records every kind of change the design names (docs/design.md, "Who sees what"): the desk's and
the admin's changes to hours, time off, closures, services, locations and staff, with who did it and from where, and
nothing private (time-off reasons, field values) in the event."""

import pytest

from booking.models import Closure, Service, TimeOff, WorkingHours
from clinic.core.models import AuditEvent, StaffProfile
from tests.booking.factories import ServiceFactory, service_admin_form
from tests.factories import UserFactory, clinic_admin_user, front_desk_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_the_desks_changes_to_hours_are_audited(client, clinic, frozen):
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([clinic["location"]])
    staff_login(client, user)
    data = {"therapist": clinic["therapist"].pk, "location": clinic["location"].pk, "weekday": 6,
            "start_time": "10:00", "end_time": "14:00"}  # fmt: skip

    client.post("/desk/hours/add/", data, REMOTE_ADDR="198.51.100.7")
    hours = WorkingHours.objects.get(weekday=6)
    client.post(f"/desk/hours/{hours.pk}/", {**data, "end_time": "15:00"})
    client.post(f"/desk/hours/{hours.pk}/delete/")

    events = _events(Action.HOURS_CHANGE)
    assert [(e.detail["change"], e.object_id, e.actor_id) for e in events] == [
        ("add", str(hours.pk), user.pk),
        ("change", str(hours.pk), user.pk),
        ("delete", str(hours.pk), user.pk),
    ]
    assert events[0].ip_address == "198.51.100.7"
    assert events[0].detail["therapist_id"] == clinic["therapist"].pk


def test_the_desks_changes_to_time_off_are_audited_without_the_reason(client, clinic, frozen):
    therapist_user = clinic["therapist"].user
    staff_login(client, therapist_user)

    client.post(
        "/desk/time-off/add/",
        {"therapist": clinic["therapist"].pk, "start": "2025-06-20T09:00", "end": "2025-06-20T12:00",
         "reason": "Hospital appointment"},
    )  # fmt: skip
    time_off = TimeOff.objects.get()
    client.post(f"/desk/time-off/{time_off.pk}/delete/")

    events = _events(Action.TIME_OFF_CHANGE)
    assert [(e.detail["change"], e.actor_id) for e in events] == [
        ("add", therapist_user.pk),
        ("delete", therapist_user.pk),
    ]
    assert "Hospital" not in str([e.detail for e in events])


@pytest.fixture
def admin_client(client):
    admin = clinic_admin_user(username="ada", first_name="Ada", last_name="Admin")
    staff_login(client, admin)
    client.admin = admin
    return client


def test_admin_changes_to_services_locations_and_closures_are_audited(admin_client, clinic):
    service = clinic["needling"]
    location = clinic["location"]

    changed = admin_client.post(
        f"/admin/booking/service/{service.pk}/change/", service_admin_form(service, duration_minutes=50)
    )
    added = admin_client.post(
        "/admin/booking/closure/add/",
        {"location": location.pk, "first_day": "2025-12-25", "last_day": "2025-12-26", "reason": "Holiday"},
    )
    closure = Closure.objects.get()
    deleted = admin_client.post(f"/admin/booking/closure/{closure.pk}/delete/", {"post": "yes"})

    assert (changed.status_code, added.status_code, deleted.status_code) == (302, 302, 302)
    assert Service.objects.get(pk=service.pk).duration_minutes == 50
    [service_event] = _events(Action.SERVICE_CHANGE)
    assert (service_event.actor_name, service_event.detail) == (
        "Ada Admin (ada)",
        {"change": "change", "via": "admin", "fields": ["Duration minutes"]},
    )
    assert [(e.detail["change"], e.object_id) for e in _events(Action.CLOSURE_CHANGE)] == [
        ("add", str(closure.pk)),
        ("delete", str(closure.pk)),
    ]
    assert not Closure.objects.exists()


def test_admin_changes_to_a_location_are_audited(admin_client, clinic):
    location = clinic["location"]
    data = {
        "name": "Indiranagar", "slug": location.slug, "is_active": "on", "address": location.address,
        "city": location.city, "country": "IN", "currency": "INR",
            "phone": "+91 80 4567 8900", "email": "", "time_zone": "Asia/Kolkata",
        "min_notice_minutes": 60, "horizon_days": 60, "slot_step_minutes": 15, "cancellation_cutoff_hours": 24,
    }  # fmt: skip

    response = admin_client.post(f"/admin/core/location/{location.pk}/change/", data)

    assert response.status_code == 302
    [event] = _events(Action.LOCATION_CHANGE)
    assert event.object_id == str(location.pk)
    assert set(event.detail["fields"]) == {"Name", "Min notice minutes"}


def test_admin_changes_to_staff_accounts_and_a_therapists_hours_are_audited(admin_client, clinic):
    therapist = clinic["therapist"]
    colleague = UserFactory(username="newbie", is_staff=True)

    admin_client.post(
        f"/admin/auth/user/{colleague.pk}/change/",
        {"username": "newbie", "first_name": "New", "last_name": "Colleague", "email": "", "is_active": "on",
         "is_staff": "on", "date_joined_0": "2025-06-01", "date_joined_1": "09:00:00",
         "initial-date_joined_0": "2025-06-01", "initial-date_joined_1": "09:00:00"},
    )  # fmt: skip
    hours = list(WorkingHours.objects.filter(therapist=therapist))
    form = {
        "user": therapist.user_id, "display_name": therapist.display_name, "bio": "", "qualifications": "",
        "is_active": "on", "services": [s.pk for s in therapist.services.all()],
        "locations": [loc.pk for loc in therapist.locations.all()],
        "working_hours-TOTAL_FORMS": len(hours) + 1, "working_hours-INITIAL_FORMS": len(hours),
        "working_hours-MIN_NUM_FORMS": 0, "working_hours-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for n, block in enumerate(hours):
        row = {"id": block.pk, "therapist": therapist.pk, "location": block.location_id, "weekday": block.weekday,
               "start_time": block.start_time, "end_time": block.end_time}  # fmt: skip
        form |= {f"working_hours-{n}-{name}": value for name, value in row.items()}
    n = len(hours)
    form |= {f"working_hours-{n}-therapist": therapist.pk, f"working_hours-{n}-location": clinic["location"].pk,
             f"working_hours-{n}-weekday": 6, f"working_hours-{n}-start_time": "10:00",
             f"working_hours-{n}-end_time": "13:00"}  # fmt: skip
    response = admin_client.post(f"/admin/booking/therapist/{therapist.pk}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert WorkingHours.objects.filter(therapist=therapist, weekday=6).exists()
    staff_events = _events(Action.STAFF_CHANGE)
    assert {(e.object_type, e.object_id) for e in staff_events} == {
        ("auth.user", str(colleague.pk)),
        ("booking.therapist", str(therapist.pk)),
    }
    assert all(e.actor_id == admin_client.admin.pk for e in staff_events)
    user_event = next(e for e in staff_events if e.object_type == "auth.user")
    assert "First name" in user_event.detail["fields"]
    assert "New" not in str(user_event.detail)  # field names, never values
    [hours_event] = _events(Action.HOURS_CHANGE)
    assert (hours_event.object_type, hours_event.detail["inline"]) == ("booking.therapist", True)


def test_an_admin_adding_a_service_is_audited(admin_client, clinic):
    admin_client.post(
        "/admin/booking/service/add/",
        service_admin_form(Service(name="Cupping", slug="cupping", duration_minutes=30)),
    )

    [event] = _events(Action.SERVICE_CHANGE)
    assert (event.object_id, event.detail["change"]) == (str(Service.objects.get(slug="cupping").pk), "add")


def test_nothing_is_audited_for_a_form_that_did_not_save(admin_client, clinic):
    ServiceFactory(slug="taken")
    admin_client.post("/admin/booking/service/add/", {"name": "X", "slug": "taken", "duration_minutes": 1})

    assert not AuditEvent.objects.exists()
