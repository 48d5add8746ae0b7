"""Fault soak (issue 14): the treasurer forms posted through gunicorn while its workers are
killed, and the books checked afterwards.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksm_soak
    .venv/bin/python bench/soak.py [--seconds 60] [--books 3] [--posters 4] [--withdrawers 2]

PostgreSQL only (DATABASE_URL must be postgres://...; SQLite is refused: one writer at a time
is not what this tests). The database is migrated, then a fresh small data set is made through
the services, in the bench villages (code 99.97.01.*, so ksm_portal/safety.py lets it write,
and a database holding real KSM is refused unless --yes): --books KSM, each with --members
members (chair, secretary, treasurer with a login of their own), open books with a grant in
cash and every member's first voluntary savings. Each run makes new KSM: the checks look at
this run's books only (verify_books at all of them).

gunicorn then serves production settings (`ksm_portal.settings.base`, DEBUG off, the manifest
static storage collected into a temp folder) with 3 sync workers. Threads, each logged in as
one book's treasurer (a session cookie made by force_login, CSRF from the form's cookie),
post the treasurer's forms for --seconds: posters send cash-in and savings deposits,
withdrawers voluntary-savings withdrawals (some more than the member holds, which the books
must refuse). Every post first GETs its form and takes the one-time token from it. Meanwhile
a random worker (a child of the gunicorn master) gets SIGKILL every --kill-every seconds. A
post whose answer was lost (connection reset, timeout, a 5xx) is sent again with the SAME
token and fields until it gets an answer (at most --answer-within seconds): the token makes
the retry find the entry the first one posted instead of posting again.

At the end it checks, and prints:
- every acknowledged post (a redirect to its entry) is in the books exactly once, under its
  token, with the kind and amount sent, and is the entry the redirect named;
- no refused post left an entry, and every post got an answer;
- entry numbers run 1..N without a gap per book and year;
- no member's savings and no cash box is below zero (summed from the journal lines);
- `manage.py verify_books` is clean.
The exit code is 1 on any violation, 2 when it cannot run.
"""

import argparse
import html.parser
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WORKERS = 3
VILLAGE_PREFIX = "99.97.01"  # the bench villages (ksm_portal/safety.py BENCH_VILLAGE_PREFIX)
OPENING_CASH = Decimal("1000000")
FIRST_VOLUNTARY = Decimal("50000")
HTTP_TIMEOUT = 20  # seconds a request may take before its answer counts as lost


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"Argumen tidak valid: {message}\n")


def bounded(low: float, high: float, kind=int):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"harus angka, bukan {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"harus {low} sampai {high}, bukan {text}")
        return value

    return parse


def parse_args(argv=None):
    parser = Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=bounded(5, 3600), default=60, help="how long to post (default 60)"
    )
    parser.add_argument("--books", type=bounded(1, 20), default=3, help="KSM books to post to")
    parser.add_argument("--members", type=bounded(3, 30), default=6, help="members per KSM")
    parser.add_argument("--posters", type=bounded(1, 32), default=4, help="cash-in/deposit threads")
    parser.add_argument("--withdrawers", type=bounded(0, 32), default=2, help="withdrawal threads")
    parser.add_argument(
        "--kill-every",
        type=bounded(0.5, 60, float),
        default=3.0,
        help="seconds between worker kills (default 3)",
    )
    parser.add_argument(
        "--answer-within",
        type=bounded(10, 600),
        default=90,
        help="seconds a post may take, retries included, before it counts as unanswered",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="write even into a database that looks like production (ksm_portal/safety.py)",
    )
    return parser.parse_args(argv)


# --- Setting up ------------------------------------------------------------------------------


