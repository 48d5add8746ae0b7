"""What RegionMonth and RegionGrade should hold, read from BookMonth and the register: for the
rebuild, and for the check that compares it with what the rollups hold."""

import datetime
from collections import defaultdict

from django.db.models import Case, IntegerField, Sum, Value, When

from finance.models import BookMonth
from finance.sql import chunks
from villages.models import Regency, Village

from ..models import BOOK_KEPT, FIGURES, RegionGrade, RegionMonth, RegionPending
from ..services.rollups import ancestry, pending_value
from .register import cooperative_figures, grade_figures, register_figures

CHUNK = 500


def _spread(found, code: str, month: datetime.date, values: dict) -> None:
    for region, _parent in ancestry(code):
        row = found[(region, month)]
        for name, value in values.items():
            if value:
                row[name] = row.get(name, 0) + value


def expected_region_months() -> dict[tuple[str, datetime.date], dict]:
    found: dict = defaultdict(dict)
    books = (
        BookMonth.objects.filter(book__group__isnull=False)
        .values("book__group__village__code", "month")
        .annotate(
            **{name: Sum(name) for name in BOOK_KEPT},
            books_current=Sum(
                Case(When(current=True, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )
    for row in books.iterator(chunk_size=5000):
        code, month = row.pop("book__group__village__code"), row.pop("month")
        _spread(found, code, month, row)
    village_ids = set(
        Village.objects.filter(groups__isnull=False).values_list("pk", flat=True).distinct()
    )
    village_ids |= set(Village.objects.filter(bumdes__isnull=False).values_list("pk", flat=True))
    for chunk in chunks(sorted(village_ids), CHUNK):
        for code, months in register_figures(chunk).items():
            for month, values in months.items():
                _spread(found, code, month, values)
    regency_ids = Regency.objects.filter(cooperatives__isnull=False).values_list("pk", flat=True)
    for code, months in cooperative_figures(list(set(regency_ids))).items():
        for month, values in months.items():
            _spread(found, code, month, values)
    return {key: row for key, row in found.items() if any(row.values())}


def expected_region_grades() -> dict[tuple[str, datetime.date, int], int]:
    found: dict = defaultdict(int)
    village_ids = Village.objects.filter(groups__assessments__isnull=False).values_list(
        "pk", flat=True
    )
    for chunk in chunks(sorted(set(village_ids)), CHUNK):
        for code, flows in grade_figures(chunk).items():
            for (month, level_id), delta in flows.items():
                for region, _parent in ancestry(code):
                    found[(region, month, level_id)] += delta
    return {key: count for key, count in found.items() if count}


def kept_region_months() -> dict[tuple[str, datetime.date], dict]:
    rows = (
        RegionMonth.objects.values("code", "month")
        .annotate(**{name: Sum(name) for name in FIGURES})
        .order_by()
    )
    kept: dict = defaultdict(dict)
    for row in rows.iterator(chunk_size=5000):
        key = (row.pop("code"), row.pop("month"))
        kept[key] = {k: v for k, v in row.items() if v}
    # The books' changes still queued count as kept: the drain adds them as they are.
    queued = RegionPending.objects.values_list("code", "month", "figures")
    for code, month, figures in queued.iterator(chunk_size=5000):
        _spread(kept, code, month, {name: pending_value(name, t) for name, t in figures.items()})
    return {key: {k: v for k, v in row.items() if v} for key, row in kept.items()}


def kept_region_grades() -> dict[tuple[str, datetime.date, int], int]:
    return {
        (code, month, level_id): count
        for code, month, level_id, count in RegionGrade.objects.values_list(
            "code", "month", "level_id", "count"
        )
        if count
    }
