"""Fresh planner statistics after a bulk load, on PostgreSQL."""

from django.apps import apps
from django.db import connection


def analyze(*app_labels: str) -> None:
    """ANALYZE the tables of these apps (on PostgreSQL; elsewhere nothing). Right after a bulk
    load the statistics may still say a table is empty, and the planner then scans whole tables
    inside nested loops (a test database once took over 13 minutes to rebuild the demo's
    rollups). ANALYZE reads a sample of each table (seconds at national scale) and runs inside
    a transaction too."""
    if connection.vendor != "postgresql":
        return
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for label in app_labels
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
