"""Writing RegionMonth and RegionGrade: the figures a change adds to a region and to every
region above it. The register's changes are added in the transaction of the change; the
books' are queued in RegionPending by the posting and added by `rollups_drain`."""

import datetime
import json
from collections import defaultdict
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, transaction

from ksm_portal import sqlbatch

from ..models import BOOK_MONEY, FIGURES, SLOTS, RegionGrade, RegionMonth, RegionPending

TABLE = RegionMonth._meta.db_table
GRADE_TABLE = RegionGrade._meta.db_table
PENDING_TABLE = RegionPending._meta.db_table
COLUMNS = ("code", "parent_code", "month", "slot", *FIGURES)
DRAIN_BATCH = 5000
ROWS_PER_STATEMENT = 500  # 14,500 parameters: within SQLite's limit of 32,766


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
    one statement."""
    regions_add({code: changes})


def regions_add(by_code: dict[str, dict[datetime.date, dict]]) -> None:
    """Add {code: {month: {figure: delta}}} to those regions and every region above them, in one
    statement: a region shared by several (a kecamatan, the nation) is one row with their sum.
    Rows in one order (month, then code: a region before those below it), so two writers
    cannot deadlock on them."""
    unknown = {
        name for changes in by_code.values() for delta in changes.values() for name in delta
    } - set(FIGURES)
    if unknown:
        raise ValueError(f"Unknown figures: {sorted(unknown)}")
    summed: dict[tuple, dict] = {}
    for code, changes in by_code.items():
        chain = ancestry(code)
        for month, delta in changes.items():
            delta = {name: value for name, value in delta.items() if value}
            if not delta:
                continue
            for region, parent in chain:
                row = summed.setdefault((month, region, parent), {})
                for name, value in delta.items():
                    row[name] = row.get(name, 0) + value
    rows = [
        (region, parent, month, _slot(region), *(delta.get(name, 0) for name in FIGURES))
        for (month, region, parent), delta in sorted(summed.items(), key=lambda item: item[0][:2])
        if any(delta.values())
    ]
    updates = ", ".join(f"{name} = {TABLE}.{name} + excluded.{name}" for name in FIGURES)
    row_marks = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):  # a drain's batch can be thousands
        part = rows[start : start + ROWS_PER_STATEMENT]
        sqlbatch.execute(  # queued with the transaction's other writes when it posts
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
            f"VALUES {', '.join([row_marks] * len(part))} "
            f"ON CONFLICT (code, month, slot) DO UPDATE SET {updates}",
            [value for row in part for value in row],
        )


def pending_add(code: str, changes: dict[datetime.date, dict]) -> None:
    """Queue a book's {month: {figure: delta}} for its village (`code`) and the regions above:
    one appended row per month, which no other book's posting touches (queued with the
    posting's other writes)."""
    rows = []
    for month in sorted(changes):
        delta = {name: value for name, value in changes[month].items() if value}
        if not delta:
            continue
        unknown = set(delta) - set(FIGURES)
        if unknown:
            raise ValueError(f"Unknown figures: {sorted(unknown)}")
        rows.append((code, month, json.dumps({k: str(v) for k, v in delta.items()})))
    if not rows:
        return
    sqlbatch.execute(
        f"INSERT INTO {PENDING_TABLE} (code, month, figures) VALUES "
        + ", ".join(["(%s, %s, %s)"] * len(rows)),
        [value for row in rows for value in row],
        prepare=True,
    )


def pending_value(name: str, text) -> Decimal | int:
    """A figure of a RegionPending row as the rollups hold it."""
    return Decimal(text) if name in BOOK_MONEY else int(text)


def rollups_drain(limit: int | None = None) -> int:
    """Add the queued book changes to the regions, a batch per transaction (the batch's rows
    locked, skipping those another drain holds, then deleted): each change is added exactly
    once, however many drains run at once. At most about `limit` changes (all when None).
    Returns how many were added. Always on the primary database."""
    drained = 0
    pending = RegionPending.objects.using(DEFAULT_DB_ALIAS)
    while limit is None or drained < limit:
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            batch = list(
                pending.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "code", "month", "figures")[:DRAIN_BATCH]
            )
            if not batch:
                break
            by_code: dict = defaultdict(lambda: defaultdict(dict))
            for _pk, code, month, figures in batch:
                row = by_code[code][month]
                for name, text in figures.items():
                    row[name] = row.get(name, 0) + pending_value(name, text)
            regions_add(by_code)
            pending.filter(pk__in=[row[0] for row in batch])._raw_delete(DEFAULT_DB_ALIAS)
        drained += len(batch)
        if len(batch) < DRAIN_BATCH:
            break
    return drained


def rollups_pending() -> bool:
    """Whether book changes wait to be added to the regions."""
    return RegionPending.objects.using(DEFAULT_DB_ALIAS).exists()


def pending_clear() -> None:
    """In the rebuild's transaction, which writes every region from BookMonth (which holds the
    queued changes already): no posting may queue between the clear and the read."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {PENDING_TABLE} IN EXCLUSIVE MODE")
    RegionPending.objects.all()._raw_delete(RegionPending.objects.db)


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
