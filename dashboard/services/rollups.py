"""Writing RegionMonth and RegionGrade: the figures a change adds to a region and to every
region above it, in the transaction of the change."""

import datetime
from collections import defaultdict

from django.db import connection

from ksm_portal import sqlbatch

from ..models import FIGURES, SLOTS, RegionGrade, RegionMonth

TABLE = RegionMonth._meta.db_table
GRADE_TABLE = RegionGrade._meta.db_table
COLUMNS = ("code", "parent_code", "month", "slot", *FIGURES)


def ancestry(code: str) -> list[tuple[str, str]]:
    """(code, parent code) of the nation (parent "*") and each region down to this one, top first:
    33.25.01.2001 -> ("", "*"), ("33", ""), ("33.25", "33"), ..."""
    parts = code.split(".") if code else []
    chain = [("", "*")]
    for depth in range(1, len(parts) + 1):
        chain.append((".".join(parts[:depth]), chain[-1][0]))
    return chain


def _slot(code: str) -> int:
    """The nation's and the provinces' rows are split by database connection (PostgreSQL's
    backend pid) so that concurrent postings do not wait on each other; the rest use slot 0."""
    if len(code) > 2 or connection.vendor != "postgresql":
        return 0
    connection.ensure_connection()
    return connection.connection.info.backend_pid % SLOTS


def region_add(code: str, changes: dict[datetime.date, dict]) -> None:
    """Add {month: {figure: delta}} to the region with this code and every region above it, in
    one statement; rows in one order (month, then top down), so two writers cannot deadlock on
    them (only on their books' locks, as before)."""
    rows = []
    for month in sorted(changes):
        delta = {name: value for name, value in changes[month].items() if value}
        if not delta:
            continue
        for region, parent in ancestry(code):
            rows.append(
                (region, parent, month, _slot(region), *(delta.get(name, 0) for name in FIGURES))
            )
    if not rows:
        return
    unknown = {name for delta in changes.values() for name in delta} - set(FIGURES)
    if unknown:
        raise ValueError(f"Unknown figures: {sorted(unknown)}")
    updates = ", ".join(f"{name} = {TABLE}.{name} + excluded.{name}" for name in FIGURES)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(COLUMNS)) + ")"] * len(rows))
    sqlbatch.execute(  # queued with the posting's other writes when it posts
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES {placeholders} "
        f"ON CONFLICT (code, month, slot) DO UPDATE SET {updates}",
        [value for row in rows for value in row],
    )


def grades_add(code: str, changes: dict[tuple[datetime.date, int], int]) -> None:
    """Add {(month, level id): delta} to the grading counts of the region and those above."""
    rows = [
        (region, parent, month, level_id, delta)
        for (month, level_id), delta in sorted(changes.items())
        if delta
        for region, parent in ancestry(code)
    ]
    if not rows:
        return
    placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {GRADE_TABLE} (code, parent_code, month, level_id, count) "
            f"VALUES {placeholders} ON CONFLICT (code, month, level_id) "
            f"DO UPDATE SET count = {GRADE_TABLE}.count + excluded.count",
            [value for row in rows for value in row],
        )


def subtract(new: dict, old: dict) -> dict:
    """{key: {figure: value}} new minus old, keeping only what differs."""
    result: dict = defaultdict(dict)
    for key in new.keys() | old.keys():
        for name in new.get(key, {}).keys() | old.get(key, {}).keys():
            delta = new.get(key, {}).get(name, 0) - old.get(key, {}).get(name, 0)
            if delta:
                result[key][name] = delta
    return dict(result)
