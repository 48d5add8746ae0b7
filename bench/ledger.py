"""Post the peer's year of entries to one book through the services, time the same four
questions the peer answers, and run the peer beside it.

    createdb -h 127.0.0.1 -U postgres ksm_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksm_bench
    .venv/bin/python manage.py migrate
    bash ../shared/bench/peer/setup.sh         # the peer's own venv (/tmp/peer/venv), once
    .venv/bin/python bench/ledger.py [--entries 20000] [--runs 20] [--posters 1,2,4]

The workload is the peer's (`../shared/bench/peer/workload.py`): the same --entries two-line
entries over --year, in the same order (by month, not by day): 60% cash received from business
income, 30% an expense paid in cash, 10% capital paid in (a grant received in cash), amounts
1.00-5,000.00, seed 42. Each is posted through the services the treasurer forms call, one
transaction per entry, into the books of a new throwaway KSM (village "Desa Bench Ledger",
99.99.99.2999, made on the first run) that open with Rp 10.000 of capital in cash (without it
the eleventh entry, a payment dated 4 January, would overdraw the box, which our books refuse
and the peer's do not). Then `ANALYZE` of the finance tables, as the peer does (no VACUUM), and
the medians of --runs timings of the trial balance at year end, the balance sheet with the
income statement for the year, and one month (June) of the cash book with its closing balance;
each as the selector and as the whole page through Django's test client (logged in as a staff
user `bench_ledger` it creates). Then --back-dated entries (default 200) dated on random earlier
days: ms per entry. Then --posters: 1, 2 and 4 processes posting --poster-entries each into
books of their own (each in a regency of its own) at the same time: entries/s in all.

When the peer's environment exists (--peer-venv, default /tmp/peer/venv) the peer's
`ledger_bench.py` runs in the same invocation on the same workload (its own database
`peer_ledger`) and every ratio is printed. With --book ID it posts only the back-dated entries,
into that existing book (e.g. the 200,000-line book of generate_scale). Nothing is deleted:
use a database of its own.
Targets on PostgreSQL (bench/README.md): posting >= 5x the peer, a back-dated entry <= 20 ms,
trial balance <= 10 ms, both statements <= 36 ms, one month of cash <= 7 ms.
"""

import argparse
import cProfile
import datetime
import json
import multiprocessing
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT.parent / "shared" / "bench" / "peer"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksm_portal.settings.test")

TARGETS = {
    "peer ratio": 5,
    "back-dated ms": 20,
    "trial balance": 10,
    "statements": 36,
    "cash month": 7,
}
# Our question -> the peer's medians that answer it (the month of cash is two calls there).
PEER_KEYS = {
    "trial balance": ("b_trial_balance",),
    "statements": ("c_bs_and_is",),
    "cash month": ("d_cash_month", "d2_cash_month_end"),
}
OPENING_CASH = Decimal("10000")
EXPENSE_CATEGORY = "expense_admin"  # the peer's "supplies expense": stationery and the like


def positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("harus bilangan bulat lebih dari nol")
    return value


def poster_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("contoh: 1,2,4") from None
    if any(count <= 0 for count in counts):
        raise argparse.ArgumentTypeError("jumlah pemosting harus lebih dari nol, contoh: 1,2,4")
    return counts


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=positive, default=20000, help="entries to post")
    parser.add_argument("--year", type=int, help="the workload's year (default: last year)")
    parser.add_argument("--seed", type=int, default=42, help="the workload's seed (the peer's)")
    parser.add_argument("--runs", type=positive, default=20, help="timed runs per report")
    parser.add_argument(
        "--back-dated", type=int, default=200, help="back-dated entries to post after the year"
    )
    parser.add_argument(
        "--book", type=int, help="post only the back-dated entries, into this existing book"
    )
    parser.add_argument(
        "--posters",
        type=poster_counts,
        default=[1, 2, 4],
        help="concurrent posters to measure, e.g. 1,2,4 (empty: none)",
    )
    parser.add_argument(
        "--poster-entries", type=positive, default=2000, help="entries each poster posts"
    )
    parser.add_argument("--peer-venv", default=os.environ.get("PEER_VENV", "/tmp/peer/venv"))
    parser.add_argument("--no-peer", action="store_true", help="do not run the peer")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="write even into a database that looks like production (ksm_portal/safety.py)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the first N postings with cProfile and print where the time goes",
    )
    args = parser.parse_args()
    if args.back_dated < 0:
        parser.error("--back-dated tidak boleh negatif")
    return args


