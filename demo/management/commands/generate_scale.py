"""Synthetic national-shaped data for load tests: `manage.py generate_scale --ksm 100000`.

Shape, per regency: 15 districts of 10-15 villages, 10 KSM per village (about 60% reactivated),
`--members-per-ksm` members each (25 by default: chair, secretary, treasurer and members, one
active membership per member), a BUMDes in most villages, and a cooperative per 40 KSM of a
district that about 60% of them join. A few facilitator logins are assigned to villages so the
benchmark can time a facilitator as well as staff.

The services are bypassed on purpose: validating 2.5 million members one by one would take
hours. Rows go in with COPY on PostgreSQL (bulk_create in batches on other databases), and the
database constraints (Meta.constraints, unique keys, foreign keys) still check every row, so the
data is as valid as the services would make it. No history rows are written.

With `--book-months N` (12 by default, 0 for none) every KSM also has books: N monthly
meetings with savings, loans, cash and bank, and everything the posting service keeps (entry
numbers, monthly and member totals, loan totals), derived from the lines as they are written
(demo/scale_books.py). The KSM then all started before their books opened, and their officers
joined when they started. `--big-book-lines` gives one KSM of the run a village shop's book of
that many lines (200,000 by default).

Everything generated hangs under regencies whose name starts with "Sintetis", in real province
codes other than 33 (Jawa Tengah belongs to the Batang demo). A run appends: it takes regency
codes not used yet, so it can be repeated to grow the data. `--reset` first deletes all
synthetic data (and only that).
"""

import contextlib
import datetime
import io
import random
import time
from collections import defaultdict
from functools import partial

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import PROGRAM_STAFF
from dashboard.services.rebuild import rollups_rebuild
from demo import names
from demo.scale_books import BIG_BOOK_KSM_NAME, OFFICERS, BookMaker, GroupSeed
from finance.models import (
    Account,
    AccountDay,
    AccountMonth,
    Book,
    BookMonth,
    BookYear,
    FiscalPeriod,
    GroupBalance,
    Instalment,
    JournalEntry,
    JournalLine,
    Loan,
    LoanProduct,
    LoanSchedule,
    Meeting,
    MeetingLine,
    MemberBalance,
)
from groups.models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup
from ksm_portal.safety import SYNTHETIC_REGENCY_PREFIX, count_arg, refuse_unless_safe
from villages.models import (
    Bumdes,
    District,
    FacilitatorAssignment,
    Province,
    Regency,
    Village,
)
from villages.services import facilitator_assign, region_ksm_counts_rebuild

PREFIX = SYNTHETIC_REGENCY_PREFIX  # ksm_portal.safety knows these regions as throwaway
MAX_KSM = 1_000_000  # the national picture; more is a typo
FACILITATOR_USERNAMES = ("sintetis_pendamping1", "sintetis_pendamping2", "sintetis_pendamping3")
STAFF_USERNAME = "sintetis_staf"

# Kemendagri province codes and names; 33 (Jawa Tengah) is left to the Batang demo.
PROVINCES = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}
REGENCIES_PER_PROVINCE = 30
DISTRICTS_PER_REGENCY = 15
VILLAGES_PER_DISTRICT = (10, 15)
KSM_PER_VILLAGE = 10
KSM_PER_COOPERATIVE = 40
REACTIVATED_SHARE = 0.6