def database_url_or_exit() -> str:
    url = os.environ.get("DATABASE_URL", "")
    scheme = urllib.parse.urlsplit(url).scheme
    if not url:
        sys.exit(
            "bench/soak.py needs PostgreSQL: set DATABASE_URL=postgres://user@host:port/name "
            "(a throwaway database; it is migrated and written to)."
        )
    if scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        sys.exit(
            f"bench/soak.py runs on PostgreSQL only, not {scheme or url!r}: SQLite lets one "
            "writer in at a time, so concurrent posters and killed workers test nothing there. "
            "Set DATABASE_URL=postgres://..."
        )
    return url


def server_env(url: str, static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ksm_portal.settings.base",
        DATABASE_URL=url,
        SECRET_KEY="bench-soak-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def manage(env, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=check, timeout=900
    )


@dataclass
class SoakBook:
    pk: int
    name: str
    treasurer: str  # username
    members: list[int]  # member ids
    cookie: str = ""


def make_data(books: int, members: int, rng: random.Random) -> list[SoakBook]:
    """New KSM with members, a treasurer login, open books, cash and first savings, all
    written by the services."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from finance.services import book_open, cash_receive, savings_deposit
    from groups.models import Member, Membership, SelfHelpGroup
    from groups.services import member_update
    from villages.models import District, Province, Regency, Village

    today = timezone.localdate()
    formed = datetime.date(today.year - 1, 1, 1)
    province, _ = Province.objects.get_or_create(code="99", defaults={"name": "Bench"})
    regency, _ = Regency.objects.get_or_create(
        code="99.97", defaults={"province": province, "name": "Bench Soak"}
    )
    district, _ = District.objects.get_or_create(
        code=VILLAGE_PREFIX, defaults={"regency": regency, "name": "Bench Soak"}
    )
    village, _ = Village.objects.get_or_create(
        code=f"{VILLAGE_PREFIX}.2001", defaults={"district": district, "name": "Desa Bench Soak"}
    )
    stamp = f"{timezone.now():%Y%m%d%H%M%S}{os.getpid() % 1000:03d}"
    serial = Member.objects.filter(nik__startswith="919797").count()
    made = []
    for b in range(books):
        group = SelfHelpGroup.objects.create(
            village=village,
            name=f"KSM Soak {stamp}-{b + 1}",
            registration_number=f"SOAK/{stamp}/{b + 1}",
            origin=SelfHelpGroup.Origin.NEW,
            formed_date=formed,
        )
        people = []
        for n in range(members):
            sex = Member.Sex.FEMALE if n % 2 else Member.Sex.MALE
            birth = datetime.date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
            while True:
                serial += 1
                day = birth.day + (40 if sex == "F" else 0)
                nik = f"919797{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial % 9999:04d}"
                if not Member.objects.filter(nik=nik).exists():
                    break
            people.append(
                Member.objects.create(
                    village=village,
                    full_name=f"Anggota Soak {b + 1}-{n + 1}",
                    sex=sex,
                    birth_date=birth,
                    nik=nik,
                    family_card_number=f"9197{rng.randrange(10**12):012d}",
                    address="RT 01 RW 01",
                )
            )
        roles = [Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER]
        for n, member in enumerate(people):
            Membership.objects.create(
                group=group,
                member=member,
                role=roles[n] if n < len(roles) else Membership.Role.MEMBER,
                joined_date=formed,
            )
        username = f"soak_bendahara_{stamp}_{b + 1}"
        user = get_user_model().objects.create_user(username=username, password=None)
        member_update(actor=None, member=people[2], user=user)
        book = book_open(owner=group, opening_date=formed)
        cash_receive(
            book=book, source="grant", amount=OPENING_CASH, entry_date=today, description="Hibah"
        )
        for member in people:
            savings_deposit(
                book=book,
                member=member,
                savings_type="savings_voluntary",
                amount=FIRST_VOLUNTARY,
                entry_date=today,
            )
        made.append(SoakBook(book.pk, group.name, username, [m.pk for m in people]))
    return made


def make_sessions(books: list[SoakBook]) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    for book in books:
        client = Client()
        client.force_login(get_user_model().objects.get(username=book.treasurer))
        book.cookie = client.cookies[settings.SESSION_COOKIE_NAME].value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            *(str(GUNICORN), "ksm_portal.wsgi:application", "-w", str(WORKERS)),
            *("--no-control-socket", "-b", f"127.0.0.1:{port}", "--timeout", "30"),
            *("--graceful-timeout", "5", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(workers_of(server.pid)) == WORKERS:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting (see its log above)")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz with 3 workers within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def workers_of(master: int) -> list[int]:
    """The pids whose parent is the gunicorn master (read from /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(entry))
    return children


