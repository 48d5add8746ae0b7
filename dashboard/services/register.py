"""Recounting the register's figures of the villages (and regencies) a change touched: the
village's figures as the register now says, minus what the rollups hold for it, added up the
tree. Bounded by one village (a few KSM and their members), so it runs in the change's own
transaction; a national import recounts each village it touched once."""

from collections import defaultdict

from finance.models import BookMonth
from villages.models import Regency, Village

from ..models import BOOK_KEPT, REGISTER, RegionGrade, RegionMonth
from ..selectors.register import cooperative_figures, grade_figures, register_figures
from .rollups import grades_add, region_add, rollups_drain, subtract

VILLAGE_REGISTER = tuple(name for name in REGISTER if name != "cooperatives")


def _kept(codes, names) -> dict:
    kept: dict = defaultdict(dict)
    for row in RegionMonth.objects.filter(code__in=codes, slot=0).values("code", "month", *names):
        kept[row["code"]][row["month"]] = {name: row[name] for name in names if row[name]}
    return kept


def villages_recount(village_ids) -> None:
    village_ids = sorted(set(village_ids) - {None})
    if not village_ids:
        return
    codes = list(Village.objects.filter(pk__in=village_ids).values_list("code", flat=True))
    expected = register_figures(village_ids)
    kept = _kept(codes, VILLAGE_REGISTER)
    expected_grades = grade_figures(village_ids)
    kept_grades: dict = defaultdict(dict)
    for code, month, level_id, count in RegionGrade.objects.filter(code__in=codes).values_list(
        "code", "month", "level_id", "count"
    ):
        kept_grades[code][(month, level_id)] = count
    for code in sorted(codes):
        region_add(code, subtract(expected.get(code, {}), kept.get(code, {})))
        grades = {
            key: expected_grades.get(code, {}).get(key, 0) - kept_grades[code].get(key, 0)
            for key in expected_grades.get(code, {}).keys() | kept_grades[code].keys()
        }
        grades_add(code, grades)


def regencies_recount(regency_ids) -> None:
    regency_ids = sorted(set(regency_ids) - {None})
    if not regency_ids:
        return
    codes = list(Regency.objects.filter(pk__in=regency_ids).values_list("code", flat=True))
    expected = cooperative_figures(regency_ids)
    kept = _kept(codes, ("cooperatives",))
    for code in sorted(codes):
        region_add(code, subtract(expected.get(code, {}), kept.get(code, {})))


def book_move(book_id: int, from_code: str, to_code: str) -> None:
    """A KSM moved to another village: its books' figures leave the old village's tree and
    join the new one's. The queued changes are added first: they are under the old village's
    code, and BookMonth, which is moved, holds them already."""
    rollups_drain()
    by_month = {
        row["month"]: {name: row[name] for name in BOOK_KEPT}
        | {"books_current": 1 if row["current"] else 0}
        for row in BookMonth.objects.filter(book_id=book_id).values("month", "current", *BOOK_KEPT)
    }
    if not by_month:
        return
    region_add(from_code, {m: {k: -v for k, v in d.items()} for m, d in by_month.items()})
    region_add(to_code, by_month)
