"""Indexes the desk reads through on every page (desk/selectors.py), PostgreSQL only like 0008:

- the patient's whole name, lower(first_name || ' ' || last_name), with pg_trgm's GIN operator class: the search's
  word-similarity operator (`<%`) is answered from it, so a search over 50,000 patients reads a handful of rows
  instead of scoring each name. It replaces 0008's separate first and last name indexes, which nothing uses now.
- the screenings waiting for review, per location (a partial index: only the few undecided needs-review intakes),
  for the count in the staff navigation, which otherwise reads every intake of the location on every staff page."""

from django.db import migrations

NAME_INDEX = (
    "CREATE INDEX IF NOT EXISTS patient_name_trgm_idx ON intake_patient "
    "USING gin (lower(first_name || ' ' || last_name) gin_trgm_ops)"
)
# The same condition as Intake.objects.pending_review(), or the planner could not use it.
REVIEW_INDEX = (
    "CREATE INDEX IF NOT EXISTS intake_pending_review_idx ON intake_intake (location_id) "
    "WHERE outcome = 'needs_review' AND review_status IN ('pending', 'info_requested')"
)
OLD_NAME_INDEXES = {
    column: f"CREATE INDEX IF NOT EXISTS patient_{column}_trgm_idx ON intake_patient "
    f"USING gin (lower({column}) gin_trgm_ops)"
    for column in ("first_name", "last_name")
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(NAME_INDEX)
    schema_editor.execute(REVIEW_INDEX)
    for column in OLD_NAME_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS patient_{column}_trgm_idx")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for create in OLD_NAME_INDEXES.values():
        schema_editor.execute(create)
    schema_editor.execute("DROP INDEX IF EXISTS intake_pending_review_idx")
    schema_editor.execute("DROP INDEX IF EXISTS patient_name_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0008_patient_search_trigram"),
        ("intake", "0004_one_patient_per_email_and_birth_date"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
