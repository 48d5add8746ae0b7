"""Trigram indexes for the KSM and member searches (icontains), on PostgreSQL only.

Django's icontains compiles to UPPER(col) LIKE UPPER('%q%'), so the indexes are on UPPER(col).
SQLite, the embedded development database, has no such index type and skips this.
"""

from django.db import migrations

INDEXES = [
    ("ksm_name_trgm", "groups_selfhelpgroup", "name"),
    ("ksm_regno_trgm", "groups_selfhelpgroup", "registration_number"),
    ("member_name_trgm", "groups_member", "full_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
