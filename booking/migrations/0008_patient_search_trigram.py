"""Typo-tolerant patient search at the desk (desk/selectors.py:patient_search): the pg_trgm extension and trigram
GIN indexes over the patient's names, e-mail and phone. Here rather than in intake because the desk's search is what
needs them; PostgreSQL only (a local SQLite run searches by plain containment)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("first_name", "last_name", "email", "phone")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS patient_{column}_trgm_idx ON intake_patient "
            f"USING gin (lower({column}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS patient_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0007_therapist_profile"),
        ("intake", "0004_one_patient_per_email_and_birth_date"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
