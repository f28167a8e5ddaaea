"""Patients' data rights from the patient's page in the admin: a clinic admin downloads everything held about one
patient, or erases them; both audited. The erasure is checked against the whole database: every text, JSON and
date column of every table (information_schema), for every personal value the patient ever gave."""

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.db.models.functions import TruncMonth
from django.test import Client

from booking import privacy, services
from booking.models import Appointment, WaitlistOffer
from clinic.core import outbox
from clinic.core.models import AuditEvent, OutboundMessage
from intake.models import Intake, Patient
from tests.booking.conftest import NOW
from tests.booking.factories import AppointmentFactory, IntakeFactory, PatientFactory
from tests.booking.test_waitlist import booked, cancel, wish
from tests.factories import clinic_admin_user, front_desk_user, therapist_user
from tests.intake import walk
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2025, 6, 16, 3, 30, tzinfo=UTC)
TUESDAY_9 = MONDAY_9 + timedelta(days=1)
ANSWER = "Knotted calf since the Ooty hill run"
# Every personal value the patient gives, in the forms the database could hold it.
PERSONAL = ["Zephyrine", "Quillfeather", "zephyrine.q@example.org", "9845012345", "1979-11-05", ANSWER, "Ooty"]


@pytest.fixture
def story(client, clinic, frozen):
    """Zephyrine answers the questionnaire, books two sessions (cancels one, with a reason that names her), had one
    last week; a therapist read her answers; an admin corrected her phone number. Another patient exists too."""
    location = clinic["location"]
    walk.walk(
        client,
        location,
        about_data=walk.about(
            location,
            first_name="Zephyrine",
            last_name="Quillfeather",
            email="zephyrine.q@example.org",
            phone="098450 12345",
            date_of_birth="1979-11-05",
        ),
        where_data=walk.where(what_brings_you=ANSWER),
        consent_data=walk.consent(full_name="Zephyrine Quillfeather"),
    )
    intake = Intake.objects.get(patient__last_name="Quillfeather")
    patient = intake.patient
    kept = services.appointment_book(
        patient=patient, service=clinic["needling"], location=location, therapist=None, start=MONDAY_9,
        intake=intake, now=NOW,
    )  # fmt: skip
    dropped = services.appointment_book(
        patient=patient, service=clinic["needling"], location=location, therapist=None, start=TUESDAY_9,
        intake=intake, now=NOW,
    )  # fmt: skip
    services.appointment_cancel(appointment=dropped, reason="Zephyrine Quillfeather has a cold", now=NOW)
    past = AppointmentFactory(
        patient=patient, therapist=clinic["therapist"], location=location, service=clinic["needling"],
        start=NOW - timedelta(days=7), status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    outbox.deliver_due()  # the confirmation and the cancellation notice go out
    therapist = therapist_user()
    staff_login(client, therapist)
    assert client.get(f"/intake/review/{intake.pk}/").status_code == 200
    admin = clinic_admin_user(username="ada", first_name="Ada", last_name="Admin")
    staff_login(client, admin)
    changed = client.post(
        f"/admin/intake/patient/{patient.pk}/change/",
        {"first_name": "Zephyrine", "last_name": "Quillfeather", "email": "zephyrine.q@example.org",
         "phone": "+91 98450 12345", "date_of_birth": "1979-11-05"},
    )  # fmt: skip
    assert changed.status_code == 302
    other_intake = IntakeFactory(
        patient=PatientFactory(first_name="Otto", last_name="Other", email="otto@example.net"), location=location
    )
    other = AppointmentFactory(
        patient=other_intake.patient, intake=other_intake, therapist=clinic["therapist"], location=location,
        service=clinic["needling"], start=MONDAY_9 + timedelta(days=3),
    )  # fmt: skip
    return {
        "patient": patient, "intake": intake, "kept": kept, "dropped": dropped, "past": past, "admin": admin,
        "therapist": therapist, "other_intake": other_intake, "other": other,
    }  # fmt: skip


# --- Export --------------------------------------------------------------------------------------------------------


def test_a_clinic_admin_downloads_every_record_kind_of_one_patient(client, story):
    patient = story["patient"]

    response = client.get(f"/admin/intake/patient/{patient.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="patient-{patient.pk}-export.json"'
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["patient"]["email"] == "zephyrine.q@example.org"
    assert data["patient"]["date_of_birth"] == "1979-11-05"
    assert data["patient"]["phone"] == "+919845012345"
    [intake] = data["intakes"]
    assert intake["answers"]["what_brings_you"] == ANSWER
    assert intake["rule_results"] == story["intake"].results
    assert intake["rule_set_version"] == story["intake"].rule_set_version
    assert intake["outcome"] == "cleared"
    [consent] = data["consents"]
    assert (consent["name_typed"], consent["intake_id"]) == ("Zephyrine Quillfeather", story["intake"].pk)
    assert {a["id"]: a["status"] for a in data["appointments"]} == {
        story["kept"].pk: "confirmed",
        story["dropped"].pk: "cancelled",
        story["past"].pk: "completed",
    }
    sent = {(m["kind"], m["status"]) for m in data["messages"]}
    assert ("booking.confirmation", "sent") in sent
    assert ("booking.cancellation", "sent") in sent
    actions = Counter(e["action"] for e in data["audit_events"])
    assert actions["intake_submit"] == 1
    assert actions["view_health_answers"] == 1
    assert actions["appointment_create"] == 2
    assert actions["appointment_change"] == 1


def test_the_export_includes_views_of_the_review_queue_that_listed_the_patient(client, story):
    needs_review = IntakeFactory(patient=story["patient"], needs_review=True, location=story["kept"].location)
    staff_login(client, story["therapist"])
    client.get("/intake/review/")
    staff_login(client, story["admin"])

    data = client.get(f"/admin/intake/patient/{story['patient'].pk}/export/").json()

    [queue_view] = [e for e in data["audit_events"] if e["action"] == "view_review_queue"]
    assert needs_review.pk in queue_view["detail"]["intake_ids"]
    assert queue_view["actor"] == story["therapist"].get_full_name() + f" ({story['therapist'].username})"


def test_the_export_holds_nothing_of_another_patient(client, story):
    body = client.get(f"/admin/intake/patient/{story['patient'].pk}/export/").content.decode()
    data = json.loads(body)

    for value in ("Otto", "otto@example.net", "Other"):
        assert value not in body
    assert story["other_intake"].pk not in [i["id"] for i in data["intakes"]]
    assert story["other"].pk not in [a["id"] for a in data["appointments"]]
    assert all(f"appointment {story['other'].pk}" != m["about"] for m in data["messages"])


def test_the_download_is_audited_with_counts_only(client, story):
    client.get(f"/admin/intake/patient/{story['patient'].pk}/export/", REMOTE_ADDR="198.51.100.20")

    event = AuditEvent.objects.get(action=AuditEvent.Action.PATIENT_EXPORT)
    assert (event.actor_id, event.patient_id, event.ip_address) == (
        story["admin"].pk,
        story["patient"].pk,
        "198.51.100.20",
    )
    assert set(event.detail) == {"intakes", "appointments", "waiting_list", "messages", "audit_events"}
    assert event.detail["appointments"] == 3


def test_the_export_reads_in_constant_queries(story, clinic, django_assert_num_queries):
    """Prevents an N+1: intakes, appointments, wishes, offers, messages and events are one query each, however many."""
    wish(clinic, patient=story["patient"])
    wish(clinic, patient=story["patient"], service="needling")
    ContentType.objects.get_for_models(Intake, Appointment, WaitlistOffer)  # warm, as in any running process
    # 1 savepoint: the export is atomic
    # 2 intake_intake: the patient's intakes, with location and reviewer joined
    # 3 booking_appointment: their appointments, with service, therapist and location joined
    # 4 booking_waitlistwish: their waiting-list wishes, with location, service and therapist joined
    # 5 booking_waitlistoffer: the offers made to those wishes, with the therapist joined
    # 6 core_outboundmessage: the messages sent about them
    # 7 core_auditevent: the audit events about them
    # 8 core_auditevent: insert the export's own event
    # 9 release savepoint
    with django_assert_num_queries(9):
        privacy.patient_export(patient=story["patient"], actor=story["admin"])


def test_the_export_holds_the_waiting_list_its_offers_and_their_messages(clinic, frozen):
    mine = wish(clinic, notify_email=False, notify_sms=True)
    cancel(booked(clinic))  # the freed time is offered to the wish
    offer = WaitlistOffer.objects.get(wish=mine)

    data = privacy.patient_export(patient=mine.patient, actor=clinic_admin_user())

    [entry] = data["waiting_list"]
    assert (entry["service"], entry["parts_of_day"], entry["weekdays"]) == (
        "Initial assessment",
        ["Morning"],
        ["Monday"],
    )
    assert (entry["first_day"], entry["notify_by_sms"], entry["notify_by_email"]) == ("2025-06-16", True, False)
    [made] = entry["offers"]
    assert (made["id"], made["start"], made["status"]) == (offer.pk, offer.start.isoformat(), "open")
    assert [(m["about"], m["channel"]) for m in data["messages"]] == [(f"waiting-list offer {offer.pk}", "sms")]
    assert AuditEvent.objects.get(action="patient_export").detail["waiting_list"] == 1


@pytest.mark.parametrize("make_user", [front_desk_user, therapist_user], ids=["front desk", "therapist"])
def test_only_clinic_admins_may_export_or_erase(story, make_user):
    patient = story["patient"]
    client = Client()
    staff_login(client, make_user())

    export = client.get(f"/admin/intake/patient/{patient.pk}/export/")
    erase = client.post(
        f"/admin/intake/patient/{patient.pk}/erase/",
        {"confirmation": "Zephyrine Quillfeather", "reason": "asked"},
    )

    assert export.status_code in (302, 403)
    assert erase.status_code in (302, 403)
    assert b"Zephyrine" not in export.content
    assert not AuditEvent.objects.filter(action__in=["patient_export", "patient_erase"]).exists()
    assert not Patient.objects.get(pk=patient.pk).is_erased


def test_an_anonymous_visitor_is_sent_to_log_in(story):
    response = Client().get(f"/admin/intake/patient/{story['patient'].pk}/export/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_patients_page_offers_export_erasure_and_the_audit_trail(client, story):
    page = client.get(f"/admin/intake/patient/{story['patient'].pk}/change/").content.decode()

    assert f"/admin/intake/patient/{story['patient'].pk}/export/" in page
    assert f"/admin/intake/patient/{story['patient'].pk}/erase/" in page
    assert f"/admin/core/auditevent/?patient_id={story['patient'].pk}" in page


# --- Erasure -------------------------------------------------------------------------------------------------------


def _text_and_date_columns() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'date')
            """
        )
        return cursor.fetchall()


def _where_found(value: str) -> list[str]:
    """Every table.column holding `value` anywhere in its text (case-insensitive), or equal to it as a date."""
    found = []
    with connection.cursor() as cursor:
        for table, column, data_type in _text_and_date_columns():
            if data_type == "date":
                if len(value) != 10 or value.count("-") != 2:
                    continue
                cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}" = %s::date LIMIT 1', [value])  # noqa: S608
            else:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                    [f"%{value}%"],
                )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def _erase(
    client, patient, confirmation="zephyrine  QUILLFEATHER", reason="Her e-mail of 12 June asking to be forgotten"
):
    return client.post(f"/admin/intake/patient/{patient.pk}/erase/", {"confirmation": confirmation, "reason": reason})


def test_an_erased_patient_leaves_no_personal_value_in_any_column_of_any_table(client, story):
    # The scan finds each value before (so it can fail), and nowhere after.
    for value in PERSONAL:
        assert _where_found(value), value

    response = _erase(client, story["patient"], reason="Zephyrine Quillfeather (zephyrine.q@example.org) asked")

    assert response.status_code == 302
    leftovers = {value: _where_found(value) for value in PERSONAL}
    assert leftovers == {value: [] for value in PERSONAL}
    # The other patient is untouched.
    assert _where_found("otto@example.net") == ["intake_patient.email"]


def test_erasure_cancels_future_appointments_and_every_message_owed_without_a_notice(client, story, frozen):
    kept = story["kept"]
    link = f"/book/manage/{services.manage_token(kept)}/"
    owed_before = OutboundMessage.objects.for_subject(kept).owed().count()
    sent_before = len(mail.outbox)

    _erase(client, story["patient"])

    kept.refresh_from_db()
    assert owed_before > 0
    assert kept.status == Appointment.Status.CANCELLED
    assert not OutboundMessage.objects.for_subject(kept).owed().exists()
    assert not OutboundMessage.objects.filter(kind=services.KIND_CANCELLATION, object_id=str(kept.pk)).exists()
    # Nothing goes out afterwards, not even the reminders' times.
    frozen.move_to(MONDAY_9 - timedelta(hours=2))
    outbox.deliver_due()
    assert len(mail.outbox) == sent_before
    # The link the patient had answers "replaced", and shows nothing.
    response = Client().get(link)
    assert response.status_code == 410
    assert "Zephyrine" not in response.content.decode()


def test_erasure_keeps_appointments_countable_by_service_status_and_month(client, story):
    def counts():
        return Counter(
            Appointment.objects.annotate(month=TruncMonth("start", tzinfo=UTC)).values_list(
                "service__slug", "month", "status"
            )
        )

    before = counts()

    _erase(client, story["patient"])

    after = counts()
    assert sum(after.values()) == sum(before.values())
    assert Counter({(s, m): n for (s, m, _), n in after.items()}) == Counter(
        {(s, m): n for (s, m, _), n in before.items()}
    )
    assert after[("dry-needling", datetime(2025, 6, 1, tzinfo=UTC), "completed")] == 1
    assert after[("dry-needling", datetime(2025, 6, 1, tzinfo=UTC), "cancelled")] == 2
    assert Appointment.objects.filter(patient=story["patient"]).count() == 3


def test_erasure_is_audited_without_the_personal_data(client, story):
    _erase(client, story["patient"], reason="Zephyrine's e-mail (zephyrine.q@example.org), tel 098450 12345")

    event = AuditEvent.objects.get(action=AuditEvent.Action.PATIENT_ERASE)
    assert (event.actor_id, event.patient_id, event.object_id) == (
        story["admin"].pk,
        story["patient"].pk,
        str(story["patient"].pk),
    )
    assert event.detail["intakes_deleted"] == 1
    assert event.detail["future_appointments_cancelled"] == 1
    assert event.detail["appointments_kept"] == 3
    assert event.detail["reason"] == "[patient]'s e-mail ([patient]), tel [patient]"


def test_the_erase_page_says_what_will_go_and_what_stays(client, story):
    page = client.get(f"/admin/intake/patient/{story['patient'].pk}/erase/").content.decode()

    assert "Erase Zephyrine Quillfeather" in page
    assert "This cannot be undone." in page
    assert "Their 1 screening (health answers, results, consent) is deleted." in page
    assert "Their 1 future appointment is cancelled" in page
    assert "Their 3 appointments stay in the statistics" in page
    assert not AuditEvent.objects.filter(action="patient_erase").exists()


def test_a_wrong_confirmation_or_no_reason_erases_nothing(client, story):
    wrong = _erase(client, story["patient"], confirmation="Zephyrine")
    no_reason = _erase(client, story["patient"], reason="  ")

    assert (wrong.status_code, no_reason.status_code) == (400, 400)
    assert "not this patient" in wrong.content.decode()
    patient = Patient.objects.get(pk=story["patient"].pk)
    assert (patient.email, patient.is_erased) == ("zephyrine.q@example.org", False)
    assert Intake.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(action="patient_erase").exists()


def test_erasure_is_irreversible(client, story):
    _erase(client, story["patient"])
    patient = Patient.objects.get(pk=story["patient"].pk)

    again = _erase(client, patient)
    page = client.get(f"/admin/intake/patient/{patient.pk}/change/").content.decode()
    export = json.loads(client.get(f"/admin/intake/patient/{patient.pk}/export/").content)

    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="patient_erase").count() == 1
    assert f"Erased patient #{patient.pk}" in page
    assert 'name="_save"' not in page  # nothing to put personal data back into
    assert export["patient"]["email"] == ""
    assert export["intakes"] == []
    assert (patient.first_name, patient.email, patient.date_of_birth) == ("", "", None)