AUDIT = ("created_at", "updated_at", "created_by_id", "updated_by_id")
# Every column but an auto id is listed, so a model change fails loudly here, not in the data.
# Columns the database fills in itself (generated) or that a rebuild sets after the load.
# Not written by the loader: kept counts, and the one-time form key of what a form registered
# (a generated row came from no form; the column is nullable).
DERIVED = {"ksm_count", "once_key"}
COLUMNS = {
    Province: ("id", "code", "name"),
    Regency: ("id", "code", "name", "province_id"),
    District: ("id", "code", "name", "regency_id"),
    Village: ("id", "code", "name", "district_id"),
    Bumdes: (
        "village_id",
        "name",
        "registration_number",
        "established_date",
        "business_units",
        "status",
        "ranking",
        *AUDIT,
    ),
    SelfHelpGroup: (
        "id",
        "village_id",
        "name",
        "registration_number",
        "origin",
        "formed_date",
        "reactivated_date",
        "business_sector",
        "status",
        "meeting_day",
        "address",
        *AUDIT,
    ),
    Member: (
        "id",
        "nik",
        "family_card_number",
        "full_name",
        "sex",
        "birth_date",
        "village_id",
        "address",
        "phone",
        "user_id",
        *AUDIT,
    ),
    Membership: ("member_id", "group_id", "role", "joined_date", "left_date", *AUDIT),
    Cooperative: (
        "id",
        "name",
        "legal_entity_number",
        "established_date",
        "regency_id",
        "status",
        "address",
        *AUDIT,
    ),
    CooperativeMembership: ("cooperative_id", "group_id", "joined_date", "left_date", *AUDIT),
    # The books (demo/scale_books.py writes the rows in these column orders).
    Book: (
        "id",
        "group_id",
        "bumdes_id",
        "cooperative_id",
        "opening_date",
        "closed_through",
        "created_at",
    ),
    Account: (
        "id",
        "book_id",
        "code",
        "name",
        "type",
        "normal_balance",
        "parent_id",
        "role",
        "is_active",
        "is_header",
        "overdraft_limit",
    ),
    LoanProduct: (
        "id",
        "book_id",
        "name",
        "interest_method",
        "monthly_rate",
        "max_term_months",
        "admin_fee_percent",
        "fine_rule",
        "fine_value",
        "grace_days",
        "max_savings_multiple",
        "is_active",
        "created_at",
    ),
    Loan: (
        "id",
        "book_id",
        "number",
        "direction",
        "product_id",
        "member_id",
        "borrower_group_id",
        "lender_kind",
        "lender_name",
        "counterpart_id",
        "purpose",
        "principal",
        "interest_method",
        "monthly_rate",
        "term_months",
        "admin_fee",
        "status",
        "applied_date",
        "decided_date",
        "approved_by_member_id",
        "decision_note",
        "disbursed_date",
        "closed_date",
        "balance",
        "interest_paid",
        "fines_paid",
        "written_off",
        "created_at",
        "created_by_id",
    ),
    LoanSchedule: (
        "id",
        "loan_id",
        "version",
        "start_date",
        "principal",
        "interest_method",
        "monthly_rate",
        "term_months",
        "principal_paid_before",
        "interest_paid_before",
        "fines_paid_before",
        "prepayment_entry_id",
        "reason",
        "created_at",
        "created_by_id",
    ),
    Instalment: ("schedule_id", "number", "due_date", "principal", "interest"),
    JournalEntry: (
        "id",
        "book_id",
        "year",
        "number",
        "entry_date",
        "description",
        "receipt_ref",
        "kind",
        "posted_by_id",
        "posted_at",
        "reversal_of_id",
        "token",
    ),
    JournalLine: (
        "entry_id",
        "book_id",
        "entry_date",
        "account_id",
        "member_id",
        "party_group_id",
        "loan_id",
        "debit",
        "credit",
        "memo",
    ),
    AccountMonth: ("account_id", "book_id", "month", "debit", "credit"),
    AccountDay: ("account_id", "book_id", "date", "debit", "credit"),
    MemberBalance: ("account_id", "member_id", "book_id", "debit", "credit"),
    BookYear: ("book_id", "year", "last_number"),
    Meeting: (
        "group_id",
        "book_id",
        "meeting_date",
        "token",
        "members_count",
        "present_count",
        "total_in",
        "total_out",
        "cash_before",
        "cash_after",
        "notes",
        "recorded_by_id",
        "recorded_at",
    ),
}
# The journal's two tables hold nine rows in ten. On PostgreSQL their per-row triggers (the
# foreign-key checks and finance migration 0002's balance checks) would triple the time, so a
# superuser writes them with the session's triggers off and checks them set-wise instead
# (Loader._check_journal); anyone else fires the deferred balance triggers after each write.
UNCHECKED = (JournalEntry, JournalLine)
BALANCE_TRIGGERS = "finance_entry_balanced, finance_line_balanced"
# Flush the buffers when this many journal lines wait (memory), besides every --batch-ksm KSM.
LINES_PER_WRITE = 300_000

