"""Time the pages that must stay fast at national scale, with their query counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksm_scale .venv/bin/python bench/pages.py

Each page is requested through Django's test client (the whole stack: middleware, view,
template) as a staff user and as a facilitator, after two warm-up requests; the table shows the
median and 95th percentile time over --runs requests and the number of SQL queries one request
makes. Targets (bench/README.md): p95 <= 100 ms, and the same query count at 1,000 and 100,000 KSM.
Nothing a page keeps between requests (ksm_portal/caching.py: menus, region figures, a KSM's
health panel) is kept for the timed requests: each works its page out in full, as the first
reader after a change does; --keep times them with what they keep.
The database is only read, apart from the login sessions and last_login of the two users.

The books pages read generate_scale's big book (the KSM named BIG_BOOK_KSM_NAME, 200,000 lines
over five years): its cash book for its busiest month of last year and for last year (first and
last page each), the ledger of its busiest other account for last year (first and last page),
trial balance, balance sheet and income statement for last year, the journal (first and last
page), loan portfolio, group health over six months, the passbook of its member with the most
lines, and the meeting sheet (GET) as finance staff (`sintetis_keuangan`, made on the first
run). It refuses a production-looking database without --yes (ksm_portal/safety.py).
"""

import argparse
import datetime
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Test settings: no HTTPS redirect and no collectstatic manifest needed; the test client keeps
# one database connection open, so per-request work is the same as in production.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksm_portal.settings.test")

TARGET_P95_MS = 100
ADMIN_TARGET_P95_MS = 300  # issue #15: every admin changelist at national scale


@dataclass
class Page:
    label: str
    user: str  # "staff", "facilitator" or "finance"
    url_name: str
    kwargs: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    target_ms: int = TARGET_P95_MS


@dataclass
class Result:
    page: Page
    p50: float | None = None
    p95: float | None = None
    queries: int | None = None
    slowest: list = field(default_factory=list)  # (ms, sql) of one request
    problem: str = ""


def parse_args(argv=None):
    from ksm_portal.safety import count_arg

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=count_arg(1, 10_000), default=30, help="timed requests per page"
    )
    parser.add_argument("--staff", help="staff username (default: staf, sintetis_staf, any)")
    parser.add_argument("--facilitator", help="facilitator username (default: a synthetic one)")
    parser.add_argument(
        "--slowest",
        type=count_arg(0, 100),
        default=0,
        metavar="N",
        help="also print each page's N slowest SQL",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="let pages keep what they keep between requests (default: each worked out in full)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="write even into a database that looks like production (ksm_portal/safety.py)",
    )
    return parser.parse_args(argv)


def main() -> int:
    import django

    django.setup()  # before the arguments: their messages are translated
    args = parse_args()
    from ksm_portal.safety import refusal

    refused = None if args.yes else refusal("bench/pages.py")
    if refused:
        print(refused, file=sys.stderr)
        return 2
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from groups.models import Member, SelfHelpGroup

    ksm_total = SelfHelpGroup.objects.count()
    if not ksm_total:
        print("No KSM in the database: run `manage.py generate_scale --ksm N` (or seed_demo).")
        return 2
    users = {
        "staff": pick_user(
            args.staff, ["staf", "sintetis_staf"], get_user_model().objects.filter(is_staff=True)
        ),
        "facilitator": pick_facilitator(args.facilitator),
        "finance": finance_user(),
    }
    pages = plan_pages(users, settings.PAGE_SIZE)
    clients = {}
    for role, user in users.items():
        if user is not None:
            clients[role] = Client(SERVER_NAME="localhost")
            clients[role].force_login(user)

    print(
        f"{ksm_total:,} KSM, {Member.objects.count():,} members in {connection.vendor} "
        f"({connection.settings_dict['NAME']}); {args.runs} runs per page"
    )
    for role, user in users.items():
        print(f"{role}: {user.username if user else '(none found: pages skipped)'}")
    results = [
        measure(clients.get(page.user), page, args.runs, args.slowest, keep=args.keep)
        for page in pages
    ]
    for client in clients.values():
        client.logout()
    print_table(results, ksm_total)
    for result in results:
        if result.slowest:
            print(f"\n{result.page.label} ({result.page.user}):")
            for ms, sql in result.slowest:
                print(f"  {ms:7.1f} ms  {sql[:300]}")
    return 1 if any(result.problem for result in results) else 0


