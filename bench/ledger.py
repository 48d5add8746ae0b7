"""Post a year of entries to one book through the services, then time the ledger reports.

    createdb -h 127.0.0.1 -U postgres ksm_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksm_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/ledger.py [--entries 20000] [--runs 20] [--seed 1]

It opens the books of a new throwaway KSM (in a village "Desa Bench Ledger", code
99.99.99.2999, made on the first run) and posts --entries two-line entries to it in date
order over last year: 60% cash received from business income, 30% expenses paid in cash,
10% capital in (a grant received in cash), seeded random amounts and dates. It prints the
posting rate, then --back-dated entries (default 200) each dated on a random earlier day of the
year (cash paid, or received), so each is checked against the cash balance on its date and on
every later date: the median and 95th percentile ms per entry. With --book ID it posts only the
back-dated entries, into that existing book (e.g. the 200,000-line book of generate_scale;
`--entries 100000` makes a 200,000-line book of its own). Then the median of --runs timings
of: the trial balance at year end; the balance sheet together with the income statement for
the year; one month (June) of the cash book, first page. Each is timed as the selector (the
report's queries and rows) and as the whole page through Django's test client (middleware,
view, template), logged in as a staff user `bench_ledger` it creates. Nothing is deleted;
use a database of its own.
Targets on PostgreSQL (bench/README.md): >= 300 entries/s, a back-dated entry <= 20 ms, trial
balance <= 10 ms, both statements <= 36 ms, one month of cash <= 7 ms.
"""

import argparse
import cProfile
import datetime
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksm_portal.settings.test")

TARGETS = {
    "entries/s": 300,
    "back-dated ms": 20,
    "trial balance": 10,
    "statements": 36,
    "cash month": 7,
}
MIX = (("income", 0.6), ("expense", 0.3), ("capital", 0.1))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20000, help="entries to post")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per report")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--back-dated", type=int, default=200, help="back-dated entries to post after the year"
    )
    parser.add_argument(
        "--book", type=int, help="post only the back-dated entries, into this existing book"
    )
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="time the reports straight after posting, before VACUUM ANALYZE",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the first N postings with cProfile and print where the time goes",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("The database is not migrated: run `manage.py migrate` first.")
        return 2
    if args.book is not None:
        from finance.models import Book

        book = Book.objects.get(pk=args.book)
        back_dated(book, args.back_dated, args.seed)
        return 0
    year = timezone.localdate().year - 1
    book = make_book(year)
    print(
        f"{connection.vendor} ({connection.settings_dict['NAME']}): book {book.pk} of "
        f"{book.group.name}, {args.entries:,} entries over {year}, seed {args.seed}"
    )
    plan = plan_entries(args.entries, year, args.seed)
    rate = post(book, plan, args.profile)
    print(f"posted {len(plan):,} entries: {rate:,.0f} entries/s (target >= {TARGETS['entries/s']})")
    back_dated(book, args.back_dated, args.seed)
    if connection.vendor == "postgresql" and not args.no_vacuum:
        vacuum()
    timings = time_reports(book, year, args.runs)
    print(f"\nmedian of {args.runs} runs   selector ms   page ms   queries   target ms")
    for label, (selector_ms, page_ms, queries) in timings.items():
        print(
            f"{label:<20} {selector_ms:>11.2f} {page_ms:>9.2f} {queries:>9} "
            f"{'<= ' + str(TARGETS[label]):>11}"
        )
    verify(book, year)
    return 0


