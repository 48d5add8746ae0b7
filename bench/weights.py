"""Page weights in Chromium against a served demo (issue 13).

    .venv/bin/python bench/weights.py                      # gunicorn, production settings
    .venv/bin/python bench/weights.py --server runserver   # as `make run` serves
    .venv/bin/python bench/weights.py --db /tmp/ksm_weights.sqlite3 --only meeting

Loads the Batang demo once into a SQLite file (--db; `migrate`, `load_regions --province 33`,
`seed_demo`: several minutes, skipped when the file is there), and works on a copy of it, so a
run changes nothing it measures next time. KSM Guyub Rukun (bendahara01's) is topped up to 25
members on the copy. Static files are collected into a temp folder and the site is served on a
free local port with DEBUG off, the manifest static storage and GZipMiddleware, on plain HTTP
(the loopback has no TLS: no HTTPS redirect, no secure-only cookies, no HSTS header; Chromium
then asks for gzip, not brotli, so the figures are an upper bound for HTTPS).

Debian's Chromium (/usr/bin/chromium) at 360 x 740 logs in as each role through the login form
and opens every page of the role: the first load with the browser cache emptied, then the
repeat visit, each summed from the Chrome DevTools Protocol's encodedDataLength (bytes on the
wire, headers included). Then, with the network throttled to 400 ms latency and 400 kbps each
way (Network.emulateNetworkConditions), the treasurer opens the meeting sheet of 25 members and
sends it as prefilled: with an empty cache and again with a warm one. Target 5 s.
"""

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic"]
PASSWORD = "batang2016"
FIRST_LIMIT, RUN_LIMIT, REPEAT_LIMIT = 60 * 1024, 150 * 1024, 20 * 1024
SHEET_TARGET = 5.0
THROTTLE = {
    "offline": False,
    "latency": 400,  # ms
    "downloadThroughput": 400_000 / 8,  # bytes/s
    "uploadThroughput": 400_000 / 8,
}
PHONE = {"width": 360, "height": 740}
ROLES = {"staff": "staf", "facilitator": "pendamping1", "treasurer": "bendahara01"}
# Settings `make run` gives runserver (the Makefile's RUN_ENV), for gunicorn too.
RUN_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="/tmp/ksm_weights.sqlite3", help="demo SQLite file")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    parser.add_argument("--no-sheet", action="store_true", help="skip the throttled sheet")
    return parser.parse_args(argv)