FEMALE_NAMES = names.FEMALE_SINGLE + tuple(
    f"{a} {b}" for a in names.FEMALE_FIRST for b in names.FEMALE_SECOND
)
MALE_NAMES = names.MALE_SINGLE + tuple(
    f"{a} {b}" for a in names.MALE_FIRST for b in names.MALE_SECOND
)
SECTORS = tuple(SelfHelpGroup.Sector.values)
SECTOR_WEIGHTS = tuple(50 if s == SelfHelpGroup.Sector.SAVINGS_LOANS else 7 for s in SECTORS)
OFFICER_ROLES = (Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    return str(value)


def _cached(prepare):
    """`prepare` remembering what it made of each value (dates repeat a great deal)."""
    made = {}

    def cached(value):
        found = made.get(value)
        if found is None:
            found = made[value] = prepare(value)
        return found

    return cached


def _field_name(model, column: str) -> str:
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field.name
    raise CommandError(f"{model.__name__} has no column {column}")


def ordinal(year: int, month: int = 1, day: int = 1) -> int:
    return datetime.date(year, month, day).toordinal()


class Loader:
    """Buffers rows per model and writes them in bulk: COPY on PostgreSQL, bulk_create elsewhere.

    Ids are handed out before the rows are written so that children can point at parents: from
    the table's own sequence on PostgreSQL (safe beside other writers), after the largest id
    elsewhere.
    """

    # How many ids to take from a sequence at a time; what a run leaves unused is a gap.
    ID_BLOCKS = {
        Province: 1,
        Regency: 1,
        District: 15,
        Village: 200,
        Cooperative: 100,
        Book: 2_000,
        LoanProduct: 2_000,
        JournalEntry: 100_000,
    }
    DEFAULT_ID_BLOCK = 20_000

    def __init__(self):
        """Make it inside the transaction that the rows go in."""
        self.postgres = connection.vendor == "postgresql"
        self.superuser = False
        self.rows = defaultdict(list)
        self.written = defaultdict(int)
        self.seconds = defaultdict(float)
        self._free_ids = defaultdict(list)
        self._next_id = {}
        for model, columns in COLUMNS.items():
            expected = {
                f.column
                for f in model._meta.concrete_fields
                if not f.generated and f.name not in DERIVED
            }
            if set(columns) | {"id"} != expected:
                raise CommandError(
                    f"{model.__name__} has columns {sorted(expected)}; "
                    "update COLUMNS in generate_scale to match."
                )
        if self.postgres:
            self._tune_session()
        elif connection.vendor == "sqlite":
            # A page cache that holds the indexes being filled (the default 2 MB makes every
            # insert into the journal's indexes a read from the file): this connection only.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB

    def _tune_session(self) -> None:
        """For this transaction only: check foreign keys per statement rather than queueing
        millions of deferred checks until the commit, and merge trigram index entries in bigger
        steps."""
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self.superuser = cursor.fetchone()[0]
            if not self.superuser:  # an entry goes in before its lines
                cursor.execute(f"SET CONSTRAINTS {BALANCE_TRIGGERS} DEFERRED")

    def finish(self) -> None:
        """Back to the constraints' own timing for the rest of the transaction (a caller's
        outer transaction, as in tests, posts through the services afterwards)."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def new_id(self, model) -> int:
        free = self._free_ids[model]
        if not free:
            block = self.ID_BLOCKS.get(model, self.DEFAULT_ID_BLOCK)
            free.extend(reversed(self._reserve_ids(model, block)))
        return free.pop()

    def _reserve_ids(self, model, count: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if model not in self._next_id:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
                self._next_id[model] = cursor.fetchone()[0]
        start = self._next_id[model]
        self._next_id[model] = start + count
        return list(range(start, start + count))

    def add(self, model, row: tuple) -> None:
        self.rows[model].append(row)

    def pending(self, model) -> int:
        return len(self.rows.get(model, ()))

    def flush(self) -> None:
        unchecked = self.postgres and self.superuser
        entries = [row[0] for row in self.rows.get(JournalEntry, ())]
        lines_after = self._last_id(JournalLine) if entries and unchecked else None
        for model in COLUMNS:  # parents before children
            rows = self.rows.pop(model, [])
            if rows:
                started = time.monotonic()
                if not self.postgres:
                    self._bulk_create(model, rows)
                else:
                    self._copy(model, rows, triggers=not (unchecked and model in UNCHECKED))
                self.written[model] += len(rows)
                self.seconds[model] += time.monotonic() - started
        if lines_after is not None:
            self._check_journal(min(entries), max(entries), lines_after)
        elif entries and self.postgres:
            started = time.monotonic()
            with connection.cursor() as cursor:  # fire the queued checks, then queue again
                cursor.execute(f"SET CONSTRAINTS {BALANCE_TRIGGERS} IMMEDIATE")
                cursor.execute(f"SET CONSTRAINTS {BALANCE_TRIGGERS} DEFERRED")
            self.seconds["journal checks"] += time.monotonic() - started

    def _last_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def _check_journal(self, first_entry: int, last_entry: int, lines_after: int) -> None:
        """What the journal's triggers check, for the entries and lines just written, in two
        set-wise queries: every entry's book exists and the entry has two lines that balance
        (finance_entry_balanced, finance_line_balanced); every line's entry exists with the
        line's book and date, its account in the line's book (the composite foreign keys), its
        member, loan and member KSM exist. An entry may name who posted it (an existing user);
        its other references are always empty.

        The planner's statistics predate this transaction and know nothing of its rows (at
        100,000 KSM it chose hash joins over whole tables: an hour in all), so the checks are
        told to walk the new rows by primary key and probe each parent by its key."""
        started = time.monotonic()
        entry, line = JournalEntry._meta.db_table, JournalLine._meta.db_table
        account, book, loan = Account._meta.db_table, Book._meta.db_table, Loan._meta.db_table
        member, group = Member._meta.db_table, SelfHelpGroup._meta.db_table
        user = get_user_model()._meta.db_table
        plan = ("enable_hashjoin", "enable_mergejoin", "enable_seqscan", "jit")
        with connection.cursor() as cursor:
            for setting in plan:
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(
                f"""
                SELECT e.id FROM {entry} e LEFT JOIN {book} b ON b.id = e.book_id
                LEFT JOIN {user} u ON u.id = e.posted_by_id
                LEFT JOIN {line} l ON l.entry_id = e.id
                WHERE e.id BETWEEN %s AND %s
                GROUP BY e.id, b.id, u.id
                HAVING b.id IS NULL OR COUNT(l.id) < 2 OR SUM(l.debit - l.credit) <> 0
                    OR BOOL_OR(e.posted_by_id IS NOT NULL AND u.id IS NULL)
                    OR BOOL_OR(e.reversal_of_id IS NOT NULL)
                LIMIT 5
                """,
                [first_entry, last_entry],
            )
            bad_entries = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f"""
                SELECT l.id FROM {line} l
                LEFT JOIN {entry} e
                    ON e.id = l.entry_id AND e.book_id = l.book_id AND e.entry_date = l.entry_date
                LEFT JOIN {account} a ON a.id = l.account_id AND a.book_id = l.book_id
                LEFT JOIN {member} m ON m.id = l.member_id
                LEFT JOIN {loan} n ON n.id = l.loan_id
                LEFT JOIN {group} g ON g.id = l.party_group_id
                WHERE l.id > %s AND (
                    e.id IS NULL OR a.id IS NULL
                    OR (l.member_id IS NOT NULL AND m.id IS NULL)
                    OR (l.loan_id IS NOT NULL AND n.id IS NULL)
                    OR (l.party_group_id IS NOT NULL AND g.id IS NULL)
                )
                LIMIT 5
                """,
                [lines_after],
            )
            bad_lines = [row[0] for row in cursor.fetchall()]
            for setting in plan:
                cursor.execute(f"SET LOCAL {setting} TO DEFAULT")
        self.seconds["journal checks"] += time.monotonic() - started
        if bad_entries or bad_lines:
            raise CommandError(
                f"Generated journal rows break the journal's rules: entries {bad_entries}, "
                f"lines {bad_lines}. Nothing was written."
            )

    def _copy(self, model, rows, *, triggers: bool = True) -> None:
        columns = COLUMNS[model]
        buffer = io.StringIO()
        buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
        buffer.seek(0)
        quote = connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            "FROM STDIN"
        )
        with connection.connection.cursor() as cursor:
            if not triggers:  # this transaction's next statement only (_check_journal)
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.copy_expert(sql, buffer)
            if not triggers:
                cursor.execute("SET LOCAL session_replication_role = origin")

    def _bulk_create(self, model, rows) -> None:
        """Elsewhere (SQLite): one INSERT statement run over the rows (executemany), with the
        values as the database driver adapts them; the tables' constraints and foreign keys
        check each row as it goes in."""
        columns = COLUMNS[model]
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        prepared = []  # (column index, how its values go in): dates as ISO text, money as text
        for i, column in enumerate(columns):
            field = model._meta.get_field(_field_name(model, column))
            kind = field.get_internal_type()
            if kind == "DateField":
                prepared.append((i, _cached(datetime.date.isoformat)))
            elif kind == "DateTimeField":  # a few distinct values: the evenings of the dates
                prepared.append(
                    (i, _cached(partial(field.get_db_prep_save, connection=connection)))
                )
            elif kind == "DecimalField":
                prepared.append((i, partial(field.get_db_prep_save, connection=connection)))
        if prepared:
            rows = [list(row) for row in rows]
            for row in rows:
                for i, prepare in prepared:
                    value = row[i]
                    if value is not None and value.__class__ is not int:
                        row[i] = prepare(value)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 20_000):
                cursor.executemany(sql, rows[start : start + 20_000])


class Command(BaseCommand):
    help = "Generate synthetic national-shaped data (regions, KSM, members) for load tests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ksm",
            type=count_arg(0, MAX_KSM),
            required=True,
            help="How many KSM to add (0 only with --reset).",
        )
        parser.add_argument("--members-per-ksm", type=count_arg(OFFICERS, 200), default=25)
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"First delete all synthetic data (regencies named '{PREFIX} ...').",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument(
            "--batch-ksm",
            type=count_arg(1, 100_000),
            default=4000,
            help="KSM (with their members) per write.",
        )
        parser.add_argument(
            "--book-months",
            type=count_arg(0, 120),
            default=12,
            help="Monthly meetings in every KSM's books (0: no books).",
        )
        parser.add_argument(
            "--big-book-lines",
            type=count_arg(0, 10_000_000),
            default=200_000,
            help=f"Journal lines of one big book ('{BIG_BOOK_KSM_NAME}'); 0 for none.",
        )
        parser.add_argument(
            "--big-book-years",
            type=count_arg(1, 10),
            default=5,
            help="The years the big book's lines span.",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Write even into a database that looks like production (ksm_portal/safety.py).",
        )

    def handle(self, *args, **options):
        if not options["ksm"] and not options["reset"]:
            raise CommandError(_("--ksm 0 adds nothing: give a number of KSM, or --reset."))
        refuse_unless_safe(options["yes"], "generate_scale")
        self.started = time.monotonic()
        self.books = None
        with transaction.atomic():
            loader = Loader()
            if options["reset"]:
                self._reset()
            if options["ksm"]:
                districts = self._generate(loader, options)
                self._facilitators(districts)
                written = ", ".join(
                    f"{count:,} {model.__name__}" for model, count in loader.written.items()
                )
                self._say(f"Wrote {written}.")
                if options["verbosity"] > 1:
                    self._say("Writing took:\n" + self._timings(loader))
            if options["reset"] or options["ksm"]:
                region_ksm_counts_rebuild()  # the rows above skipped the services that keep them
            if options["reset"] or self.books is not None:
                loader.finish()  # the rebuild reads and writes through the ORM
                self._rollups()  # which ANALYZEs first: its plans see the rows
            loader.finish()
        if loader.postgres:
            self._refresh_statistics()
        total = SelfHelpGroup.objects.count()
        self._say(f"Done: {total:,} KSM in the database.")

    def _rollups(self) -> None:
        """The books' monthly figures and the regions' rollups, which the posting service keeps
        as it posts: written again for this run's books (the regions all again)."""
        started = time.monotonic()
        book_ids = self.books.book_ids if self.books is not None else []
        written = rollups_rebuild(book_ids=book_ids)
        counts = ", ".join(f"{count:,} {name}" for name, count in written.items())
        self._say(f"Rollups rebuilt ({counts}) in {time.monotonic() - started:.1f} s.")

    @staticmethod
    def _timings(loader: Loader) -> str:
        rows = []
        for key, seconds in loader.seconds.items():
            if isinstance(key, str):  # work that writes no rows of its own
                rows.append(f"  {key:<22} {seconds:8.1f} s")
                continue
            count = loader.written[key]
            rate = count / seconds if seconds else 0
            rows.append(f"  {key.__name__:<22} {count:>12,} rows {seconds:8.1f} s {rate:>10,.0f}/s")
        return "\n".join(rows)

    # --- generating --------------------------------------------------------------------------

    def _free_regency_codes(self):
        """Regency codes in the provinces, in order, that no regency has yet."""
        taken = set(Regency.objects.values_list("code", flat=True))
        for province_code in PROVINCES:
            for number in range(1, REGENCIES_PER_PROVINCE + 1):
                code = f"{province_code}.{number:02d}"
                if code not in taken:
                    yield code
        raise CommandError("No free synthetic regency codes left.")

    def _generate(self, loader: Loader, options) -> list[list[int]]:
        """Write the KSM; returns the village ids of each district made, for assignments."""
        wanted, per_ksm = options["ksm"], options["members_per_ksm"]
        self.now = timezone.now()
        self.today = timezone.localdate().toordinal()
        self.seed = options["seed"]
        self.books = None
        self.latest_start = self.today  # the last day a KSM may have formed or reactivated
        self.big_book_lines = options["big_book_lines"]
        self.big_book_months = max(12 * options["big_book_years"], options["book_months"])
        self.big_group = None
        if options["book_months"]:
            self.books = BookMaker(
                loader, months=options["book_months"], today=timezone.localdate(), now=self.now
            )
            self.latest_start = self.books.earliest_opening().toordinal() - 1
        provinces = dict(Province.objects.values_list("code", "id"))
        made, buffered, districts = 0, 0, []
        regency_codes = self._free_regency_codes()
        while made < wanted:
            regency_code = next(regency_codes)
            rng = random.Random(f"{options['seed']}-{regency_code}")
            province_code = regency_code[:2]
            if province_code not in provinces:
                provinces[province_code] = loader.new_id(Province)
                name = f"{PREFIX} {PROVINCES[province_code]}"
                loader.add(Province, (provinces[province_code], province_code, name))
            regency_id = loader.new_id(Regency)
            loader.add(
                Regency,
                (
                    regency_id,
                    regency_code,
                    f"{PREFIX} Kabupaten {regency_code}",
                    provinces[province_code],
                ),
            )
            for number in range(1, DISTRICTS_PER_REGENCY + 1):
                if made >= wanted:
                    break
                count = min(wanted - made, KSM_PER_VILLAGE * rng.randint(*VILLAGES_PER_DISTRICT))
                district_code = f"{regency_code}.{number:02d}"
                villages = self._district(loader, rng, regency_id, district_code, count, per_ksm)
                districts.append(villages)
                made += count
                buffered += count
                if (
                    buffered >= options["batch_ksm"]
                    or made >= wanted
                    or loader.pending(JournalLine) >= LINES_PER_WRITE
                ):
                    loader.flush()
                    if buffered >= options["batch_ksm"] or made >= wanted:
                        self._progress(loader, made, wanted)
                        buffered = 0
        return districts

    def _progress(self, loader: Loader, made: int, wanted: int) -> None:
        text = f"{made:,} / {wanted:,} KSM, {loader.written[Member]:,} members"
        if self.books is not None:
            text += (
                f", {loader.written[JournalEntry]:,} entries, "
                f"{loader.written[JournalLine]:,} journal lines"
            )
        self._say(text)

    def _district(self, loader, rng, regency_id, code, ksm_count, per_ksm) -> list[int]:
        district_id = loader.new_id(District)
        loader.add(District, (district_id, code, f"{PREFIX} Kecamatan {code}", regency_id))
        region6 = code.replace(".", "")
        serials = defaultdict(int)  # NIK serials are unique per region and birth date
        audit = (self.now, self.now, None, None)
        groups, seeds, village_ids = [], [], []
        for index in range((ksm_count + KSM_PER_VILLAGE - 1) // KSM_PER_VILLAGE):
            village_id = loader.new_id(Village)
            village_ids.append(village_id)
            village_code = f"{code}.{2001 + index}"
            village_name = f"{PREFIX} Desa {village_code}"
            loader.add(Village, (village_id, village_code, village_name, district_id))
            if rng.random() < 0.85:
                loader.add(
                    Bumdes,
                    (
                        village_id,
                        f"BUMDes {village_name}",
                        "",
                        self._date(rng, ordinal(2015), self.today),
                        "Simpan pinjam\nToko desa",
                        Bumdes.Status.ACTIVE,
                        rng.choice(Bumdes.Ranking.values),
                        *audit,
                    ),
                )
            in_village = min(KSM_PER_VILLAGE, ksm_count - index * KSM_PER_VILLAGE)
            for number in range(1, in_village + 1):
                group = self._group(loader, rng, village_id, number, audit)
                self._members(loader, rng, group, village_id, region6, serials, per_ksm, audit)
                groups.append((group.id, group.start))
                seeds.append(group)
        self._cooperatives(loader, rng, regency_id, code, groups, audit)
        if self.books is not None:
            started = time.monotonic()
            books_rng = random.Random(f"{self.seed}-{code}-books")
            for group in seeds:
                if group.id == self.big_group:
                    self.books.book(
                        books_rng,
                        group,
                        big_book_lines=self.big_book_lines,
                        months=self.big_book_months,
                    )
                else:
                    self.books.book(books_rng, group)
            loader.seconds["simulating the books"] += time.monotonic() - started
        return village_ids

    def _group(self, loader, rng, village_id, number, audit) -> GroupSeed:
        """Adds one KSM (formed or reactivated before the books open, when they do)."""
        group_id = loader.new_id(SelfHelpGroup)
        latest = self.latest_start
        big = self.books is not None and self.big_book_lines and self.big_group is None
        if big:  # the run's first KSM keeps the big book, for more years
            self.big_group = group_id
            latest = self.books.earliest_opening(self.big_book_months).toordinal() - 1
        if rng.random() < REACTIVATED_SHARE:
            formed = rng.randint(ordinal(1995), ordinal(2015, 12, 31))
            reactivated = rng.randint(ordinal(2016), latest)
            origin, start = SelfHelpGroup.Origin.REACTIVATED, reactivated
        else:
            formed, reactivated = rng.randint(ordinal(2010), latest), None
            origin, start = SelfHelpGroup.Origin.NEW, formed
        name = rng.choice(names.KSM_NAMES)
        sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
        if big:
            name, sector = BIG_BOOK_KSM_NAME, SelfHelpGroup.Sector.TRADE
        meeting_day = rng.randint(1, 28)
        loader.add(
            SelfHelpGroup,
            (
                group_id,
                village_id,
                name,
                f"{number:03d}/KSM/{datetime.date.fromordinal(start).year}",
                origin,
                datetime.date.fromordinal(formed),
                datetime.date.fromordinal(reactivated) if reactivated else None,
                sector,
                SelfHelpGroup.Status.ACTIVE,
                meeting_day,
                f"RT {rng.randint(1, 9):03d}/RW {rng.randint(1, 5):03d}",
                *audit,
            ),
        )
        return GroupSeed(group_id, start, reactivated is not None, meeting_day)

    def _members(self, loader, rng, group, village_id, region6, serials, count, audit) -> None:
        group_id, start = group.id, group.start
        birth_first, birth_last = ordinal(1950), ordinal(2004, 12, 31)
        for index in range(count):
            member_id = loader.new_id(Member)
            female = rng.random() < 0.55
            sex = "F" if female else "M"
            birth_ordinal = rng.randint(birth_first, birth_last)
            birth = datetime.date.fromordinal(birth_ordinal)
            serials[birth_ordinal, sex] += 1
            name = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            loader.add(
                Member,
                (
                    member_id,
                    names.nik(region6, sex, birth, serials[birth_ordinal, sex]),
                    f"{region6}{rng.randrange(10**10):010d}",
                    name,
                    sex,
                    birth,
                    village_id,
                    f"RT {rng.randint(1, 9):03d}/RW {rng.randint(1, 5):03d}",
                    names.phone(rng) if rng.random() < 0.9 else "",
                    None,
                    *audit,
                ),
            )
            # The officers founded the KSM; of the others most joined then too.
            founder = index < len(OFFICER_ROLES) or rng.random() < 0.7
            joined = start if founder else min(start + rng.randint(0, 365), self.today)
            group.members.append((member_id, joined, name))
            loader.add(
                Membership,
                (
                    member_id,
                    group_id,
                    OFFICER_ROLES[index] if index < len(OFFICER_ROLES) else Membership.Role.MEMBER,
                    datetime.date.fromordinal(joined),
                    None,
                    *audit,
                ),
            )

    def _cooperatives(self, loader, rng, regency_id, district_code, groups, audit) -> None:
        for number, first in enumerate(range(0, len(groups), KSM_PER_COOPERATIVE), start=1):
            cooperative_id = loader.new_id(Cooperative)
            established = rng.randint(ordinal(2010), self.today)
            loader.add(
                Cooperative,
                (
                    cooperative_id,
                    f"Koperasi {rng.choice(names.KSM_NAMES)[4:]} {district_code}-{number}",
                    "",
                    datetime.date.fromordinal(established),
                    regency_id,
                    Cooperative.Status.ACTIVE,
                    "",
                    *audit,
                ),
            )
            for group_id, start in groups[first : first + KSM_PER_COOPERATIVE]:
                if rng.random() < 0.6:
                    joined = min(max(established, start) + rng.randint(0, 180), self.today)
                    loader.add(
                        CooperativeMembership,
                        (cooperative_id, group_id, datetime.date.fromordinal(joined), None, *audit),
                    )

    @staticmethod
    def _date(rng, first: int, last: int) -> datetime.date:
        return datetime.date.fromordinal(rng.randint(first, last))

    def _facilitators(self, districts: list[list[int]]) -> None:
        """A staff login, and facilitators each assigned to one district's villages of this run
        (if they have no current assignment), for the benchmark."""
        User = get_user_model()
        staff = User.objects.filter(username=STAFF_USERNAME).first()
        if staff is None:
            staff = User(username=STAFF_USERNAME, first_name=PREFIX, is_staff=True)
            staff.set_unusable_password()
            staff.save()
        # Program staff read every region and book (staff status alone opens only admin).
        staff.groups.add(*Group.objects.filter(name=PROGRAM_STAFF))
        for index, username in enumerate(FACILITATOR_USERNAMES):
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=PREFIX)
                user.set_unusable_password()
                user.save()
            if FacilitatorAssignment.objects.current().filter(user=user).exists():
                continue
            village_ids = districts[min(index, len(districts) - 1)]
            for village in Village.objects.filter(pk__in=village_ids):
                facilitator_assign(
                    actor=None, user=user, village=village, start_date=datetime.date(2016, 5, 1)
                )

    def _refresh_statistics(self) -> None:
        """Fresh planner statistics and no dead rows left by --reset, so the benchmark measures
        the plans production would get. VACUUM cannot run inside a transaction (as in tests):
        there only ANALYZE."""
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        rollups = [BookMonth, *apps.get_app_config("dashboard").get_models()]
        with connection.cursor() as cursor:
            for model in [*COLUMNS, *rollups]:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        self._say(f"{command} done.")

    # --- deleting -----------------------------------------------------------------------------

    def _reset(self) -> None:
        regencies = Regency.objects.filter(name__startswith=PREFIX)
        villages = Village.objects.filter(district__regency__in=regencies)
        groups = SelfHelpGroup.objects.filter(village__in=villages)
        books = Book.objects.filter(group__in=groups)
        steps = [
            MeetingLine.objects.filter(meeting__book__in=books),
            Meeting.objects.filter(book__in=books),
            JournalLine.objects.filter(book__in=books),
            JournalEntry.objects.filter(book__in=books),
            Instalment.objects.filter(schedule__loan__book__in=books),
            LoanSchedule.objects.filter(loan__book__in=books),
            Loan.objects.filter(book__in=books),
            LoanProduct.objects.filter(book__in=books),
            AccountMonth.objects.filter(book__in=books),
            AccountDay.objects.filter(book__in=books),
            MemberBalance.objects.filter(book__in=books),
            GroupBalance.objects.filter(book__in=books),
            BookYear.objects.filter(book__in=books),
            BookMonth.objects.filter(book__in=books),
            FiscalPeriod.objects.filter(book__in=books),
            Account.objects.filter(book__in=books),
            books,
            CooperativeMembership.objects.filter(
                Q(group__in=groups) | Q(cooperative__regency__in=regencies)
            ),
            Cooperative.objects.filter(regency__in=regencies),
            Membership.objects.filter(group__in=groups),
            Member.objects.filter(village__in=villages),
            groups,
            Bumdes.objects.filter(village__in=villages),
            FacilitatorAssignment.objects.filter(village__in=villages),
            villages,
            District.objects.filter(regency__in=regencies),
            regencies,
            Province.objects.filter(name__startswith=PREFIX, regencies__isnull=True),
        ]
        deleted = []
        with self._journal_deletable():
            for queryset in steps:
                count = self._delete(queryset)
                if count:
                    deleted.append(f"{count:,} {queryset.model.__name__}")
        self._say("Reset: deleted " + (", ".join(deleted) or "nothing") + ".")

    @contextlib.contextmanager
    def _journal_deletable(self):
        """Posted entries cannot be deleted (a PostgreSQL trigger refuses it); synthetic books
        are test data, so the triggers are off for this transaction's deletes only. ALTER TABLE
        is transactional: other sessions never see them off."""
        tables = (
            (JournalEntry, "finance_entry_immutable"),
            (JournalLine, "finance_line_immutable"),
        )
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            for model, trigger in tables:
                cursor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER {trigger}")
        yield
        with connection.cursor() as cursor:
            for model, trigger in tables:
                cursor.execute(f"ALTER TABLE {model._meta.db_table} ENABLE TRIGGER {trigger}")

    @staticmethod
    def _delete(queryset) -> int:
        """DELETE in one statement: QuerySet.delete() would load millions of rows for signals."""
        sql, params = queryset.values("pk").query.sql_with_params()
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)
            return cursor.rowcount

    def _say(self, text: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:6.1f} s] {text}")
