"""The dashboard: a region's (or a facilitator's villages', or an officer's own books')
programme figures for a period, on the page and as a PDF."""

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.figures import month_of
from finance.models import Book
from ksm_portal.caching import kept
from ksm_portal.db_router import replica_reads
from ksm_portal.exports import filename, pdf_response
from ksm_portal.scope import user_scope
from villages.models import District, Province, Regency, Village

from ..selectors.dashboard import LEVEL_OF_CODE, Scope, build, period_label, region_filters
from ..selectors.figures import first_month
from ..services.rollups import DRAIN_BATCH, rollups_drain, rollups_pending

# A region's figures are kept for a minute for everyone who reads them. The rollups they are
# read from are themselves brought up to date each minute (`rollups --drain`), so a region's
# page may be up to a minute more behind the books; a page that has just added waiting
# postings to the rollups itself works its figures out again at once.
REGION_FIGURES_SECONDS = 60
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_MONTHS = 12
MAX_MONTHS = 120
PARENTS = {
    Province: [],
    Regency: ["province"],
    District: ["regency__province"],
    Village: ["district__regency__province"],
}


def _month(value: str):
    match = MONTH.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        return None
    return datetime.date(year, month, 1)


def _period(request) -> tuple[datetime.date, datetime.date]:
    """The period asked (?from=2026-01&to=2026-12), or the last twelve months; a bad or future
    month is said and replaced, never an error page."""
    this_month = month_of(timezone.localdate())
    end = this_month
    asked_end, asked_start = request.GET.get("to", ""), request.GET.get("from", "")
    if asked_end:
        end = _month(asked_end)
        if end is None:
            messages.warning(request, _("The end month is not a month (write it as 2026-12)."))
            end = this_month
        elif end > this_month:
            messages.warning(request, _("The period cannot end in the future; it ends this month."))
            end = this_month
    start = _months_back(end, DEFAULT_MONTHS - 1)
    if asked_start:
        chosen = _month(asked_start)
        if chosen is None:
            messages.warning(request, _("The start month is not a month (write it as 2026-01)."))
        elif chosen > end:
            messages.warning(request, _("The period cannot start after it ends."))
        else:
            start = max(chosen, _months_back(end, MAX_MONTHS - 1))
            if start != chosen:
                messages.warning(request, _("A period is at most ten years."))
    return start, end


def _months_back(month: datetime.date, count: int) -> datetime.date:
    year, index = divmod(month.year * 12 + month.month - 1 - count, 12)
    return datetime.date(year, index + 1, 1)


def _region(code: str):
    model = LEVEL_OF_CODE.get(len(code))
    if model is None:
        raise Http404
    region = model.objects.select_related(*PARENTS[model]).filter(code=code).first()
    if region is None:
        raise Http404
    return region


def _scope(request) -> tuple[Scope, list]:
    """The scope asked, within the user's: staff any region (the nation by default);
    facilitators all their villages or one of them; officers their own books. Anything else
    is not found."""
    scope = user_scope(request.user)
    code = request.GET.get("region", "").strip()
    if scope.sees_all:
        if not code:
            return Scope(label=_("Indonesia"), codes=[""], parent_code=""), []
        region = _region(code)
        return (
            Scope(
                label=str(region.name),
                codes=[region.code],
                parent_code=region.code if not isinstance(region, Village) else None,
                region=region,
                filters=region_filters(region),
            ),
            region.path(),
        )
    if scope.facilitator_village_ids:
        villages = list(
            Village.objects.filter(pk__in=scope.facilitator_village_ids)
            .select_related(*PARENTS[Village])
            .order_by("code")
        )
        if code:
            village = next((v for v in villages if v.code == code), None)
            if village is None:
                raise Http404
            return (
                Scope(
                    label=village.name,
                    codes=[village.code],
                    region=village,
                    filters=region_filters(village),
                ),
                [],
            )
        codes = [village.code for village in villages]
        return Scope(label=_("My villages"), codes=codes, child_codes=codes), []
    books = list(
        Book.objects.visible_to(request.user).select_related("group", "bumdes", "cooperative")
    )
    if not books:
        raise PermissionDenied
    chosen = request.GET.get("book", "")
    book = next((b for b in books if str(b.pk) == chosen), None) if chosen else books[0]
    if book is None:
        raise Http404
    return Scope(label=str(book), book=book), []


@login_required
@replica_reads
def dashboard(request):
    scope, path = _scope(request)
    start, end = _period(request)
    report, first, worked_out = _figures(request, scope, start, end)
    context = {
        "report": report,
        "path": path,
        "period": period_label(report.start, report.end),
        "first_month": first,
        "worked_out": worked_out,
        "before_data": first is not None and report.end < first,
        "from_value": f"{report.start:%Y-%m}",
        "to_value": f"{report.end:%Y-%m}",
        "villages": _facilitator_villages(request),
        "books": _officer_books(request, scope),
    }
    if request.GET.get("format") == "pdf":
        name = filename("dasbor", scope.label, report.start, report.end)
        return pdf_response(request, "dashboard/dashboard.html", context, name)
    return render(
        request,
        "dashboard/dashboard.html",
        {"base_template": "dashboard/_frame.html", **context},
    )


def _figures(request, scope: Scope, start, end):
    """The dashboard, the regions' first month of figures and when they were worked out (None
    for a book's, always worked out now): a region's are kept for everyone who reads it
    (`REGION_FIGURES_SECONDS`), and the page says since when."""
    if scope.book:
        return build(scope, start, end), None, None
    drained = _regions_up_to_date(request)
    parts = (scope.codes, scope.parent_code, scope.child_codes, start, end, timezone.localdate())
    return kept(
        "dashboard",
        parts,
        lambda: (build(scope, start, end), first_month(scope.codes), timezone.localtime()),
        REGION_FIGURES_SECONDS,
        fresh=drained > 0,
    )


def _regions_up_to_date(request) -> int:
    """The books' latest changes added to the regions before they are read (`rollups --drain`
    does it each minute; a page adds at most a batch, and says so when more are waiting).
    How many changes it added."""
    if not rollups_pending():
        return 0
    drained = rollups_drain(limit=DRAIN_BATCH)
    if drained >= DRAIN_BATCH and rollups_pending():
        messages.info(
            request,
            _(
                "The latest postings are still being added to the region figures: reload the "
                "page in a minute to see them all."
            ),
        )
    return drained


def _facilitator_villages(request) -> list:
    scope = user_scope(request.user)
    if scope.sees_all or not scope.facilitator_village_ids:
        return []
    return list(
        Village.objects.filter(pk__in=scope.facilitator_village_ids)
        .order_by("name")
        .values("code", "name")
    )


def _officer_books(request, scope: Scope) -> list:
    if scope.book is None:
        return []
    return list(
        Book.objects.visible_to(request.user).select_related("group", "bumdes", "cooperative")
    )