def workload(count: int, year: int, seed: int) -> list[tuple]:
    """The peer's entries, in the peer's order: (date, kind, amount)."""
    if not (PEER_DIR / "workload.py").exists():
        sys.exit(f"The peer's workload is missing: {PEER_DIR / 'workload.py'}")
    sys.path.insert(0, str(PEER_DIR))
    from workload import entries

    return list(entries(count, year, seed))


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from ksm_portal.safety import refusal

    refused = None if args.yes else refusal("bench/ledger.py")
    if refused:
        print(refused, file=sys.stderr)
        return 2
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("The database is not migrated: run `manage.py migrate` first.")
        return 2
    if args.book is not None:
        from finance.models import Book

        book = Book.objects.get(pk=args.book)
        back_dated(book, args.back_dated, args.seed)
        return 0
    year = args.year or timezone.localdate().year - 1
    if year >= timezone.localdate().year:
        print("--year must be a past year (the peer's reports run at its end).")
        return 2
    plan = workload(args.entries, year, args.seed)
    book = make_book(year, "2999")
    print(
        f"{connection.vendor} ({connection.settings_dict['NAME']}): book {book.pk} of "
        f"{book.group.name}, the peer's {len(plan):,} entries over {year}, seed {args.seed}"
    )
    rate = post(book, plan, args.profile)
    print(f"posted {len(plan):,} entries: {rate:,.1f} entries/s")
    drain(len(plan), rate)
    if connection.vendor == "postgresql":
        analyze()
    timings = time_reports(book, year, args.runs)
    figures = verify(book, year)
    back_dated(book, args.back_dated, args.seed)
    concurrent = posters(args.posters, args.poster_entries, year, args.seed)
    peer = None if args.no_peer else run_peer(args, year)
    if peer:
        # The same workload again, into a new book, now that the peer has run: the machine is
        # shared and its speed drifts over the peer's minutes, so ours is the mean of a run
        # before the peer and one after it (as serve.py brackets its pages with the bare view).
        after = post(make_book(year, "2998"), plan, progress=False)
        print(f"posted the {len(plan):,} entries again after the peer: {after:,.1f} entries/s")
        rate = (rate + after) / 2
    report(rate, timings, figures, concurrent, peer, args.runs)
    return 0


def report(rate, timings, figures, concurrent, peer, runs) -> None:
    print(
        f"\nmedian of {runs} runs   selector ms   page ms   queries   target ms   peer ms   ratio"
    )
    for label, (selector_ms, page_ms, queries) in timings.items():
        peer_ms = sum(peer["median_ms"][key] for key in PEER_KEYS[label]) if peer else None
        ratio = f"{peer_ms / selector_ms:>6.1f}x" if peer else "     -"
        print(
            f"{label:<20} {selector_ms:>11.2f} {page_ms:>9.2f} {queries:>9} "
            f"{'<= ' + str(TARGETS[label]):>11} "
            f"{(f'{peer_ms:.2f}' if peer else '-'):>9} {ratio}"
        )
    print(
        f"\nposting, one transaction per entry: {rate:,.1f} entries/s"
        + (" (the mean of the runs before and after the peer)" if peer else "")
    )
    if peer:
        peer_rate = peer["a_entries_per_s"]
        print(
            f"peer (django-ledger {peer.get('django_ledger')}): {peer_rate:,.1f} entries/s, "
            f"{peer['a_queries_per_entry']} queries per entry; ratio {rate / peer_rate:.1f}x "
            f"(target >= {TARGETS['peer ratio']}x)"
        )
        same = all(
            Decimal(peer["figures"][key]) == figures[key]
            for key in figures
            if key in peer["figures"]
        )
        print(f"peer's figures equal ours (net income, cash at month end, total assets): {same}")
        if not all(peer["checks"].values()):
            print(f"the peer's own checks failed: {peer['checks']}")
    else:
        print("peer: not run (no --peer-venv, or --no-peer)")
    for count, total, each in concurrent:
        print(
            f"{count} concurrent poster{'s' if count > 1 else ''}: {total:,.1f} entries/s in all"
            f" ({', '.join(f'{rate:,.0f}' for rate in each)} each)"
        )


