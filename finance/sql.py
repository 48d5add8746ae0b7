"""Small SQL helpers shared by the checks and rebuilds that read the journal in bulk: the month of
a date column on SQLite and PostgreSQL, placeholders, chunks, and values as the drivers return
them (SQLite sums are floats, dates may be strings)."""

import datetime
from decimal import Decimal
from itertools import islice

from django.db import connection


def money(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def date(value) -> datetime.date:
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def month_of(column: str) -> str:
    """SQL for the first day of the month of a date column, as AccountMonth stores it."""
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of month')"
    return f"CAST(date_trunc('month', {column}) AS date)"


def next_month(column: str) -> str:
    """SQL for the first day of the month after a first-of-month date column."""
    if connection.vendor == "sqlite":
        return f"date({column}, '+1 month')"
    return f"CAST({column} + INTERVAL '1 month' AS date)"


def rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def in_(ids) -> str:
    return "(" + ", ".join(["%s"] * len(ids)) + ")"


def chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk
