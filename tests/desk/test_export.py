"""The schedule as CSV: a location's appointments over a day or a range, audited, with the screening's outcome and
never its answers; only the desk's own locations."""

import csv
import io
from datetime import UTC, datetime

import pytest

from clinic.core.models import AuditEvent, StaffProfile
from tests.booking.factories import AppointmentFactory, IntakeFactory
from tests.factories import LocationFactory, front_desk_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db
AT_10 = datetime(2025, 6, 16, 4, 30, tzinfo=UTC)  # Monday 10:00 in Bengaluru


def test_it_exports_a_range_as_csv_without_health_answers_and_audits_it(client):
    here = LocationFactory(slug="hyderabad", time_zone="Asia/Kolkata")
    elsewhere = LocationFactory(slug="london", time_zone="Europe/London", country="GB")
    intake = IntakeFactory(location=here, precautions="Avoid the left calf", patient__last_name="Rao")
    AppointmentFactory(location=here, patient=intake.patient, intake=intake, start=AT_10)
    AppointmentFactory(location=elsewhere, start=AT_10, patient__last_name="Elsewhere")
    user = front_desk_user()
    StaffProfile.objects.create(user=user).locations.set([here])
    staff_login(client, user)

    response = client.get(
        "/desk/export/", {"location": "hyderabad", "first_day": "2025-06-16", "last_day": "2025-06-20"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["date", "start", "end"]
    assert len(rows) == 2
    assert rows[1][:3] == ["2025-06-16", "10:00", "10:45"]
    assert intake.patient.full_name in rows[1]
    assert "Avoid the left calf" not in response.content.decode()
    event = AuditEvent.objects.get(action="schedule_export")
    assert event.detail == {"first_day": "2025-06-16", "last_day": "2025-06-20", "rows": 1}

    for bad in ({"location": "london"}, {"last_day": "2025-06-01"}, {"last_day": "2026-06-20"}, {"first_day": "x"}):
        params = {"location": "hyderabad", "first_day": "2025-06-16", "last_day": "2025-06-20", **bad}
        assert client.get("/desk/export/", params).status_code == 400
    assert AuditEvent.objects.filter(action="schedule_export").count() == 1