# --- The clients -----------------------------------------------------------------------------


class Lost(Exception):
    """The request's answer did not come back (the worker died, a reset, a timeout, a 5xx)."""


class FormReader(html.parser.HTMLParser):
    """The hidden fields, radio values and select options of a record form page."""

    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = defaultdict(list)
        self.options: dict[str, list[str]] = defaultdict(list)
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and attrs.get("type") == "radio" and attrs.get("name"):
            self.radios[attrs["name"]].append(attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and attrs.get("value"):
            self.options[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@dataclass
class Post:
    book: int
    form: str  # cash-in, deposit, withdrawal
    token: str  # the signed one-time token from the form
    amount: Decimal
    fields: dict
    attempts: int = 0
    answer: str = ""  # "posted" (a redirect to its entry), "refused" (the form again), ""
    entry_pk: int | None = None
    detail: str = ""
    sent_at: float = 0.0  # wall-clock time the answered attempt was sent


@dataclass
class Tally:
    posts: list[Post] = field(default_factory=list)
    lost: int = 0  # answers lost (each then retried)
    errors: list[str] = field(default_factory=list)  # a client thread stopped by a surprise
    posting: int = 0  # POSTs sent and not answered yet
    found_again: int = 0  # retries that found the entry their lost attempt had posted
    get_lost: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int, book: SoakBook):
        self.port = port
        self.book = book
        self.csrf = ""

    def request(self, method: str, path: str, body: str | None = None):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": f"sessionid={self.book.cookie}"
            + (f"; csrftoken={self.csrf}" if self.csrf else ""),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            raise Lost(f"{type(error).__name__}: {error}") from None
        finally:
            conn.close()
        if response.status >= 500:
            raise Lost(f"HTTP {response.status}")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "csrftoken":
                self.csrf = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def form(self, slug: str) -> FormReader:
        """The record form's page, through the redirect that puts its token in the address."""
        path = f"/books/{self.book.pk}/record/{slug}/"
        for _hop in range(3):
            status, location, text = self.request("GET", path)
            if status == 302 and location:
                path = location
                continue
            if status != 200:
                raise RuntimeError(f"GET {path}: HTTP {status} {location}")
            reader = FormReader()
            reader.feed(text)
            if "token" not in reader.hidden or "csrfmiddlewaretoken" not in reader.hidden:
                raise RuntimeError(f"GET {path}: no token or CSRF field in the page")
            return reader
        raise RuntimeError(f"GET {path}: too many redirects")


def get_form(client: Client, slug: str, tally: Tally, until: float) -> FormReader | None:
    while time.monotonic() < until:
        try:
            return client.form(slug)
        except Lost:
            with tally.lock:
                tally.get_lost += 1
            time.sleep(0.2)
    return None


def send(client: Client, post: Post, tally: Tally, answer_within: float) -> None:
    """POST until an answer comes back, always with the same token and fields."""
    path = f"/books/{post.book}/record/{post.form}/"
    entry_prefix = f"/books/{post.book}/entries/"
    give_up = time.monotonic() + answer_within
    while True:
        post.attempts += 1
        body = urllib.parse.urlencode(
            {**post.fields, "token": post.token, "csrfmiddlewaretoken": client.csrf}
        )
        post.sent_at = time.time()
        with tally.lock:
            tally.posting += 1
        try:
            status, location, page = client.request("POST", path, body)
        except Lost as error:
            with tally.lock:
                tally.lost += 1
            post.detail = str(error)
            if time.monotonic() > give_up:
                return
            time.sleep(0.1)
            continue
        finally:
            with tally.lock:
                tally.posting -= 1
        location_path = urllib.parse.urlsplit(location).path
        if status == 302 and location_path.startswith(entry_prefix):
            post.answer = "posted"
            post.entry_pk = int(location_path[len(entry_prefix) :].strip("/").split("/")[0])
        elif status == 200:
            post.answer = "refused"
            post.detail = refusal_text(page)
        else:
            post.answer = f"HTTP {status} {location}"
        return


def refusal_text(page: str) -> str:
    """What the form said was wrong (its error messages), for the report."""
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>(.*?)</', page, re.S
    )
    return " / ".join(" ".join(re.sub(r"<[^>]+>", "", text).split()) for text in found)[:300]


