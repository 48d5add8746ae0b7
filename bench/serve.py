"""Served pages beside a bare Django view, in the same run (issue 12).

    .venv/bin/python bench/serve.py                 # ksm_bench_serve, 10 s per page
    .venv/bin/python bench/serve.py --db ksm_h3_serve --duration 5

Makes (or reuses) a PostgreSQL database with the Batang demo (`load_regions --province 33`,
`seed_demo`; skipped when the demo is already there), collects the static files into a temp
folder, and serves production settings (`ksm_portal.settings.base`, DEBUG off, the manifest
static storage, HTTPS redirect on) with gunicorn, 2 sync workers, like the peer. Each page is
loaded with wrk (-t2 -c16, bounded by --duration) as the user the page is for, by a session
made for them, with `X-Forwarded-Proto: https`, after checking it answers 200 with the page
itself (not the login page). `../shared/bench/peer/hello_limit.sh` (MW=default: a trivial view
behind startproject's middleware, gunicorn 2 workers) runs before and after our pages; the ratio
is to the mean of those two runs. The machine is shared: compare ratios, not requests/s.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_SCRIPT = ROOT.parent / "shared" / "bench" / "peer" / "hello_limit.sh"
PEER_VENV = Path("/tmp/peer/venv")
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
TARGET_RATIO = 0.1
DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"Argumen tidak valid: {message}\n")


def duration(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        message = f"durasi harus bilangan bulat detik, bukan {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not 1 <= seconds <= 120:
        raise argparse.ArgumentTypeError(f"durasi harus 1 sampai 120 detik, bukan {seconds}")
    return seconds


def db_name(value: str) -> str:
    if not DB_NAME.match(value):
        raise argparse.ArgumentTypeError(
            f"nama basis data {value!r} tidak valid: huruf kecil, angka dan garis bawah saja"
        )
    return value


def parse_args(argv=None):
    parser = Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=db_name, default="ksm_bench_serve", help="PostgreSQL database")
    parser.add_argument("--duration", type=duration, default=10, help="seconds of load per page")
    parser.add_argument("--no-peer", action="store_true", help="skip the bare view (no ratio)")
    parser.add_argument("--only", default="", help="only pages whose label contains this text")
    return parser.parse_args(argv)


@dataclass
class Page:
    label: str
    url: str
    user: str  # username the session is for
    cookie: str = ""
    rps: float | None = None
    p50: str = ""
    p99: str = ""
    problem: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(db: str, static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ksm_portal.settings.base",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
        SECRET_KEY="bench-serve-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(db: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{db}"')
            print(f"Basis data {db} dibuat.")
    conn.close()


def prepare(env) -> None:
    manage(env, "migrate", "--verbosity", "0")
    import django

    django.setup()
    from groups.models import SelfHelpGroup

    if SelfHelpGroup.objects.exists():
        print("The Batang demo is already loaded: not loading it again.")
        return
    manage(env, "load_regions", "--province", "33")
    manage(env, "seed_demo")


def plan_pages() -> list[Page]:
    from django.urls import reverse

    from groups.models import SelfHelpGroup

    group = SelfHelpGroup.objects.select_related("book").get(name="KSM Guyub Rukun")
    book = group.book.pk
    return [
        Page("KSM list", reverse("groups:list"), "staf"),
        Page("KSM page", reverse("groups:detail", args=[group.pk]), "staf"),
        Page("Cash book", reverse("finance:cash_book", args=[book]), "staf"),
        Page("Trial balance", reverse("finance:trial_balance", args=[book]), "staf"),
        # The sheet is the treasurer's (staff reach it too, but it is made for the treasurer).
        Page("Meeting sheet", reverse("finance:meeting_sheet", args=[book]), "bendahara01"),
        Page("Dashboard", reverse("dashboard:dashboard"), "staf"),
    ]


def make_sessions(pages: list[Page]) -> None:
    """A logged-in session per user, made the way a login makes it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {}
    for page in pages:
        if page.user not in cookies:
            client = Client()
            client.force_login(get_user_model().objects.get(username=page.user))
            cookies[page.user] = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.cookie = cookies[page.user]