def environment(db: Path, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        **RUN_ENV,
        "DJANGO_SETTINGS_MODULE": "ksm_portal.settings.base",
        "DATABASE_URL": f"sqlite:///{db}",
        "STATIC_ROOT": str(static_root),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def manage(env, *args):
    subprocess.run([str(PYTHON), str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def seed(db: Path, static_root: Path) -> None:
    if db.exists():
        return
    print(f"Loading the demo into {db} (several minutes, once)...", flush=True)
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = environment(partial, static_root)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_regions", "--province", "33")
    manage(env, "seed_demo")
    partial.rename(db)


def prepare(db: Path) -> dict:
    """On the run's copy: Guyub Rukun with 25 members; the pages of every role, by URL."""
    import django

    django.setup()
    import datetime

    from django.urls import reverse

    from finance.models import Loan, Meeting
    from groups.models import Cooperative, Membership, SelfHelpGroup
    from tests.groups.factories import MembershipFactory
    from training.models import TrainingEvent, Visit
    from villages.models import Bumdes

    ksm = SelfHelpGroup.objects.get(name="KSM Guyub Rukun")
    while Membership.objects.filter(group=ksm, left_date__isnull=True).count() < 25:
        MembershipFactory(group=ksm, joined_date=datetime.date(2017, 12, 1))
    book = ksm.book
    loan = Loan.objects.filter(book=book).order_by("pk").first()
    meeting = Meeting.objects.filter(book=book).order_by("-pk").first()
    visit = Visit.objects.filter(group=ksm).order_by("-pk").first()
    event = TrainingEvent.objects.order_by("-pk").first()
    bumdes = Bumdes.objects.filter(village=ksm.village).first()
    cooperative = Cooperative.objects.order_by("pk").first()
    b = [book.pk]
    pages = [
        ("login", reverse("login")),
        ("home", reverse("home")),
        ("dashboard", reverse("dashboard:dashboard")),
        ("overview", reverse("dashboard:overview")),
        ("activity", reverse("dashboard:activity")),
        ("regions", reverse("villages:regions")),
        ("ksm list", reverse("groups:list")),
        ("ksm detail", reverse("groups:detail", args=[ksm.pk])),
        ("member search", reverse("groups:member_search")),
        ("bumdes list", reverse("villages:bumdes_list")),
        ("bumdes detail", reverse("villages:bumdes_detail", args=[bumdes.pk])),
        ("cooperative list", reverse("groups:cooperative_list")),
        ("cooperative detail", reverse("groups:cooperative_detail", args=[cooperative.pk])),
        ("training list", reverse("training:event_list")),
        ("training detail", reverse("training:event_detail", args=[event.pk])),
        ("coverage", reverse("training:coverage")),
        ("grading", reverse("training:grading")),
        ("agenda", reverse("training:agenda")),
        ("visit list", reverse("training:visit_list")),
        ("visit detail", reverse("training:visit_detail", args=[visit.pk])),
        ("import", reverse("imports:start")),
        ("book", reverse("finance:book", args=b)),
        ("journal", reverse("finance:journal", args=b)),
        ("cash book", reverse("finance:cash_book", args=b)),
        ("trial balance", reverse("finance:trial_balance", args=b)),
        ("balance sheet", reverse("finance:balance_sheet", args=b)),
        ("income statement", reverse("finance:income_statement", args=b)),
        ("members' savings", reverse("finance:members", args=b)),
        ("loans", reverse("finance:loans", args=b)),
        ("portfolio", reverse("finance:portfolio", args=b)),
        ("loan card", reverse("finance:loan", args=[book.pk, loan.pk])),
        ("meetings", reverse("finance:meetings", args=b)),
        ("meeting", reverse("finance:meeting", args=[book.pk, meeting.pk])),
        ("meeting sheet", reverse("finance:meeting_sheet", args=b)),
        ("group health", reverse("finance:group_health_months", args=[ksm.pk])),
    ]
    return {"pages": pages, "sheet": reverse("finance:meeting_sheet", args=b)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(server: str, env: dict, port: int, log: Path) -> subprocess.Popen:
    if server == "gunicorn":
        command = [
            str(GUNICORN),
            "ksm_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ]
    else:
        command = [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with log.open("w") as output:  # the server's log lines (404s, 403s), out of the table's way
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{server} stopped") from None
            time.sleep(0.2)
    raise SystemExit(f"{server} did not answer on port {port}")


class Wire:
    """Bytes on the wire for the page's requests, from the DevTools Protocol."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes = 0
        self.requests = 0
        self.cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event):
        self.bytes += int(event["encodedDataLength"])
        self.requests += 1

    def reset(self):
        self.bytes = 0
        self.requests = 0


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def weigh_pages(browser, base: str, pages, only: str) -> list[tuple]:
    rows = []
    for role, username in {"anonymous": None, **ROLES}.items():
        # The service worker (offline entry) would answer the page's requests after the first
        # page, out of this page's DevTools session's sight: blocked, so each figure is the
        # page's own; what the worker costs once is weighed apart (weigh_worker).
        context = browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
        page = context.new_page()
        wire = Wire(page)
        if username:
            log_in(page, base, username)
        for label, url in pages:
            if only and only not in label:
                continue
            if (label == "login") != (username is None):
                continue
            wire.cdp.send("Network.clearBrowserCache")
            wire.reset()
            response = page.goto(base + url, wait_until="networkidle")
            refused = "/login/" in page.url and label != "login"  # out of the role's scope
            if response is None or response.status != 200 or refused:
                status = "login" if refused else response and response.status
                rows.append((role, label, url, None, None, status))
                continue
            first, requests = wire.bytes, wire.requests
            wire.reset()
            page.goto(base + url, wait_until="networkidle")
            rows.append((role, label, url, first, wire.bytes, requests))
        context.close()
    return rows


def time_sheet(browser, base: str, sheet: str) -> list[tuple]:
    """Open the meeting sheet of 25 and send it, throttled: cold cache, then warm."""
    import datetime

    results = []
    context = browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
    page = context.new_page()
    wire = Wire(page)
    log_in(page, base, ROLES["treasurer"])
    today = datetime.datetime.now().astimezone().date()
    for cache, day in (("empty cache", today - datetime.timedelta(days=1)), ("warm cache", today)):
        if cache == "empty cache":
            wire.cdp.send("Network.clearBrowserCache")
        wire.cdp.send("Network.emulateNetworkConditions", THROTTLE)
        wire.reset()
        started = time.monotonic()
        page.goto(f"{base}{sheet}?date={day:%Y-%m-%d}", wait_until="load")
        lines = page.locator(".meeting-line").count()
        opened = time.monotonic()
        with page.expect_navigation(wait_until="load"):
            page.locator("#record-meeting").click()
        done = time.monotonic()
        recorded = "/meetings/" in page.url and "sheet" not in page.url
        wire.cdp.send(
            "Network.emulateNetworkConditions",
            {**THROTTLE, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        results.append((cache, lines, opened - started, done - opened, wire.bytes, recorded))
    context.close()
    return results


def weigh_worker(base: str) -> list[tuple[str, int]]:
    """What the offline entry adds once per phone: the service worker and the manifest, as
    sent gzipped, with 400 bytes of headers each. It fetches nothing at install; a page with
    a form kept for offline use (the meeting sheet, the record forms, the visit form) is
    fetched once more when opened, to be kept."""
    import urllib.request

    found = []
    for path in ("/sw.js", "/manifest.webmanifest"):
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            found.append((path, len(response.read()) + 400))
    return found


def main(argv=None) -> int:
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    seeded = Path(args.db)
    with tempfile.TemporaryDirectory(prefix="ksm_weights_") as work:
        work = Path(work)
        static_root = work / "static"
        seed(seeded, static_root)
        db = work / "db.sqlite3"
        with sqlite3.connect(seeded) as source, sqlite3.connect(db) as copy:
            source.backup(copy)  # the write-ahead log's pages too
        env = environment(db, static_root)
        os.environ.update(env)
        manage(env, "collectstatic", "--no-input", "-v0")
        plan = prepare(db)
        port = free_port()
        server = serve(args.server, env, port, work / "server.log")
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                rows = weigh_pages(browser, base, plan["pages"], args.only)
                sheet = [] if args.no_sheet else time_sheet(browser, base, plan["sheet"])
                browser.close()
            worker = weigh_worker(base)
        finally:
            server.terminate()
            server.wait(timeout=20)
    limit = FIRST_LIMIT if args.server == "gunicorn" else RUN_LIMIT
    print(
        f"\nPage weights, {args.server}, KB on the wire (first load ≤ {limit // 1024}, "
        f"repeat ≤ {REPEAT_LIMIT // 1024})"
    )
    print(f"{'role':<12} {'page':<20} {'first':>7} {'repeat':>7} {'req':>4}  url")
    over = 0
    for role, label, url, first, repeat, requests in rows:
        if first is None:
            print(f"{role:<12} {label:<20} {'—':>7} {'—':>7} {'':>4}  {url} (answers {requests})")
            continue
        flag = ""
        if first > limit or repeat > REPEAT_LIMIT:
            flag, over = "  OVER", over + 1
        print(
            f"{role:<12} {label:<20} {first / 1024:>7.1f} {repeat / 1024:>7.1f} "
            f"{requests:>4}  {url}{flag}"
        )
    measured = [r for r in rows if r[3] is not None]
    if measured:
        heaviest = max(measured, key=lambda r: r[3])
        print(
            f"heaviest first load: {heaviest[3] / 1024:.1f} KB ({heaviest[0]}, {heaviest[1]}); "
            f"heaviest repeat: {max(r[4] for r in measured) / 1024:.1f} KB"
        )
    print(
        "installed once for offline entry: "
        + ", ".join(f"{path} {size / 1024:.1f} KB" for path, size in worker)
    )
    for cache, lines, open_s, submit_s, wire_bytes, recorded in sheet:
        total = open_s + submit_s
        print(
            f"meeting sheet, {lines} members, 400 ms / 400 kbps, {cache}: open {open_s:.2f} s "
            f"+ submit {submit_s:.2f} s = {total:.2f} s ({wire_bytes / 1024:.1f} KB)"
            f"{'' if recorded else ' NOT RECORDED'}{'  OVER' if total > SHEET_TARGET else ''}"
        )
        over += total > SHEET_TARGET or not recorded
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
