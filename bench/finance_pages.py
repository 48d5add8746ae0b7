"""What one request of a finance page costs in Django: the cash book, the trial balance and the
meeting sheet (its page, and a sheet sent back with mistakes, which shows every member's line
with its errors and records nothing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksm_demo .venv/bin/python bench/finance_pages.py
    ... bench/finance_pages.py --profile 25   # and the 25 costliest functions of each page

Production-like: DEBUG off, the cached template loader, one database connection kept open (the
test client, as bench/pages.py). Each page is requested as the treasurer of the KSM with the most
active members (in the Batang demo, `seed_demo`, about 25), after two warm-up requests; it
prints the median and the 95th percentile over --runs requests, the median CPU time of this
process per request (Django's own work, which a busy machine disturbs less than the wall clock),
and the SQL queries of one request with their time. The database is only read (apart from the
login session).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksm_portal.settings.test")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print N functions")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    target = pick_book()
    if target is None:
        print("No KSM book with a treasurer and members: run `manage.py seed_demo` first.")
        return 2
    book, user, members = target
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    first, last = ledger_range(book)
    sheet_url = reverse("finance:meeting_sheet", args=[book.pk])
    token_url = client.get(sheet_url)["Location"]  # the sheet's address with its token
    pages = [
        (
            "Cash book, whole range, page 1",
            "get",
            reverse("finance:cash_book", args=[book.pk]),
            {"date_from": first.isoformat(), "date_to": last.isoformat()},
        ),
        ("Trial balance", "get", reverse("finance:trial_balance", args=[book.pk]), {}),
        ("Meeting sheet", "get", token_url, {}),
        ("Meeting sheet sent with mistakes", "post", sheet_url, bad_sheet(client, token_url)),
    ]
    print(
        f"{book} (book {book.pk}, {members} active members) in {connection.vendor} "
        f"({connection.settings_dict['NAME']}), as {user.username}; {args.runs} runs per page"
    )
    print(
        f"{'page':<36} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7} {'SQL ms':>7} "
        f"{'bytes':>7}"
    )
    for label, method, url, data in pages:
        request = getattr(client, method)
        for _ in range(2):
            response = request(url, data)
        if response.status_code != 200:
            print(f"{label:<36} status {response.status_code}")
            continue
        times, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            request(url, data)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = request(url, data)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(
            f"{label:<36} {statistics.median(times):7.1f} {p95:7.1f} "
            f"{statistics.median(cpu):7.1f} {len(queries.captured_queries):7d} {sql_ms:7.1f} "
            f"{len(response.content):7,}"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(10):
                request(url, data)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(out.getvalue())
    client.logout()
    return 0


def pick_book():
    """The KSM book whose group has the most active members, with its treasurer's login."""
    from django.db.models import Count, Q

    from finance.models import Book
    from groups.models import Membership

    books = (
        Book.objects.filter(group__isnull=False)
        .annotate(active=Count("group__memberships", filter=Q(group__memberships__left_date=None)))
        .order_by("-active", "pk")
    )
    for book in books[:20]:
        treasurer = (
            Membership.objects.active()
            .filter(group_id=book.group_id, role="treasurer", member__user__isnull=False)
            .select_related("member__user")
            .first()
        )
        if treasurer is not None and treasurer.member.user.is_active:
            return book, treasurer.member.user, book.active
    return None


def ledger_range(book):
    from django.db.models import Max, Min

    found = book.entries.aggregate(first=Min("entry_date"), last=Max("entry_date"))
    return found["first"] or book.opening_date, found["last"] or book.opening_date


def bad_sheet(client, token_url):
    """The sheet as the page gives it, with every member's wajib unreadable: nothing records,
    and every line comes back with its error."""
    import re

    html = client.get(token_url).content.decode()
    form = html[html.index('id="meeting-sheet"') :]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        data[name[1]] = value[1] if value else ("on" if 'type="checkbox"' in tag else "")
    for name in data:
        if name.endswith("-mandatory"):
            data[name] = "dua puluh"
    return data


if __name__ == "__main__":
    sys.exit(main())
