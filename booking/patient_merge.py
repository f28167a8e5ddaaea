"""Moving one patient record's belongings onto another: the one way duplicates are merged, by the data migration
booking.0006 (historical models) and by the clinic admin at the desk (booking.desk_services.patients_merge).

It takes the app registry it is given and reads models only through it, using only fields that existed at
booking.0006, so the migration keeps working whatever the models become. Auditing and deleting the merged record
are the caller's."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Moved:
    intake_ids: list[int]
    appointment_ids: list[int]

    def audit_detail(self, keep_id: int) -> dict:
        """The merge event's detail, which booking/privacy.py follows to the merged record's own events."""
        return {
            "change": "merge",
            "merged_into": keep_id,
            "intake_ids": self.intake_ids,
            "appointment_ids": self.appointment_ids,
        }


def move_patient_records(apps, *, keep, other) -> Moved:
    """Give `keep` the intakes and appointments of `other` (their consents and messages hang off them), its admin
    history, and the messages about the patient record itself (a screening link). A message of a kind and channel
    that `keep` already has is about a record that is going away: it is deleted, as the one-row-per-kind rule says."""
    Intake = apps.get_model("intake", "Intake")
    Appointment = apps.get_model("booking", "Appointment")
    OutboundMessage = apps.get_model("core", "OutboundMessage")
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")

    intake_ids = list(Intake.objects.filter(patient_id=other.pk).order_by("pk").values_list("pk", flat=True))
    appointment_ids = list(Appointment.objects.filter(patient_id=other.pk).order_by("pk").values_list("pk", flat=True))
    Intake.objects.filter(pk__in=intake_ids).update(patient_id=keep.pk)
    Appointment.objects.filter(pk__in=appointment_ids).update(patient_id=keep.pk)
    # Courses and the waiting list came after migration 0006, which runs this too with the models of its time.
    later = {model._meta.model_name for model in apps.get_app_config("booking").get_models()}
    if "course" in later:
        apps.get_model("booking", "Course").objects.filter(patient_id=other.pk).update(patient_id=keep.pk)
    if "waitlistwish" in later:  # wishes and their offers (whose holds are among the appointments moved)
        apps.get_model("booking", "WaitlistWish").objects.filter(patient_id=other.pk).update(patient_id=keep.pk)
    patient_type = ContentType.objects.filter(app_label="intake", model="patient").first()
    if patient_type is not None:
        LogEntry.objects.filter(content_type=patient_type, object_id=str(other.pk)).update(object_id=str(keep.pk))
        about_other = OutboundMessage.objects.filter(content_type=patient_type, object_id=str(other.pk))
        kept = OutboundMessage.objects.filter(content_type=patient_type, object_id=str(keep.pk))
        taken = set(kept.values_list("kind", "channel"))
        for pk, kind, channel in about_other.values_list("pk", "kind", "channel"):
            about = OutboundMessage.objects.filter(pk=pk)
            if (kind, channel) in taken:
                about.delete()
            else:
                about.update(object_id=str(keep.pk))
    return Moved(intake_ids, appointment_ids)
