"""`rollups --rebuild` and `--check`: BookMonth from the journal, then the regions from
BookMonth and the register."""

from decimal import Decimal

from django.db import connection, transaction

from finance.models import Book
from finance.selectors.figures import book_month_differences
from finance.services.figures import book_months_rebuild
from finance.sql import chunks
from ksm_portal.planner import analyze

from ..models import RegionGrade, RegionMonth
from ..selectors.expected import (
    CHUNK,
    expected_region_grades,
    expected_region_months,
    kept_region_grades,
    kept_region_months,
)
from .rollups import ancestry, pending_clear

BATCH = 5000


def _book_ids(book_ids=None):
    books = Book.objects.order_by("pk")
    if book_ids is not None:
        books = books.filter(pk__in=book_ids)
    return books.values_list("pk", flat=True).iterator(chunk_size=BATCH)


def _nested_loops_only() -> None:
    """Inside a chunk's transaction on PostgreSQL: no hash or merge joins until it ends.

    A chunk reads its few hundred books' lines by index; with the planner free to choose, it
    joined them to the entries by hashing the whole entries table (26 s a chunk instead of 8 at
    100,000 KSM, bench/README "The rebuild's plan"). SET LOCAL lasts to the end of the
    transaction, so nothing else on the connection is affected.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")


# The apps whose tables the rebuild reads (the books, the register, the regions, the grades) and
# writes (the rollups): analyzed first, since it runs with nested loops only (above) and is
# often called right after a bulk load (the demo, generate_scale, an import).
READ_APPS = ("finance", "groups", "villages", "training", "dashboard")


def rollups_rebuild(book_ids=None) -> dict[str, int]:
    """Every BookMonth row (of these books, or all), then every region row, written again."""
    analyze(*READ_APPS)
    book_rows = 0
    for chunk in chunks(_book_ids(book_ids), CHUNK):
        with transaction.atomic():
            _nested_loops_only()
            book_rows += book_months_rebuild(chunk)
    with transaction.atomic():
        pending_clear()  # BookMonth holds the queued changes: they are written below
        RegionMonth.objects.all()._raw_delete(RegionMonth.objects.db)
        RegionGrade.objects.all()._raw_delete(RegionGrade.objects.db)
        months = expected_region_months()
        parents = {}
        RegionMonth.objects.bulk_create(
            (
                RegionMonth(code=code, parent_code=_parent(parents, code), month=month, **row)
                for (code, month), row in months.items()
            ),
            batch_size=BATCH,
        )
        grades = expected_region_grades()
        RegionGrade.objects.bulk_create(
            (
                RegionGrade(
                    code=code,
                    parent_code=_parent(parents, code),
                    month=month,
                    level_id=level_id,
                    count=count,
                )
                for (code, month, level_id), count in grades.items()
            ),
            batch_size=BATCH,
        )
    return {"book months": book_rows, "region months": len(months), "region grades": len(grades)}


def _cents(value):
    """A figure as the rollups hold it: money to the cent. SQLite sums decimals as floating
    point (-999.780000000002 for -999.78), which the queued changes, summed in Python, are not."""
    if isinstance(value, Decimal | float):
        return Decimal(value).quantize(Decimal("0.01"))
    return value or 0


def _parent(cache: dict, code: str) -> str:
    if code not in cache:
        cache[code] = ancestry(code)[-1][1]
    return cache[code]


def rollups_differences(book_ids=None) -> list[str]:
    """Every way the rollups differ from the journal and the register, in plain lines."""
    found = []
    for chunk in chunks(_book_ids(book_ids), CHUNK):
        with transaction.atomic():
            _nested_loops_only()
            differences = book_month_differences(chunk)
        for book_id, month, name, kept, expected in differences:
            found.append(
                f"book {book_id}, {month:%m-%Y}: {name} is {kept}, the journal says {expected}"
            )
    if book_ids is not None:
        return found
    expected, kept = expected_region_months(), kept_region_months()
    for key in sorted(expected.keys() | kept.keys()):
        want, have = expected.get(key, {}), kept.get(key, {})
        for name in sorted(want.keys() | have.keys()):
            if _cents(want.get(name)) != _cents(have.get(name)):
                code, month = key
                found.append(
                    f"region {code or 'ID'}, {month:%m-%Y}: {name} is {have.get(name) or 0}, "
                    f"the books and the register say {want.get(name) or 0}"
                )
    expected_grades, kept_grades = expected_region_grades(), kept_region_grades()
    for key in sorted(expected_grades.keys() | kept_grades.keys()):
        if expected_grades.get(key, 0) != kept_grades.get(key, 0):
            code, month, level_id = key
            found.append(
                f"region {code or 'ID'}, {month:%m-%Y}: KSM at level {level_id} is "
                f"{kept_grades.get(key, 0)}, the assessments say {expected_grades.get(key, 0)}"
            )
    return found