def run_peer(args, year: int) -> dict | None:
    """The peer's benchmark in its own venv, on the same workload; its JSON line."""
    python = Path(args.peer_venv) / "bin" / "python"
    script = PEER_DIR / "ledger_bench.py"
    if not python.exists() or not script.exists():
        print(f"\npeer: {python} or {script} is missing (bash {PEER_DIR / 'setup.sh'})")
        return None
    from django.db import connection

    settings = connection.settings_dict
    command = [
        str(python), str(script), "--n", str(args.entries), "--year", str(year),
        "--seed", str(args.seed), "--reps", str(args.runs), "--db", "peer_ledger",
        "--host", settings["HOST"] or "127.0.0.1", "--port", str(settings["PORT"] or 5432),
        "--user", settings["USER"] or "postgres",
    ]  # fmt: skip
    print(f"\npeer: {' '.join(command)}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"peer failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return None
    print(f"peer done in {time.perf_counter() - started:.0f} s")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_book(year: int, place: str):
    """A new KSM with open books and Rp 10.000 of capital in its cash box, in the village
    `place` of the benchmark's own regions (each concurrent poster has a regency of its own, so
    their region rollups are different rows, as they are for KSM in different regions)."""
    from django.utils import timezone

    from finance.services import book_open, cash_receive
    from groups.models import SelfHelpGroup
    from villages.models import District, Province, Regency, Village

    regency_code = "99.99" if place == "2999" else f"99.{place[-2:]}"
    province, _ = Province.objects.get_or_create(code="99", defaults={"name": "Bench"})
    regency, _ = Regency.objects.get_or_create(
        code=regency_code, defaults={"province": province, "name": f"Bench {regency_code}"}
    )
    district, _ = District.objects.get_or_create(
        code=f"{regency_code}.99", defaults={"regency": regency, "name": "Bench"}
    )
    village, _ = Village.objects.get_or_create(
        code=f"{regency_code}.99.{place}",
        defaults={"district": district, "name": f"Desa Bench Ledger {place}"},
    )
    stamp = f"{timezone.now():%Y%m%d%H%M%S%f}-{os.getpid()}"
    group = SelfHelpGroup.objects.create(
        village=village,
        name=f"KSM Bench {stamp}",
        registration_number=f"BENCH/{stamp}",
        origin=SelfHelpGroup.Origin.NEW,
        formed_date=datetime.date(year, 1, 1),
    )
    book = book_open(owner=group, opening_date=datetime.date(year, 1, 1))
    cash_receive(
        book=book,
        source="grant",
        amount=OPENING_CASH,
        entry_date=datetime.date(year, 1, 1),
        description="Modal awal",
    )
    return book


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

    day, kind, amount = entry
    if kind == "expense":
        cash_pay(
            book=book, category=EXPENSE_CATEGORY, amount=amount, entry_date=day,
            description="Belanja",
        )  # fmt: skip
    else:
        cash_receive(
            book=book,
            source="grant" if kind == "equity" else "income_business",
            amount=amount,
            entry_date=day,
            description="Modal disetor" if kind == "equity" else "Penjualan",
        )


def post(book, plan, profile_count: int = 0, progress: bool = True) -> float:
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
        if progress and index % 5000 == 0:
            elapsed = time.perf_counter() - started
            print(f"  {index:,} entries, {index / elapsed:,.0f}/s", flush=True)
    return len(plan) / (time.perf_counter() - started)


def drain(entries: int, rate: float) -> None:
    """The regions' share of the postings, which `rollups --drain` adds each minute: timed, so
    that what the postings leave to it is seen too."""
    from dashboard.services.rollups import rollups_drain

    started = time.perf_counter()
    count = rollups_drain()
    seconds = time.perf_counter() - started
    print(
        f"drained {count:,} queued region changes into the regions in {seconds:.2f} s; "
        f"postings and drain together: {entries / (entries / rate + seconds):,.1f} entries/s"
    )


def analyze() -> None:
    """What the peer does before its reports (and autovacuum's analyze soon after a burst)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE finance_accountmonth, finance_accountday, finance_bookyear,"
            " finance_book, finance_journalentry, finance_journalline"
        )
    print(f"ANALYZE of the finance tables: {time.perf_counter() - started:.1f} s")


def _poster(index: int, plan, year: int, ready, start, results) -> None:
    """One concurrent poster (a forked process): its own connection and its own book."""
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    book = make_book(year, f"{2900 + index}")
    ready.wait()
    start.wait()
    results.put(post(book, plan, progress=False))
    connections.close_all()


def posters(counts: list[int], per_poster: int, year: int, seed: int) -> list[tuple]:
    """For each count, that many processes post `per_poster` of the peer's entries at once,
    each into a new book of its own: (count, entries/s in all, each poster's entries/s)."""
    from django.db import connection, connections

    if not counts or connection.vendor != "postgresql":
        return []
    plan = workload(per_poster, year, seed)
    context = multiprocessing.get_context("fork")
    measured = []
    for count in counts:
        connections.close_all()
        ready, start = context.Barrier(count + 1), context.Barrier(count + 1)
        results = context.Queue()
        processes = [
            context.Process(target=_poster, args=(index, plan, year, ready, start, results))
            for index in range(count)
        ]
        for process in processes:
            process.start()
        ready.wait()  # every poster has its book: start the clock together
        started = time.perf_counter()
        start.wait()
        each = [results.get() for _ in processes]
        elapsed = time.perf_counter() - started
        for process in processes:
            process.join()
            if process.exitcode != 0:
                sys.exit(f"a concurrent poster failed (exit {process.exitcode})")
        measured.append((count, count * per_poster / elapsed, each))
        print(f"  {count} poster(s): {count * per_poster / elapsed:,.1f} entries/s", flush=True)
    return measured


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


def verify(book, year: int) -> dict:
    """The figures the reports showed tie to the journal, account by account; the figures the
    peer prints, less the opening capital (the peer's books start empty)."""
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
    income = selectors.income_statement(book, selectors.Period.of("year", year))
    cash = selectors.cash_account(book)
    june = selectors.ledger(
        cash, date_from=datetime.date(year, 6, 1), date_to=datetime.date(year, 6, 30)
    )
    print(
        f"\ntrial balance {report.total_debit:,.2f} = {report.total_credit:,.2f}, every account "
        f"equal to its journal lines: {ties}; balance sheet balances: {sheet.balanced}"
    )
    return {
        "net_income": income.surplus[0],
        "cash_month_end": june.closing - OPENING_CASH,
        "total_assets": sheet.assets.current - OPENING_CASH,
    }


if __name__ == "__main__":
    sys.exit(main())