def headers(page: Page) -> dict:
    return {"Cookie": f"sessionid={page.cookie}", "X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(base: str, page: Page) -> str:
    """'' when the page answers 200 with the page itself, else what is wrong."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + page.url, headers=headers(page))
    try:
        with opener.open(request, timeout=30) as response:
            body = response.read().decode()
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        if error.code == 302 and location.split("?")[0] == page.url and "?" in location:
            # The meeting sheet adds its form token to its own address: load that.
            page.url = location
            return check(base, page)
        return f"HTTP {error.code} {error.headers.get('Location', '')}".strip()
    if 'name="password"' in body or "<main" not in body or len(body) < 2000:
        return "not the page (login form or empty)"
    return ""


def run_wrk(url: str, page: Page, seconds: int) -> dict:
    args = [WRK, "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for name, value in headers(page).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    result = {"rps": None, "p50": "", "p99": "", "non2xx": 0}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif parts[:1] == ["50%"]:
            result["p50"] = parts[1]
        elif parts[:1] == ["99%"]:
            result["p99"] = parts[1]
        elif "Non-2xx" in line:
            result["non2xx"] = int(parts[-1])
    return result


def peer(seconds: int) -> dict | None:
    if not PEER_SCRIPT.exists() or not (PEER_VENV / "bin" / "gunicorn").exists():
        print(f"No peer environment ({PEER_SCRIPT}, {PEER_VENV}): no ratio.", file=sys.stderr)
        return None
    env = dict(os.environ, MW="default", PORT=str(free_port()), DURATION=str(seconds))
    env.update(VENV=str(PEER_VENV), CONNS="16", THREADS="2")
    run = subprocess.run(
        ["bash", str(PEER_SCRIPT)], env=env, capture_output=True, text=True, timeout=seconds + 120
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode or not lines:
        print(f"The bare view did not run: {run.stderr[-500:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def start_server(env, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            *(str(GUNICORN), "ksm_portal.wsgi:application", "-w", "2", "--no-control-socket"),
            *("-b", f"127.0.0.1:{port}", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped while starting") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 20 s")


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    static_root = tempfile.mkdtemp(prefix="ksm_serve_static_")
    env = server_env(args.db, static_root)
    os.environ.update(env)
    try:
        ensure_database(args.db)
        prepare(env)
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        pages = [page for page in plan_pages() if args.only.lower() in page.label.lower()]
        if not pages:
            print(f"Tidak ada halaman yang cocok dengan --only {args.only!r}.", file=sys.stderr)
            return 2
        make_sessions(pages)
        return measure(env, pages, args)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def measure(env, pages: list[Page], args) -> int:
    bare = [] if args.no_peer else [peer(args.duration)]
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for page in pages:
            page.problem = check(base, page)
            if page.problem:
                continue
            run_wrk(base + page.url, page, 2)  # warm-up: both workers load templates and code
            result = run_wrk(base + page.url, page, args.duration)
            page.rps, page.p50, page.p99 = result["rps"], result["p50"], result["p99"]
            if result["non2xx"]:
                page.problem = f"{result['non2xx']} non-2xx answers"
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not args.no_peer:
        bare.append(peer(args.duration))
    bare_rps = [run["rps"] for run in bare if run]
    reference = sum(bare_rps) / len(bare_rps) if bare_rps else None
    print_table(pages, bare, reference, args.duration)
    below = [p for p in pages if p.problem or (reference and (p.rps or 0) / reference < 0.1)]
    return 1 if below else 0


def print_table(pages, bare, reference, seconds) -> None:
    print(f"\ngunicorn 2 sync workers, wrk -t2 -c16 -d{seconds}s, {os.cpu_count()} CPUs")
    if bare:
        runs = ", ".join(f"{run['rps']:,.0f}" if run else "failed" for run in bare)
        print(f"bare Django view (hello_limit.sh MW=default), before and after: {runs} requests/s")
    header = f"{'page':<15} {'user':<12} {'requests/s':>10} {'ratio':>7} {'p50':>9} {'p99':>9}"
    print(header)
    print("-" * len(header))
    for page in pages:
        if page.problem:
            print(f"{page.label:<15} {page.user:<12} {page.problem}")
            continue
        ratio = f"{page.rps / reference:.3f}" if reference else "-"
        mark = "" if not reference or page.rps / reference >= TARGET_RATIO else "  < 0.1"
        print(
            f"{page.label:<15} {page.user:<12} {page.rps:>10,.1f} {ratio:>7} "
            f"{page.p50:>9} {page.p99:>9}{mark}"
        )


if __name__ == "__main__":
    sys.exit(main())