def make_book(year: int):
    """A new KSM with open books, in the benchmark's own village."""
    from django.utils import timezone

    from finance.services import book_open
    from groups.models import SelfHelpGroup
    from villages.models import District, Province, Regency, Village

    province, _ = Province.objects.get_or_create(code="99", defaults={"name": "Bench"})
    regency, _ = Regency.objects.get_or_create(
        code="99.99", defaults={"province": province, "name": "Bench"}
    )
    district, _ = District.objects.get_or_create(
        code="99.99.99", defaults={"regency": regency, "name": "Bench"}
    )
    village, _ = Village.objects.get_or_create(
        code="99.99.99.2999", defaults={"district": district, "name": "Desa Bench Ledger"}
    )
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    group = SelfHelpGroup.objects.create(
        village=village,
        name=f"KSM Bench {stamp}",
        registration_number=f"BENCH/{stamp}",
        origin=SelfHelpGroup.Origin.NEW,
        formed_date=datetime.date(year, 1, 1),
    )
    return book_open(owner=group, opening_date=datetime.date(year, 1, 1))


def plan_entries(count: int, year: int, seed: int) -> list[tuple]:
    """(date, kind, amount) in date order: seeded, so every run posts the same year."""
    from finance.services import CASH_OUT_CATEGORIES

    rng = random.Random(seed)
    days = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1
    kinds, weights = zip(*MIX, strict=True)
    plan = []
    for _ in range(count):
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(days))
        kind = rng.choices(kinds, weights)[0]
        if kind == "expense":
            plan.append((day, kind, rng.randint(1, 200) * 500, rng.choice(CASH_OUT_CATEGORIES)))
        elif kind == "capital":
            plan.append((day, kind, rng.randint(1, 100) * 10000, "grant"))
        else:
            plan.append((day, kind, rng.randint(1, 400) * 1000, "income_business"))
    plan.sort(key=lambda item: item[0])
    # The year opens with a grant in cash: no payment may take the cash below zero.
    plan[0] = (datetime.date(year, 1, 1), "capital", 5_000_000, "grant")
    return plan


def back_dated(book, count: int, seed: int) -> None:
    """Post `count` entries dated on random days between the book's first and last cash days,
    alternately a small payment and a receipt, each in its own transaction; ms per entry."""
    from django.db.models import Max, Min

    from finance.models import AccountDay, JournalLine
    from finance.services import account_for, cash_pay, cash_receive

    if count <= 0:
        return
    cash = account_for(book, "cash")
    span = AccountDay.objects.filter(account=cash).aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        print("back-dated: the book has no cash entries")
        return
    lines = JournalLine.objects.filter(book=book).count()
    rng = random.Random(seed)
    days = (span["last"] - span["first"]).days
    timings = []
    for index in range(count):
        day = span["first"] + datetime.timedelta(days=rng.randrange(max(days, 1)))
        started = time.perf_counter()
        if index % 2 == 0:
            cash_pay(
                book=book,
                category="expense_admin",
                amount=1000,
                entry_date=day,
                description="Belanja susulan",
            )
        else:
            cash_receive(
                book=book,
                source="income_business",
                amount=1000,
                entry_date=day,
                description="Penjualan susulan",
            )
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(
        f"back-dated: {count} entries into a {lines:,}-line book between {span['first']} and "
        f"{span['last']}: median {statistics.median(timings):.2f} ms, 95th percentile "
        f"{p95:.2f} ms per entry (target <= {TARGETS['back-dated ms']} ms)"
    )


def post_one(book, entry) -> None:
    from finance.services import cash_pay, cash_receive

    day, kind, amount, account = entry
    if kind == "expense":
        cash_pay(book=book, category=account, amount=amount, entry_date=day, description="Belanja")
    else:
        cash_receive(
            book=book,
            source=account,
            amount=amount,
            entry_date=day,
            description="Hibah" if kind == "capital" else "Penjualan",
        )


def post(book, plan, profile_count: int) -> float:
    """Post every entry through the services, each in its own transaction; entries/s."""
    done = 0
    started = time.perf_counter()
    if profile_count:
        profiler = cProfile.Profile()
        profiler.enable()
        for entry in plan[:profile_count]:
            post_one(book, entry)
        profiler.disable()
        done = profile_count
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
        print(f"\ncProfile of the first {profile_count} postings (cumulative time):")
        stats.print_stats(35)
    for index, entry in enumerate(plan[done:], start=done + 1):
        post_one(book, entry)
        if index % 5000 == 0:
            elapsed = time.perf_counter() - started
            print(f"  {index:,} entries, {index / elapsed:,.0f}/s", flush=True)
    return len(plan) / (time.perf_counter() - started)


