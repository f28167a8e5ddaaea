"""One patient per person: merge the records that share an e-mail address (any case) and a date of birth, before
intake's migration 0004 makes that pair unique.

The oldest record of each group stays (its id is the one staff and links already know) and takes over the others'
intakes, appointments (with their consents and messages, which hang off them) and admin history; the others are then
deleted. Audit events are append-only and keep the id they were written with: each merged record gets a new event
instead, about the merged id and naming the surviving patient, so a patient's export still finds everything
(booking/privacy.py follows these events). The moving itself is booking/patient_merge.py, which the clinic admin's
merge at the desk uses too."""

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import Lower

# The one way records are merged, shared with the desk; it reads models through the historical registry only.
from booking.patient_merge import move_patient_records

MERGE_ACTOR = "migration booking.0006 (duplicate patients merged)"


def merge_duplicate_patients(apps, schema_editor=None) -> int:
    """Merge every group of duplicates; returns how many records were merged away."""
    Patient = apps.get_model("intake", "Patient")
    AuditEvent = apps.get_model("core", "AuditEvent")

    groups = (
        Patient.objects.filter(date_of_birth__isnull=False)
        .annotate(email_lower=Lower("email"))
        .values("email_lower", "date_of_birth")
        .annotate(records=Count("pk"))
        .filter(records__gt=1)
    )
    merged = 0
    for group in groups:
        same_person = (
            Patient.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=group["email_lower"], date_of_birth=group["date_of_birth"])
            .order_by("created_at", "pk")
        )
        keep, *others = list(same_person)
        for other in others:
            moved = move_patient_records(apps, keep=keep, other=other)
            AuditEvent.objects.create(
                actor=None,
                actor_name=MERGE_ACTOR,
                action="patient_change",
                object_type="intake.patient",
                object_id=str(other.pk),
                patient_id=keep.pk,
                detail=moved.audit_detail(keep.pk),
            )
            other.delete()
            merged += 1
    return merged


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_therapists_in_display_order"),
        ("intake", "0003_patient_erasure"),
        ("core", "0011_outbox_fenced_claims_and_attempts"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    run_before = [("intake", "0004_one_patient_per_email_and_birth_date")]

    operations = [migrations.RunPython(merge_duplicate_patients, migrations.RunPython.noop)]
