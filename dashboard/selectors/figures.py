"""The dashboard's figures for a region (or a facilitator's villages, or one book) and a
period: a handful of RegionMonth / BookMonth rows summed, never journal lines.

`series` gives, for each month up to the period's end, the figures on that month's end:
balances (savings, loans outstanding, cash, the register's counts) summed over every month
up to it, the month's own flows and readings (disbursed, repaid, meetings, books current,
loan risk) as they are.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, F, Sum, Value, When

from finance.figures import month_of, next_month
from finance.models import BookMonth

from ..models import BALANCES, BOOK_KEPT, FIGURES, RegionGrade, RegionMonth
from .register import group_member_figures

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], month_of(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def _cumulate(by_month: dict[datetime.date, dict], months: list[datetime.date]) -> dict:
    """{month: figures on its end} for the months asked, from {month: flows} of every month."""
    running = dict.fromkeys(BALANCES, 0)
    found = {}
    wanted = set(months)
    for month in sorted(by_month.keys() | wanted):
        flows = by_month.get(month, {})
        for name in BALANCES:
            running[name] += flows.get(name) or 0
        if month in wanted:
            found[month] = {name: flows.get(name) or 0 for name in FIGURES} | running
    return found


def region_series(codes: list[str], months: list[datetime.date]) -> dict[datetime.date, dict]:
    """The regions' figures summed (one region, or a facilitator's villages), month by month."""
    rows = (
        RegionMonth.objects.filter(code__in=codes, month__lte=months[-1])
        .values("month")
        .annotate(**{name: Sum(name) for name in FIGURES})
        .order_by()
    )
    return _cumulate({row.pop("month"): row for row in rows}, months)


def book_series(book, months: list[datetime.date]) -> dict[datetime.date, dict]:
    """One book's figures in the same shape (an officer's own KSM, BUMDes or cooperative)."""
    rows = BookMonth.objects.filter(book=book, month__lte=months[-1]).values(
        "month", "current", *BOOK_KEPT
    )
    by_month = {
        row.pop("month"): row | {"books_current": 1 if row.pop("current") else 0} for row in rows
    }
    if book.group_id:
        for month, flows in group_member_figures(book.group_id).items():
            by_month.setdefault(month, {}).update(flows)
    return _cumulate(by_month, months)


def children_on(
    end: datetime.date, *, parent_code: str | None = None, codes: list[str] | None = None
) -> dict[str, dict]:
    """{code: figures on the month's end} of the regions under a parent (or these regions):
    one query, balances summed over every month up to the end, readings of the month."""
    rows = RegionMonth.objects.filter(month__lte=end)
    rows = (
        rows.filter(code__in=codes) if codes is not None else rows.filter(parent_code=parent_code)
    )
    sums = {name: Sum(name) for name in BALANCES}
    sums |= {
        name: Sum(
            Case(
                When(month=end, then=F(name)),
                default=Value(0),
                output_field=RegionMonth._meta.get_field(name),
            )
        )
        for name in FIGURES
        if name not in BALANCES
    }
    return {row.pop("code"): row for row in rows.values("code").annotate(**sums).order_by()}


def grades_on(
    end: datetime.date, *, codes: list[str] | None = None, parent_code: str | None = None
) -> dict[str, dict[int, int]]:
    """{code: {level id: KSM at that level on the month's end}}."""
    rows = RegionGrade.objects.filter(month__lte=end)
    rows = (
        rows.filter(code__in=codes) if codes is not None else rows.filter(parent_code=parent_code)
    )
    found: dict[str, dict[int, int]] = {}
    for row in rows.values("code", "level_id").annotate(n=Sum("count")).order_by():
        found.setdefault(row["code"], {})[row["level_id"]] = row["n"] or 0
    return found


def first_month(codes: list[str]) -> datetime.date | None:
    return (
        RegionMonth.objects.filter(code__in=codes).order_by("month").values_list("month", flat=True)
    ).first()


def share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class Figure:
    """One figure of the dashboard: its value on the period's end (or over the period), its
    change over the period, and the list behind it."""

    key: str
    label: str
    value: Decimal | int | None
    change: Decimal | int | None = None
    kind: str = "count"  # count, money, percent
    url: str = ""
    note: str = ""


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)


def active_ksm(figures: dict) -> int:
    return (
        (figures.get("ksm_new") or 0)
        + (figures.get("ksm_reactivated") or 0)
        - (figures.get("ksm_dormant") or 0)
        - (figures.get("ksm_dissolved") or 0)
    )


def savings(figures: dict):
    return sum(
        (figures.get(name) or 0 for name in ("savings_principal", "savings_mandatory")),
        figures.get("savings_voluntary") or 0,
    )


def over(series: dict, months: list[datetime.date], name: str):
    return sum((series[m].get(name) or 0 for m in months), 0)