def vacuum() -> None:
    """What autovacuum does within a minute or so of a burst of postings: every posting
    rewrites its month's totals rows, leaving dead row versions that reads must skip."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE finance_accountmonth, finance_accountday, finance_bookyear,"
            " finance_book, finance_journalentry, finance_journalline"
        )
    print(f"VACUUM ANALYZE of the finance tables: {time.perf_counter() - started:.1f} s")


def time_reports(book, year: int, runs: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.roles import PROGRAM_STAFF
    from finance import selectors
    from finance.selectors import Period

    year_end = datetime.date(year, 12, 31)
    period = Period.of("year", year)
    cash = selectors.cash_account(book)
    june, june_end = datetime.date(year, 6, 1), datetime.date(year, 6, 30)

    def cash_month():
        return selectors.ledger(cash, date_from=june, date_to=june_end).page(1)

    reports = {
        "trial balance": (
            lambda: selectors.trial_balance(book, as_of=year_end).total_debit,
            reverse("finance:trial_balance", args=[book.pk]),
            [{"date": year_end.isoformat()}],
        ),
        "statements": (
            lambda: (
                selectors.balance_sheet(book, period),
                selectors.income_statement(book, period),
            ),
            None,
            [
                ("finance:balance_sheet", "finance:income_statement"),
                {"period": "year", "year": year},
            ],
        ),
        "cash month": (
            cash_month,
            reverse("finance:cash_book", args=[book.pk]),
            [{"date_from": june.isoformat(), "date_to": june_end.isoformat()}],
        ),
    }
    user, _ = get_user_model().objects.get_or_create(
        username="bench_ledger", defaults={"is_staff": True}
    )
    # Staff status alone only opens admin: the program staff role is what sees every book.
    user.groups.add(*Group.objects.filter(name=PROGRAM_STAFF))
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def get_pages(label):
        _selector, url, extra = reports[label]
        if url is None:
            names, query = extra
            return [client.get(reverse(name, args=[book.pk]), query) for name in names]
        return [client.get(url, extra[0])]

    results = {}
    for label, (selector, _url, _extra) in reports.items():
        for _ in range(2):  # warm-up
            selector()
            for response in get_pages(label):
                assert response.status_code == 200, (label, response.status_code)
        selector_ms = median_ms(selector, runs)
        connection.queries_log.clear()  # each request clears it (request_started)
        with CaptureQueriesContext(connection) as captured:
            get_pages(label)
        queries = len(captured.captured_queries)  # read now: the next request clears the log
        page_ms = median_ms(lambda label=label: get_pages(label), runs)
        results[label] = (selector_ms, page_ms, queries)
    client.logout()
    return results


def median_ms(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def verify(book, year: int) -> None:
    """The figures the reports showed tie to the journal, account by account."""
    from django.db.models import Sum

    from finance import selectors
    from finance.models import JournalLine

    as_of = datetime.date(year, 12, 31)
    report = selectors.trial_balance(book, as_of=as_of)
    journal = {
        row["account_id"]: row["d"] - row["c"]
        for row in JournalLine.objects.filter(book=book, entry_date__lte=as_of)
        .order_by()
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    }
    ties = all(row.debit - row.credit == journal.get(row.account.pk, 0) for row in report.rows)
    sheet = selectors.balance_sheet(book, selectors.Period.of("year", year))
    print(
        f"\ntrial balance {report.total_debit:,.0f} = {report.total_credit:,.0f}, every account "
        f"equal to its journal lines: {ties}; balance sheet balances: {sheet.balanced}"
    )


if __name__ == "__main__":
    sys.exit(main())