def worker_loop(kind: str, port: int, book: SoakBook, stop: float, tally: Tally, **kw) -> None:
    try:
        client_loop(kind, port, book, stop, tally, **kw)
    except Exception as error:  # reported as a violation, not lost in a thread's traceback
        with tally.lock:
            tally.errors.append(f"{kind} on book {book.pk}: {type(error).__name__}: {error}")


def client_loop(
    kind: str, port: int, book: SoakBook, stop: float, tally: Tally, rng, answer_within, today
) -> None:
    client = Client(port, book)
    while time.monotonic() < stop:
        if kind == "withdrawer":
            slug = "withdrawal"
        else:
            slug = rng.choice(["cash-in", "deposit", "deposit"])
        reader = get_form(client, slug, tally, stop + 30)
        if reader is None:
            return
        amount = Decimal(rng.randrange(1, 8) * 5000)
        fields = {"entry_date": today, "amount": str(amount), "description": "", "receipt_ref": ""}
        if slug == "cash-in":
            fields.update(source=rng.choice(reader.radios["source"]), description="Penjualan")
        elif slug == "deposit":
            kinds = [k for k in reader.radios["savings_type"] if k != "savings_principal"]
            fields.update(
                member=rng.choice(reader.options["member"]), savings_type=rng.choice(kinds)
            )
        else:
            fields.update(member=rng.choice(reader.options["member"]))
        post = Post(book.pk, slug, reader.hidden["token"], amount, fields)
        send(client, post, tally, answer_within)
        with tally.lock:
            tally.posts.append(post)


def killer_loop(server: subprocess.Popen, every: float, stop: float, rng, killed, tally) -> None:
    """SIGKILL a random worker every ~`every` s, at a moment a POST is on its way when one
    comes within a second (so answers do get lost, not only page loads)."""
    while time.monotonic() + every < stop:
        time.sleep(every * rng.uniform(0.5, 1.5))
        wait_until = time.monotonic() + 1
        while tally.posting == 0 and time.monotonic() < wait_until:
            time.sleep(0.005)
        pids = workers_of(server.pid)
        if pids:
            pid = rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass


# --- The checks ------------------------------------------------------------------------------


EXPECTED_KIND = {
    "cash-in": "cash_in",
    "deposit": "savings_deposit",
    "withdrawal": "savings_withdrawal",
}


