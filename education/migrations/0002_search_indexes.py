"""pg_trgm for typo-tolerant search, and a GIN index on the stored search vector (PostgreSQL only).

SQLite (local `make run`) has neither; there the search falls back to plain matching, so these steps do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS education_page_search_vector_gin ON education_page USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS education_page_title_trgm ON education_page USING gin (title gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS education_page_search_vector_gin", "DROP INDEX IF EXISTS education_page_title_trgm"]


def _run_on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_run_on_postgres(INDEXES), _run_on_postgres(DROP)),
    ]