def pick_user(username, preferred, fallback):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if username:
        return users.filter(username=username).first()
    for name in preferred:
        user = fallback.filter(username=name, is_active=True).first()
        if user:
            return user
    return fallback.filter(is_active=True).order_by("pk").first()


def pick_facilitator(username):
    """A facilitator with current assignments, preferring the synthetic ones (large data)."""
    from django.contrib.auth import get_user_model

    from villages.models import FacilitatorAssignment

    assigned = get_user_model().objects.filter(
        is_active=True,
        is_staff=False,
        pk__in=FacilitatorAssignment.objects.current().values("user"),
    )
    return pick_user(username, ["sintetis_pendamping1", "pendamping1"], assigned)


def plan_pages(users, page_size: int) -> list[Page]:
    """The pages to time, with a KSM and a regency from the middle of the data."""
    from groups.models import SelfHelpGroup
    from villages.models import Village

    groups = SelfHelpGroup.objects.order_by("pk")
    total = groups.count()
    sample = groups.select_related("village__district__regency")[total // 2]
    regency = sample.village.district.regency
    filters = {"regency": regency.pk, "origin": "reactivated", "status": "active", "q": "makmur"}
    filtered = (
        groups.filter(
            village__district__regency=regency,
            origin="reactivated",
            status="active",
            name__icontains="makmur",
        ).count()
        or 1
    )
    last_page = math.ceil(total / page_size)
    last_filtered_page = math.ceil(filtered / page_size)
    pages = [
        Page("KSM list, page 1", "staff", "groups:list"),
        Page(
            f"KSM list, page {last_page:,} (last)",
            "staff",
            "groups:list",
            params={"page": last_page},
        ),
        Page("KSM list, filtered, page 1", "staff", "groups:list", params=filters),
        Page(
            f"KSM list, filtered, page {last_filtered_page} (last)",
            "staff",
            "groups:list",
            params={**filters, "page": last_filtered_page},
        ),
        Page("KSM list, search only", "staff", "groups:list", params={"q": "sido"}),
        Page("KSM detail", "staff", "groups:detail", kwargs={"pk": sample.pk}),
        Page(
            f"Program overview {regency.code}",
            "staff",
            "dashboard:overview",
            kwargs={"regency_code": regency.code},
        ),
        Page(
            f"Program overview {regency.code}, page 2",
            "staff",
            "dashboard:overview",
            kwargs={"regency_code": regency.code},
            params={"page": 2},
        ),
        Page("Home", "staff", "home"),
    ]
    pages += books_pages(page_size=page_size)
    pages += meeting_pages()
    pages += dashboard_pages(sample)
    pages += admin_pages(sample)
    facilitator = users.get("facilitator")
    if facilitator is not None:
        villages = Village.objects.assigned_to(facilitator)
        own = SelfHelpGroup.objects.filter(village__in=villages).order_by("pk").first()
        pages += [
            Page("KSM list, page 1", "facilitator", "groups:list"),
            Page("KSM list, search", "facilitator", "groups:list", params={"q": "sido"}),
            Page("Home", "facilitator", "home"),
        ]
        if own is not None:
            pages.append(Page("KSM detail", "facilitator", "groups:detail", kwargs={"pk": own.pk}))
        pages.append(Page("Dashboard, my villages", "facilitator", "dashboard:dashboard"))
        pages += [
            page
            for page in books_pages("facilitator", page_size)
            if page.label.startswith(FOR_BOTH)
        ]
    return pages


def admin_pages(sample) -> list[Page]:
    """Admin changelists of the national tables, as program staff open them: the first page
    (estimated count), a region filter down to kecamatan, a prefix search on a code or NIK."""
    from groups.models import Member

    district = sample.village.district
    region = {"province": district.regency.province_id, "regency": district.regency_id}
    nik = Member.objects.filter(memberships__group=sample).values_list("nik", flat=True).first()
    ksm = "admin:groups_selfhelpgroup_changelist"
    members = "admin:groups_member_changelist"
    pages = [
        Page("Admin KSM, page 1", "staff", ksm),
        Page("Admin KSM, kecamatan", "staff", ksm, params={**region, "district": district.pk}),
        Page("Admin KSM, search reg. no.", "staff", ksm, params={"q": sample.registration_number}),
        Page("Admin members, page 1", "staff", members),
        Page("Admin members, NIK", "staff", members, params={"q": nik or "3325"}),
        Page(
            "Admin members, kecamatan", "staff", members, params={**region, "district": district.pk}
        ),
        Page("Admin entries, page 1", "staff", "admin:finance_journalentry_changelist"),
        Page("Admin loans, page 1", "staff", "admin:finance_loan_changelist"),
        Page(
            "Admin loans, outstanding",
            "staff",
            "admin:finance_loan_changelist",
            params={"status__exact": "active"},
        ),
    ]
    for page in pages:
        page.target_ms = ADMIN_TARGET_P95_MS
    return pages


def dashboard_pages(sample) -> list[Page]:
    """The dashboard at each level, for the sample KSM's regions (a year to this month)."""
    village = sample.village
    levels = [
        ("nation", ""),
        ("province", village.district.regency.province.code),
        ("regency", village.district.regency.code),
        ("kecamatan", village.district.code),
        ("village", village.code),
    ]
    return [
        Page(
            f"Dashboard, {level}",
            "staff",
            "dashboard:dashboard",
            params={"region": code} if code else {},
        )
        for level, code in levels
    ]


FOR_BOTH = ("Cash book", "Passbook")  # the books pages also timed as the facilitator


def books_pages(user: str = "staff", page_size: int = 25) -> list[Page]:
    """The big book's pages (none when the database has no big book)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from demo.scale_books import BIG_BOOK_KSM_NAME
    from finance.models import Book, BookYear, JournalLine, Loan
    from finance.selectors.balances import month_end
    from finance.selectors.journal import entry_count
    from finance.selectors.ledgers import LEDGER_PAGE_SIZE

    book = Book.objects.filter(group__name=BIG_BOOK_KSM_NAME).order_by("-pk").first()
    if book is None:
        return []
    today = timezone.localdate()
    years = set(BookYear.objects.filter(book=book).values_list("year", flat=True))
    year = today.year - 1 if today.year - 1 in years else max(years)  # last year's, if kept
    first, last = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)
    days = {"date_from": first.isoformat(), "date_to": last.isoformat()}
    cash = book.accounts.get(role="cash")
    cash_lines = JournalLine.objects.filter(
        account=cash, entry_date__gte=first, entry_date__lte=last
    ).count()
    last_page = max(math.ceil(cash_lines / LEDGER_PAGE_SIZE), 1)
    member = (
        JournalLine.objects.filter(book=book, member__isnull=False)
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("-n", "member_id")
        .first()["member_id"]
    )
    lines = JournalLine.objects.filter(book=book).count()
    on_book = {"book_id": book.pk}
    name = f"{lines:,}-line book"
    busiest = (
        JournalLine.objects.filter(account=cash, entry_date__gte=first, entry_date__lte=last)
        .annotate(month=TruncMonth("entry_date"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    month_first = busiest["month"]
    month_first = month_first.date() if hasattr(month_first, "date") else month_first
    month_days = {
        "date_from": month_first.isoformat(),
        "date_to": month_end(month_first).isoformat(),
    }
    month_last_page = max(math.ceil(busiest["n"] / LEDGER_PAGE_SIZE), 1)
    other = (
        JournalLine.objects.filter(book=book, entry_date__gte=first, entry_date__lte=last)
        .exclude(account=cash)
        .values("account_id")
        .annotate(n=Count("id"))
        .order_by("-n", "account_id")
        .first()
    )
    account = book.accounts.get(pk=other["account_id"])
    ledger_last_page = max(math.ceil(other["n"] / LEDGER_PAGE_SIZE), 1)
    on_account = {"book_id": book.pk, "account_id": account.pk}
    entries = entry_count(book)
    journal_last_page = max(math.ceil(entries / page_size), 1)
    loans = Loan.objects.filter(book=book).count()
    return [
        Page(
            f"Cash book {month_first:%m-%Y}, page 1 (busiest month)",
            user,
            "finance:cash_book",
            on_book,
            month_days,
        ),
        Page(
            f"Cash book {month_first:%m-%Y}, page {month_last_page} (last)",
            user,
            "finance:cash_book",
            on_book,
            {**month_days, "page": month_last_page},
        ),
        Page(f"Cash book {year}, page 1 ({name})", user, "finance:cash_book", on_book, days),
        Page(
            f"Cash book {year}, page {last_page:,} (last)",
            user,
            "finance:cash_book",
            on_book,
            {**days, "page": last_page},
        ),
        Page(f"Trial balance ({name})", user, "finance:trial_balance", on_book),
        Page(
            f"Balance sheet {year}",
            user,
            "finance:balance_sheet",
            on_book,
            {"period": "year", "year": year},
        ),
        Page(
            f"Income statement {year}",
            user,
            "finance:income_statement",
            on_book,
            {"period": "year", "year": year},
        ),
        Page(
            f"Ledger {account.code} {year}, page 1 ({other['n']:,} lines)",
            user,
            "finance:ledger",
            on_account,
            days,
        ),
        Page(
            f"Ledger {account.code} {year}, page {ledger_last_page:,} (last)",
            user,
            "finance:ledger",
            on_account,
            {**days, "page": ledger_last_page},
        ),
        Page(f"Journal, page 1 ({entries:,} entries)", user, "finance:journal", on_book),
        Page(
            f"Journal, page {journal_last_page:,} (last)",
            user,
            "finance:journal",
            on_book,
            {"page": journal_last_page},
        ),
        Page(f"Loan portfolio ({loans:,} loans)", user, "finance:portfolio", on_book),
        Page(
            "Group health, six months",
            user,
            "finance:group_health_months",
            {"group_id": book.group_id},
        ),
        Page(
            "Passbook of a member",
            user,
            "finance:passbook",
            {"book_id": book.pk, "member_id": member},
        ),
    ]


def meeting_pages() -> list[Page]:
    """The big book's meeting sheet (GET, prefilled for its members), as finance staff: the
    only staff who may post to any book."""
    from demo.scale_books import BIG_BOOK_KSM_NAME
    from finance.models import Book

    book = Book.objects.filter(group__name=BIG_BOOK_KSM_NAME).order_by("-pk").first()
    if book is None:
        return []
    return [Page("Meeting sheet (GET)", "finance", "finance:meeting_sheet", {"book_id": book.pk})]


def finance_user():
    """A finance staff login for the meeting sheet (`sintetis_keuangan`, no usable password),
    made on the first run."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import FINANCE_STAFF

    user, created = get_user_model().objects.get_or_create(
        username=FINANCE_USERNAME, defaults={"is_staff": True, "first_name": "Sintetis"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(*Group.objects.filter(name=FINANCE_STAFF))
    return user


FINANCE_USERNAME = "sintetis_keuangan"


def measure(client, page: Page, runs: int, slowest: int = 0, keep: bool = False) -> Result:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    result = Result(page)
    if client is None:
        result.problem = f"no {page.user} user"
        return result
    try:
        url = reverse(page.url_name, kwargs=page.kwargs or None)
    except NoReverseMatch:
        result.problem = f"URL {page.url_name!r} missing"
        return result
    except Exception as error:  # e.g. a URLconf that imports a view not written yet
        result.problem = f"URLconf: {type(error).__name__}: {error}"[:70]
        return result
    params = page.params
    try:
        response = client.get(url, params, secure=True)
        location = response.get("Location", "") if response.status_code == 302 else ""
        if location.startswith(url + "?"):
            # A form page that first redirects to itself with its one-time token (the meeting
            # sheet): time the address the browser lands on.
            url, params = location, None
        for _ in range(2):  # warm-up: caches, connection, first template compile
            response = client.get(url, params, secure=True)
        if response.status_code != 200:
            result.problem = f"HTTP {response.status_code}"
            return result
        forget = (lambda: None) if keep else cache.clear
        forget()
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params, secure=True)
        result.queries = len(captured.captured_queries)
        timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        result.slowest = sorted(timed, reverse=True)[:slowest]
        timings = []
        for _ in range(runs):
            forget()
            started = time.perf_counter()
            client.get(url, params, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
    except Exception as error:  # report every page, even when one view is broken
        result.problem = f"{type(error).__name__}: {error}"[:70]
        return result
    result.p50 = statistics.median(timings)
    result.p95 = percentile(timings, 95)
    return result


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def print_table(results: list[Result], ksm_total: int) -> None:
    header = ("page", "user", "p50 ms", "p95 ms", "queries", "KSM in DB", "note")
    rows = [header]
    for r in results:
        if r.problem:
            rows.append((r.page.label, r.page.user, "-", "-", "-", f"{ksm_total:,}", r.problem))
            continue
        flag = "over target" if r.p95 > r.page.target_ms else ""
        rows.append(
            (
                r.page.label,
                r.page.user,
                f"{r.p50:.1f}",
                f"{r.p95:.1f}",
                str(r.queries),
                f"{ksm_total:,}",
                flag,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print()
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if col < 2 or col == len(row) - 1 else cell.rjust(width)
            for col, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    sys.exit(main())
