"""The dashboard of one scope and period: its figures in sections, each with its change over
the period and the list behind it, and its charts. The page, its PDF and the tests read the
same `Dashboard`."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from finance.money import rupiah
from ksm_portal.charts import Series, bar_chart, month_chart
from ksm_portal.numbers import grouped_number
from training.models import Level
from villages.models import District, Province, Regency, Village

from .figures import (
    Figure,
    Section,
    active_ksm,
    book_series,
    children_on,
    grades_on,
    months_between,
    over,
    region_series,
    savings,
    share,
)

LEVEL_OF_CODE = {0: None, 2: Province, 5: Regency, 8: District, 13: Village}
CHILD_LEVEL = {0: Province, 2: Regency, 5: District, 8: Village, 13: None}


@dataclass
class Scope:
    """What a dashboard sums: regions by code (one region, or a facilitator's villages), or
    one book (an officer's own KSM, BUMDes or cooperative)."""

    label: str
    codes: list[str] = field(default_factory=list)
    parent_code: str | None = None  # children: the regions under it ...
    child_codes: list[str] | None = None  # ... or these
    region: object = None  # the Province/Regency/District/Village, for links
    book: object = None
    filters: dict = field(default_factory=dict)  # the KSM list's filters for this scope


@dataclass
class Dashboard:
    scope: Scope
    start: datetime.date
    end: datetime.date
    months: list[datetime.date]
    sections: list[Section]
    charts: list
    children: list[dict]
    child_heading: str
    empty: bool = False


def ksm_list_url(filters: dict, **more) -> str:
    query = {key: value for key, value in (filters | more).items() if value not in (None, "")}
    return reverse("groups:list") + ("?" + urlencode(query) if query else "")


def region_filters(region) -> dict:
    """The KSM list's filters (by pk) that show this region's KSM."""
    if region is None:
        return {}
    if isinstance(region, Province):  # the KSM list filters from the regency down
        return {}
    if isinstance(region, Regency):
        return {"regency": region.pk}
    if isinstance(region, District):
        return {"regency": region.regency_id, "district": region.pk}
    return {
        "regency": region.district.regency_id,
        "district": region.district_id,
        "village": region.pk,
    }


def build(scope: Scope, start: datetime.date, end: datetime.date) -> Dashboard:
    months = months_between(start, end)
    before_month = (start - datetime.timedelta(days=1)).replace(day=1)
    asked = [before_month, *months]
    series = book_series(scope.book, asked) if scope.book else region_series(scope.codes, asked)
    before = series[before_month]
    last = series[months[-1]]
    list_url = ksm_list_url(scope.filters)

    def stock(key, label, fn=None, kind="count", url=list_url):
        value = fn(last) if fn else (last.get(key) or 0)
        was = fn(before) if fn else (before.get(key) or 0)
        return Figure(key, label, value, value - was, kind=kind, url=url)

    def flow(key, label, kind="money", url=list_url):
        return Figure(key, label, over(series, months, key), kind=kind, url=url)

    def period_rate(key, label, part, whole, url=list_url):
        """A share of the period's sums (paid of what fell due, present of expected)."""
        return Figure(
            key,
            label,
            share(over(series, months, part), over(series, months, whole)),
            kind="percent",
            url=url,
        )

    def rate(key, label, part, whole, url=list_url):
        now = share(part(last), whole(last))
        was = share(part(before), whole(before))
        change = now - was if now is not None and was is not None else None
        return Figure(key, label, now, change, kind="percent", url=url)

    sections = []
    if not scope.book or scope.book.group_id:
        register = Section(_("KSM and members"))
        if not scope.book:
            register.figures += [
                stock(
                    "ksm_active",
                    _("KSM active"),
                    active_ksm,
                    url=ksm_list_url(scope.filters, status="active"),
                ),
                stock(
                    "ksm_new", _("KSM newly formed"), url=ksm_list_url(scope.filters, origin="new")
                ),
                stock(
                    "ksm_reactivated",
                    _("KSM reactivated"),
                    url=ksm_list_url(scope.filters, origin="reactivated"),
                ),
                stock(
                    "ksm_dormant",
                    _("KSM dormant"),
                    url=ksm_list_url(scope.filters, status="dormant"),
                ),
            ]
        register.figures += [
            stock("members_female", _("Members, women")),
            stock("members_male", _("Members, men")),
        ]
        if not scope.book:
            register.figures += [
                stock("bumdes", _("BUMDes"), url=reverse("villages:bumdes_list")),
                stock("cooperatives", _("Cooperatives"), url=reverse("groups:cooperative_list")),
                stock(
                    "trained_treasurers", _("Treasurers trained"), url=reverse("training:coverage")
                ),
                stock("trained_chairs", _("Chairs trained"), url=reverse("training:coverage")),
            ]
        sections.append(register)
    book_url = scope.book.get_absolute_url() if scope.book else list_url
    money = Section(_("Savings and loans"))
    money.figures += [
        stock("savings", _("Savings, all"), savings, kind="money", url=book_url),
        stock("savings_principal", _("Principal savings (pokok)"), kind="money", url=book_url),
        stock("savings_mandatory", _("Mandatory savings (wajib)"), kind="money", url=book_url),
        stock("savings_voluntary", _("Voluntary savings (sukarela)"), kind="money", url=book_url),
        stock("loans_outstanding", _("Loans outstanding"), kind="money", url=book_url),
        flow("loans_disbursed", _("Loans disbursed in the period"), url=book_url),
        flow("loans_repaid", _("Principal repaid in the period"), url=book_url),
        flow("loans_written_off", _("Written off in the period"), url=book_url),
        rate(
            "par30",
            _("PAR 30"),
            lambda f: f.get("at_risk30") or 0,
            lambda f: f.get("loans_outstanding") or 0,
            url=book_url,
        ),
        period_rate(
            "repayment_rate",
            _("Repayment rate in the period"),
            "instalments_paid",
            "instalments_due",
            url=book_url,
        ),
        stock("cash", _("Cash"), kind="money", url=book_url),
        stock("bank", _("Bank"), kind="money", url=book_url),
        flow("income", _("Income in the period"), url=book_url),
        flow("expense", _("Expenses in the period"), url=book_url),
    ]
    sections.append(money)
    activity = Section(_("Books and meetings"))
    if scope.book:
        activity.figures.append(
            Figure(
                "books_current",
                _("Books current"),
                _("yes") if last.get("books_current") else _("no"),
                kind="text",
                url=book_url,
            )
        )
    else:
        activity.figures.append(
            rate(
                "books_current",
                _("Books current (an entry or a meeting in 45 days)"),
                lambda f: f.get("books_current") or 0,
                active_ksm,
            )
        )
    activity.figures += [
        flow("meetings", _("Meetings held in the period"), kind="count", url=book_url),
        period_rate(
            "attendance",
            _("Meeting attendance in the period"),
            "members_present",
            "members_expected",
            url=book_url,
        ),
    ]
    sections.append(activity)

    levels = list(Level.objects.order_by("min_score"))
    children, child_heading, charts = [], "", []
    grading = Section(_("Grading"))
    if not scope.book:
        own = grades_on(end, codes=scope.codes)
        own_before = grades_on(before_month, codes=scope.codes)
        for level in levels:
            now = sum(grades.get(level.pk, 0) for grades in own.values())
            was = sum(grades.get(level.pk, 0) for grades in own_before.values())
            grading.figures.append(
                Figure(
                    f"level_{level.pk}", level.name, now, now - was, url=reverse("training:grading")
                )
            )
        sections.append(grading)
        children, child_heading = _children(scope, end, levels)
    charts = _charts(scope, series, months, children, child_heading, levels)
    empty = not any(
        figure.value for section in sections for figure in section.figures if figure.kind != "text"
    )
    return Dashboard(
        scope=scope,
        start=months[0],
        end=months[-1],
        months=months,
        sections=sections,
        charts=charts,
        children=children,
        child_heading=child_heading,
        empty=empty,
    )


def _children(scope: Scope, end: datetime.date, levels) -> tuple[list[dict], str]:
    if scope.child_codes is not None:
        codes = scope.child_codes
        model = Village
        figures = children_on(end, codes=codes)
        grades = grades_on(end, codes=codes)
    else:
        model = CHILD_LEVEL[len(scope.parent_code or "")] if scope.parent_code is not None else None
        if model is None:
            return [], ""
        figures = children_on(end, parent_code=scope.parent_code)
        grades = grades_on(end, parent_code=scope.parent_code)
        codes = list(figures)
    found = model.objects.filter(code__in=codes).order_by("code")
    if model is Village:  # the KSM list's link names the village's district and regency
        found = found.select_related("district")
    regions = {region.code: region for region in found}
    rows = []
    for code, region in regions.items():
        found = figures.get(code, {})
        rows.append(
            {
                "region": region,
                "code": code,
                "name": region.name,
                "url": reverse("dashboard:dashboard") + "?" + urlencode({"region": code}),
                "list_url": ksm_list_url(region_filters(region)),
                "figures": found,
                "active": active_ksm(found),
                "savings": savings(found),
                "par30": share(found.get("at_risk30") or 0, found.get("loans_outstanding") or 0),
                "grades": [grades.get(code, {}).get(level.pk, 0) for level in levels],
            }
        )
    return rows, str(model._meta.verbose_name)


def _charts(scope, series, months, children, child_heading, levels) -> list:
    months_shown = months[-24:]
    charts = [
        month_chart(
            title=_("Savings and loans outstanding by month"),
            months=months_shown,
            series=[
                Series(_("Savings"), [savings(series[m]) for m in months_shown]),
                Series(
                    _("Loans outstanding"),
                    [series[m].get("loans_outstanding") or 0 for m in months_shown],
                ),
            ],
            format_value=rupiah,
            chart_id="chart-savings-loans",
        )
    ]
    if not children:
        return charts
    labels = [row["name"] for row in children]
    urls = [row["url"] for row in children]
    charts.append(
        bar_chart(
            title=_("New and reactivated KSM by %(level)s") % {"level": child_heading},
            labels=labels,
            series=[
                Series(_("New"), [row["figures"].get("ksm_new") or 0 for row in children]),
                Series(
                    _("Reactivated"),
                    [row["figures"].get("ksm_reactivated") or 0 for row in children],
                ),
            ],
            stacked=True,
            urls=[row["list_url"] for row in children],
            category_heading=child_heading,
            chart_id="chart-origin",
        )
    )
    if levels:
        charts.append(
            bar_chart(
                title=_("Grading levels by %(level)s") % {"level": child_heading},
                labels=labels,
                series=[
                    Series(level.name, [row["grades"][index] for row in children])
                    for index, level in enumerate(levels)
                ],
                stacked=True,
                urls=urls,
                category_heading=child_heading,
                chart_id="chart-grading",
            )
        )
    charts.append(
        bar_chart(
            title=_("PAR 30 by %(level)s") % {"level": child_heading},
            labels=labels,
            series=[Series(_("PAR 30 (%)"), [row["par30"] for row in children])],
            urls=urls,
            category_heading=child_heading,
            format_value=lambda v: f"{grouped_number(v)} %" if v is not None else "\u2013",
            chart_id="chart-par30",
        )
    )
    return charts


def period_label(start: datetime.date, end: datetime.date) -> str:
    first, last = (date_format(day, "YEAR_MONTH_FORMAT") for day in (start, end))
    return f"{first} \u2013 {last}"
