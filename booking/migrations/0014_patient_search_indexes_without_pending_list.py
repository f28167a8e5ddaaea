"""The desk search's trigram indexes (0008, 0009) without GIN's pending list, PostgreSQL only like them.

By default a GIN index takes new rows into a pending list, unsorted, until a vacuum or 4 MB of them merges it into
the index, and every search reads that whole list row by row. Autovacuum comes after about a fifth of the table
has been inserted, so at 50,000 patients some 10,000 new ones can wait there: on the benchmark's database, freshly
loaded, 16,357 rows in 500 pages made a two-word search's index scan 20-60 ms instead of 1-6 ms (bench/bench_desk.py;
EXPLAIN ANALYZE). Patients are added a few at a time (one per screening), so putting each straight into the index
costs the clinic nothing it would notice; the list already there is merged now."""

from django.db import migrations

INDEXES = ("patient_name_trgm_idx", "patient_email_trgm_idx", "patient_phone_trgm_idx")


def _each_index(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [index])
            if cursor.fetchone()[0]:
                schema_editor.execute(sql.format(index=index))


def without_pending_list(apps, schema_editor):
    _each_index(schema_editor, "ALTER INDEX {index} SET (fastupdate = off)")
    _each_index(schema_editor, "SELECT gin_clean_pending_list('{index}'::regclass)")


def with_pending_list(apps, schema_editor):
    _each_index(schema_editor, "ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("booking", "0013_course")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list)]