def check(books: list[SoakBook], tally: Tally, env) -> list[str]:
    from django.db.models import Sum

    from finance import tokens
    from finance.models import Book, JournalEntry, JournalLine

    problems = []
    by_pk = {book.pk: Book.objects.get(pk=book.pk) for book in books}
    keys = {}
    for post in tally.posts:
        keys[post.token] = tokens.token_key(by_pk[post.book], post.token)
    entries = defaultdict(list)
    for entry in JournalEntry.objects.filter(book__in=by_pk, token__in=keys.values()):
        entries[entry.token].append(entry)
    amounts = {
        row["entry_id"]: row["total"]
        for row in JournalLine.objects.filter(entry__book__in=by_pk)
        .values("entry_id")
        .annotate(total=Sum("debit"))
    }
    for post in tally.posts:
        found = entries.get(keys[post.token], [])
        label = (
            f"{post.form} of Rp {post.amount} in book {post.book} (token …{keys[post.token][-8:]})"
        )
        if post.answer == "posted":
            if len(found) != 1:
                problems.append(f"acknowledged {label} is in the books {len(found)} times")
                continue
            entry = found[0]
            if entry.pk != post.entry_pk:
                problems.append(
                    f"acknowledged {label} redirected to {post.entry_pk}, is {entry.pk}"
                )
            if entry.kind != EXPECTED_KIND[post.form]:
                problems.append(f"acknowledged {label} was posted as {entry.kind}")
            if amounts.get(entry.pk) != post.amount:
                problems.append(f"acknowledged {label} was posted as Rp {amounts.get(entry.pk)}")
            if post.attempts > 1 and entry.posted_at.timestamp() < post.sent_at:
                tally.found_again += 1  # the lost attempt had posted; the retry found it
        elif post.answer == "refused":
            if found:
                problems.append(f"refused {label} left {len(found)} entries")
            if post.form != "withdrawal":  # only a withdrawal may ask for more than there is
                problems.append(f"{label} was refused: {post.detail or 'the form came back'}")
        elif not post.answer:
            problems.append(f"{label} got no answer in {post.attempts} tries ({post.detail})")
        else:
            problems.append(f"{label} answered {post.answer}")
    for pk in by_pk:
        numbers = defaultdict(list)
        for year, number in JournalEntry.objects.filter(book_id=pk).values_list("year", "number"):
            numbers[year].append(number)
        for year, seen in numbers.items():
            if sorted(seen) != list(range(1, len(seen) + 1)):
                missing = sorted(set(range(1, max(seen) + 1)) - set(seen))[:10]
                doubled = [n for n, c in Counter(seen).items() if c > 1][:10]
                problems.append(
                    f"book {pk} {year}: entry numbers not 1..{len(seen)} "
                    f"(missing {missing}, doubled {doubled})"
                )
    lines = JournalLine.objects.filter(book__in=by_pk)
    for row in (
        lines.filter(account__role="cash")
        .values("book_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        if row["d"] - row["c"] < 0:
            problems.append(f"book {row['book_id']}: cash Rp {row['d'] - row['c']}")
    for row in (
        lines.filter(account__role__startswith="savings_", member__isnull=False)
        .values("book_id", "member_id", "account__role")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        if row["c"] - row["d"] < 0:
            problems.append(
                f"book {row['book_id']}: member {row['member_id']}'s {row['account__role']} "
                f"Rp {row['c'] - row['d']}"
            )
    verify = subprocess.run(
        [str(PYTHON), "manage.py", "verify_books"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(verify.stdout.strip()[-2000:])
    if verify.returncode:
        problems.append(f"verify_books failed: {(verify.stderr or verify.stdout).strip()[-2000:]}")
    return problems


def refusal_of(connection) -> str | None:
    """ksm_portal/safety.py's refusal; a database not migrated yet holds no KSM, so only its
    server is looked at then."""
    from groups.models import SelfHelpGroup
    from ksm_portal.safety import LOCAL_HOSTS, database_label, refusal

    if SelfHelpGroup._meta.db_table in connection.introspection.table_names():
        return refusal("bench/soak.py")
    host = (connection.settings_dict.get("HOST") or "").strip()
    if host in LOCAL_HOSTS or host.startswith("/"):
        return None
    return (
        f"bench/soak.py would write into the database {database_label()}, whose server {host} "
        "is not this machine. Run it on a throwaway database, or add --yes if this one is "
        "meant for it."
    )


# --- Main ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    url = database_url_or_exit()
    # Stopped from outside: through the `finally`s, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.path.insert(0, str(ROOT))
    static_root = tempfile.mkdtemp(prefix="ksm_soak_static_")
    env = server_env(url, static_root)
    os.environ.update(env)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    try:
        import django

        django.setup()
        from django.db import connection

        if connection.vendor != "postgresql":
            print(f"bench/soak.py runs on PostgreSQL only, not {connection.vendor}.")
            return 2
        refused = None if args.yes else refusal_of(connection)
        if refused:
            print(refused, file=sys.stderr)
            return 2
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        books = make_data(args.books, args.members, rng)
        make_sessions(books)
        connection.close()  # not held through the soak
        print(
            f"{connection.settings_dict['NAME']}: {len(books)} books "
            f"({', '.join(str(b.pk) for b in books)}), {args.members} members each; "
            f"{args.posters} posters, {args.withdrawers} withdrawers, {args.seconds} s, "
            f"a worker killed every ~{args.kill_every} s; seed {seed}",
            flush=True,
        )
        with tempfile.NamedTemporaryFile("w+", prefix="ksm_soak_gunicorn_") as log:
            return soak(args, env, books, rng, log)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def soak(args, env, books, rng, log) -> int:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    port = free_port()
    server = start_server(env, port, log)
    tally, killed = Tally(), []
    started = time.monotonic()
    stop = started + args.seconds
    threads = []
    try:
        for n in range(args.posters + args.withdrawers):
            kind = "poster" if n < args.posters else "withdrawer"
            thread_rng = random.Random(rng.random())
            threads.append(
                threading.Thread(
                    target=worker_loop,
                    args=(kind, port, books[n % len(books)], stop, tally),
                    kwargs={"rng": thread_rng, "answer_within": args.answer_within, "today": today},
                    daemon=True,
                )
            )
        threads.append(
            threading.Thread(
                target=killer_loop,
                args=(server, args.kill_every, stop, random.Random(rng.random()), killed, tally),
                daemon=True,
            )
        )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1, stop - time.monotonic()) + args.answer_within + 60)
        hung = [thread for thread in threads if thread.is_alive()]
    finally:
        stop_server(server)
    elapsed = time.monotonic() - started
    with tally.lock:
        posts = list(tally.posts)
    answers = Counter(post.answer or "no answer" for post in posts)
    retried = [post for post in posts if post.attempts > 1]
    print(
        f"\n{elapsed:.0f} s: {len(posts)} posts ({dict(answers)}), {len(retried)} sent again "
        f"with their token after a lost answer ({sum(p.answer == 'posted' for p in retried)} "
        f"of them then acknowledged; {tally.lost} lost POST answers, {tally.get_lost} lost "
        f"GETs), {len(killed)} workers killed"
    )
    for kind in EXPECTED_KIND:
        mine = [p for p in posts if p.form == kind]
        print(
            f"  {kind:<11} {len(mine):>5} sent, "
            f"{sum(p.answer == 'posted' for p in mine):>5} posted, "
            f"{sum(p.answer == 'refused' for p in mine):>5} refused"
        )
    reasons = Counter(p.detail or "(no message)" for p in posts if p.answer == "refused")
    for reason, count in reasons.most_common(3):
        print(f"  refused {count}x: {reason}")
    problems = check(books, tally, env)
    print(
        f"{tally.found_again} of the retries found the entry their lost attempt had posted "
        "(and posted nothing new)"
    )
    problems += tally.errors
    if hung:
        problems.append(f"{len(hung)} client threads still running at the end")
    if not any(post.answer == "posted" for post in posts):
        problems.append("nothing was posted: the soak tested nothing")
    if not killed:
        problems.append("no worker was killed: the soak tested nothing")
    if problems:
        log.seek(0)
        tail = log.read()[-3000:]
        print("\ngunicorn's log (end):\n" + tail, file=sys.stderr)
        print(f"\n{len(problems)} VIOLATIONS:")
        for problem in problems[:50]:
            print(f"  - {problem}")
        return 1
    acknowledged = answers.get("posted", 0)
    print(
        f"OK: all {acknowledged} acknowledged entries present once, refused posts left nothing, "
        "entry numbers gap-free per book and year, no cash or savings below zero, "
        "verify_books clean."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
