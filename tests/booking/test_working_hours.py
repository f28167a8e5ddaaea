"""A therapist's working hours are at a location they work at: the rule the desk's form once checked alone is the
model's, so the desk's service and the admin refuse such hours too (regression: the admin could save them)."""

import pytest
from django.core.exceptions import ValidationError

from booking import desk_services
from booking.models import WorkingHours
from clinic.core.models import StaffProfile
from tests.factories import LocationFactory, front_desk_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


def test_the_service_refuses_hours_where_the_therapist_does_not_work(clinic):
    elsewhere = LocationFactory(slug="elsewhere")

    with pytest.raises(ValidationError, match="does not work at"):
        desk_services.working_hours_save(
            therapist=clinic["therapist"], location=elsewhere, weekday=6, start_time="10:00", end_time="12:00"
        )

    assert not WorkingHours.objects.filter(location=elsewhere).exists()


def test_the_admin_refuses_them_too(admin_client, clinic):
    therapist, elsewhere = clinic["therapist"], LocationFactory(slug="elsewhere")
    form = {
        "user": therapist.user_id, "display_name": therapist.display_name, "bio": "", "qualifications": "",
        "is_active": "on", "services": [s.pk for s in therapist.services.all()],
        "locations": [clinic["location"].pk],
        "working_hours-TOTAL_FORMS": 1, "working_hours-INITIAL_FORMS": 0,
        "working_hours-MIN_NUM_FORMS": 0, "working_hours-MAX_NUM_FORMS": 1000,
        "working_hours-0-therapist": therapist.pk, "working_hours-0-location": elsewhere.pk,
        "working_hours-0-weekday": 6, "working_hours-0-start_time": "10:00", "working_hours-0-end_time": "12:00",
    }  # fmt: skip

    response = admin_client.post(f"/admin/booking/therapist/{therapist.pk}/change/", form)

    assert response.status_code == 200
    assert "does not work at" in response.content.decode()
    assert not WorkingHours.objects.filter(location=elsewhere).exists()


def test_the_desks_form_still_says_so_next_to_the_location(client, clinic):
    elsewhere = LocationFactory(slug="elsewhere")
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([clinic["location"], elsewhere])
    staff_login(client, user)
    data = {"therapist": clinic["therapist"].pk, "location": elsewhere.pk, "weekday": 6,
            "start_time": "10:00", "end_time": "12:00"}  # fmt: skip

    response = client.post("/desk/hours/add/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"location": [f"Arjun Menon does not work at {elsewhere}."]}
    assert not WorkingHours.objects.filter(location=elsewhere).exists()
