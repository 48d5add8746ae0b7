"""Drop the single-column indexes Django made for foreign keys that a composite index or
unique constraint already leads with: each was one more index to update on every posting (the
account totals, the book's month and year, the savers' balances, every entry) and, on the
journal's lines, an entry for every line of which most have no member. The foreign keys
themselves stay; only the copies of the index go, with DROP INDEX (no table rewrite, and no
foreign key checked again over the whole table, which AlterField would do on PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models

# (table, column) of each index dropped; the names are Django's own for a foreign key's index.
DROPPED = [
    ("finance_accountday", "account_id"),
    ("finance_accountday", "book_id"),
    ("finance_accountmonth", "account_id"),
    ("finance_accountmonth", "book_id"),
    ("finance_bookmonth", "book_id"),
    ("finance_bookyear", "book_id"),
    ("finance_groupbalance", "account_id"),
    ("finance_groupbalance", "book_id"),
    ("finance_journalentry", "book_id"),
    ("finance_journalline", "member_id"),
    ("finance_memberbalance", "account_id"),
    ("finance_memberbalance", "book_id"),
]


def _name(schema_editor, table, column):
    return schema_editor._create_index_name(table, [column], suffix="")


def drop(apps, schema_editor):
    for table, column in DROPPED:
        schema_editor.execute(
            f"DROP INDEX IF EXISTS {schema_editor.quote_name(_name(schema_editor, table, column))}"
        )


def create(apps, schema_editor):
    for table, column in DROPPED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS "
            f"{schema_editor.quote_name(_name(schema_editor, table, column))} "
            f"ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})"
        )


STATE = [
    migrations.AlterField(
        model_name="accountday",
        name="account",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="days",
            to="finance.account",
        ),
    ),
    migrations.AlterField(
        model_name="accountday",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="finance.book",
        ),
    ),
    migrations.AlterField(
        model_name="accountmonth",
        name="account",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="months",
            to="finance.account",
        ),
    ),
    migrations.AlterField(
        model_name="accountmonth",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="finance.book",
        ),
    ),
    migrations.AlterField(
        model_name="bookmonth",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="months",
            to="finance.book",
        ),
    ),
    migrations.AlterField(
        model_name="bookyear",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="years",
            to="finance.book",
        ),
    ),
    migrations.AlterField(
        model_name="groupbalance",
        name="account",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="group_balances",
            to="finance.account",
        ),
    ),
    migrations.AlterField(
        model_name="groupbalance",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="finance.book",
        ),
    ),
    migrations.AlterField(
        model_name="journalentry",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="entries",
            to="finance.book",
            verbose_name="book",
        ),
    ),
    migrations.AlterField(
        model_name="journalline",
        name="member",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="journal_lines",
            to="groups.member",
            verbose_name="member",
        ),
    ),
    migrations.AlterField(
        model_name="memberbalance",
        name="account",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="member_balances",
            to="finance.account",
        ),
    ),
    migrations.AlterField(
        model_name="memberbalance",
        name="book",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="finance.book",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0014_history"),
        ("groups", "0008_once_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=STATE,
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
