"""Every write to the books. `journal_post` is the one way an entry is made; the treasurer
forms' services (savings_deposit, cash_receive, ...) build its lines in plain terms."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup
from ksm_portal import sqlbatch
from ksm_portal.services_base import row_clean

from ..charts import CHARTS, MEMBER_LEDGER_ROLES
from ..models import (
    FLOORED_ROLES,
    ZERO,
    Account,
    AccountDay,
    AccountMonth,
    Book,
    BookMonth,
    BookYear,
    EntryKind,
    GroupBalance,
    JournalEntry,
    JournalLine,
    MemberBalance,
)
from ..money import rupiah
from ..sql import date as sql_date
from . import journal_rules
from .figures import activity_months, activity_wanted, entry_figures_add
from .floors import (
    floors_check,
    floors_refuse,
    floors_sql,
    lowered_floors,
)
from .lines import COLUMNS, LINE_TYPES, RELATIONS, Line

__all__ = ["Line"]

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999.99")  # fits MONEY (18, 2) with room for sums


@dataclass
class Posted:
    entry: JournalEntry
    created: bool  # False when the form's token had already posted it


def clean_amount(value) -> Decimal:
    """A positive rupiah amount with at most two decimals, or a clear error."""
    text = str(value).strip()
    if not text.isascii():  # Decimal() would read Arabic-Indic digits as 1234
        raise ValidationError({"amount": _("Write the amount as a number, e.g. 25000.")})
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Write the amount as a number, e.g. 25000.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Write the amount as a number, e.g. 25000.")})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("This amount is too large.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("Rupiah amounts have at most two decimals.")})
    return amount.quantize(CENT)


# --- Books and charts -------------------------------------------------------------------------


@transaction.atomic
def book_open(*, owner, opening_date: datetime.date, actor=None) -> Book:
    """Open the books of a KSM, BUMDes or cooperative with its starting chart of accounts."""
    field = Book.owner_field(owner)
    kind = {"group": "ksm", "bumdes": "bumdes", "cooperative": "cooperative"}[field]
    if opening_date > timezone.localdate():
        raise ValidationError({"opening_date": _("This date is in the future.")})
    if Book.objects.filter(**{field: owner}).exists():
        raise ValidationError(_("These books are already open."))
    book = Book(opening_date=opening_date, **{field: owner})
    row_clean(book)
    book.save()
    # Headings first (their ids are the parents), then the accounts, with history rows.
    chart = CHARTS[kind]
    by_code = {}
    for headers in (True, False):
        accounts = [
            Account(
                book=book,
                code=code,
                name=name,
                type=type_,
                normal_balance=normal,
                role=role,
                parent=by_code.get(parent),
                is_header=header,
            )
            for code, name, type_, normal, role, parent, header in chart
            if header == headers
        ]
        for account in bulk_create_with_history(accounts, Account, default_user=actor):
            by_code[account.code] = account
    return book


# Bumped whenever an account is saved or deleted in this process: a Book object's kept
# accounts (accounts_for) are read again after any change, never used stale.
_accounts_version = [0]


@receiver([post_save, post_delete], sender=Account, dispatch_uid="finance_accounts_changed")
def _accounts_changed(sender, **kwargs):
    _accounts_version[0] += 1


def accounts_for(book: Book, *roles: str) -> list[Account]:
    """The book's accounts for these roles, in order. Read in one query the first time and kept
    on the Book object until an account changes, so the entries one request (a meeting sheet,
    a benchmark) posts to the same book read them once."""
    version, known = book.__dict__.get("_accounts_by_role", (None, None))
    if version != _accounts_version[0]:
        known = {}
        book.__dict__["_accounts_by_role"] = (_accounts_version[0], known)
    wanted = [role for role in roles if role not in known]
    if wanted:
        known.update(
            (account.role, account)
            for account in Account.objects.filter(book=book, role__in=wanted)
        )
    missing = [role for role in roles if role not in known]
    if missing:
        raise ValidationError(
            _("This book has no account for %(role)s; ask your facilitator to add it.")
            % {"role": ", ".join(missing)}
        )
    return [known[role] for role in roles]


def account_for(book: Book, role: str) -> Account:
    return accounts_for(book, role)[0]


# --- Posting ----------------------------------------------------------------------------------


def _lock_book(book: Book) -> Book:
    """Take the book's row lock (PostgreSQL; SQLite has one writer at a time anyway) and read
    the dates that guard posting fresh under it."""
    return _lock_for_entry(book, None).book


@dataclass(frozen=True)
class _Locked:
    """What journal_post reads under the book's lock: the book (its dates refreshed), the
    last activity of the months around the entry's date ({month: date}, or None when not
    asked for) and the id of an entry already posted with the form's token (or None)."""

    book: Book
    activity: dict | None
    posted_id: int | None


def _lock_for_entry(
    book: Book, activity_of: datetime.date | None, token: str | None = None
) -> _Locked:
    """Take the book's row lock (PostgreSQL; SQLite has one writer at a time anyway) and read
    the dates that guard posting fresh under it. Raw SQL: this runs for every entry. With
    `activity_of` (an entry's date), also the last activity of the months around it that the
    figures read (figures.activity_months); with `token`, the entry already posted with it.
    On PostgreSQL all in one round trip: a second statement, run once the lock is held, reads
    them, so it sees every posting committed before."""
    table = Book._meta.db_table
    months = activity_months(activity_of) if activity_of is not None else ()
    activity, posted_id = None, None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and (months or token):
            month_list = ", ".join(["%s"] * len(months)) or "NULL"
            lock = f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE"
            read = (
                f"SELECT b.opening_date, b.closed_through, (SELECT json_object_agg(m.month, "
                f"m.last_activity) FROM {BookMonth._meta.db_table} m WHERE m.book_id = b.id "
                f"AND m.month IN ({month_list})), (SELECT e.id FROM "
                f"{JournalEntry._meta.db_table} e WHERE e.token = %s) FROM {table} b "
                "WHERE b.id = %s"
            )
            cursor.execute(
                f"{sqlbatch.executed(cursor, lock, 1)}; "
                f"{sqlbatch.executed(cursor, read, len(months) + 2)}",
                [book.pk, *months, token or None, book.pk],
            )
            row = cursor.fetchone()
            if row is not None:
                if months:
                    activity = {
                        datetime.date.fromisoformat(month): sql_date(day) if day else None
                        for month, day in (row[2] or {}).items()
                    }
                posted_id = row[3]
        else:
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(
                f"SELECT opening_date, closed_through FROM {table} WHERE id = %s{lock}",
                [book.pk],
            )
            row = cursor.fetchone()
            if token:
                posted_id = (
                    JournalEntry.objects.filter(token=token).values_list("pk", flat=True).first()
                )
    if row is None:
        raise Book.DoesNotExist
    opening, closed = (
        value
        if value is None or isinstance(value, datetime.date)
        else datetime.date.fromisoformat(value)
        for value in row[:2]
    )
    book.opening_date, book.closed_through = opening, closed
    return _Locked(book=book, activity=activity, posted_id=posted_id)


def _check_date(book: Book, entry_date: datetime.date) -> None:
    if entry_date > timezone.localdate():
        raise ValidationError({"entry_date": _("This date is in the future.")})
    if entry_date < book.opening_date:
        raise ValidationError(
            {
                "entry_date": _("The books opened on %(date)s; the date cannot be earlier.")
                % {"date": book.opening_date.strftime("%d-%m-%Y")}
            }
        )
    if book.closed_through and entry_date <= book.closed_through:
        raise ValidationError(
            {
                "entry_date": _(
                    "The books are closed through %(date)s. Choose a later date, or ask "
                    "program staff to reopen the month."
                )
                % {"date": book.closed_through.strftime("%d-%m-%Y")}
            }
        )


def _check_lines(book: Book, lines: list[Line], kind: str = EntryKind.GENERAL) -> None:
    if len(lines) < 2:
        raise ValidationError(_("A journal entry needs at least two lines."))
    debit = credit = ZERO
    member_ids, group_ids = set(), set()
    # Parties a registered rule lets this line name though they have left (once members).
    former_member_ids, former_group_ids = set(), set()
    for line in lines:
        if line.account.book_id != book.pk:
            raise ValidationError(_("An account of another book cannot be used here."))
        if not line.account.is_active or line.account.is_header:
            raise ValidationError(
                _("The account %(account)s cannot be posted to.") % {"account": line.account}
            )
        if (line.debit > 0) == (line.credit > 0) or line.debit < 0 or line.credit < 0:
            raise ValidationError(_("Each line is either a debit or a credit, more than zero."))
        for value in (line.debit, line.credit):
            if value != value.quantize(CENT) or value > MAX_AMOUNT:
                raise ValidationError(_("Rupiah amounts have at most two decimals."))
        if line.member is not None and line.group is not None:
            raise ValidationError(_("A line names a member or a member KSM, not both."))
        if line.account.role in MEMBER_LEDGER_ROLES:
            if book.group_id and line.member is None:
                raise ValidationError(
                    _("A line on %(account)s must name the member.") % {"account": line.account}
                )
            if not book.group_id and line.group is None:
                raise ValidationError(
                    _("A line on %(account)s must name the member KSM.") % {"account": line.account}
                )
        former = (line.member is not None or line.group is not None) and (
            journal_rules.former_party_allowed(book, kind, line)
        )
        if line.member is not None:
            (former_member_ids if former else member_ids).add(line.member.pk)
        if line.group is not None:
            (former_group_ids if former else group_ids).add(line.group.pk)
        debit += line.debit
        credit += line.credit
    if debit != credit:
        raise ValidationError(
            _("The entry does not balance: debits %(debit)s, credits %(credit)s.")
            % {"debit": rupiah(debit), "credit": rupiah(credit)}
        )
    if member_ids:
        if not book.group_id:
            raise ValidationError(_("These books keep accounts for member KSM, not persons."))
        active = set(
            Membership.objects.active()
            .filter(group_id=book.group_id, member_id__in=member_ids)
            .values_list("member_id", flat=True)
        )
        if member_ids - active:
            raise ValidationError(_("The member is not an active member of this KSM."))
    if group_ids:
        _check_party_groups(book, group_ids)
    if former_member_ids or former_group_ids:
        _check_former_parties(book, former_member_ids, former_group_ids)
    journal_rules.lines_check(book, lines)


def _check_former_parties(book: Book, member_ids: set[int], group_ids: set[int]) -> None:
    """A line a rule lets name a former member still names someone who was a member once: a
    person of this KSM, or a KSM of this cooperative."""
    if member_ids:
        if not book.group_id:
            raise ValidationError(_("These books keep accounts for member KSM, not persons."))
        found = set(
            Membership.objects.filter(group_id=book.group_id, member_id__in=member_ids).values_list(
                "member_id", flat=True
            )
        )
        if member_ids - found:
            raise ValidationError(_("The person named was never a member of this KSM."))
    if group_ids:
        if not book.cooperative_id:
            _check_party_groups(book, group_ids)
            return
        found = set(
            CooperativeMembership.objects.filter(
                cooperative_id=book.cooperative_id, group_id__in=group_ids
            ).values_list("group_id", flat=True)
        )
        if group_ids - found:
            raise ValidationError(_("The KSM named was never a member of this cooperative."))


def _check_party_groups(book: Book, group_ids: set[int]) -> None:
    """A cooperative keeps accounts for its member KSM; a BUMDes for the KSM of its village."""
    if book.group_id:
        raise ValidationError(_("A KSM's books keep accounts for its members, not for KSM."))
    if book.cooperative_id:
        found = set(
            CooperativeMembership.objects.filter(
                cooperative_id=book.cooperative_id, group_id__in=group_ids, left_date__isnull=True
            ).values_list("group_id", flat=True)
        )
        message = _("The KSM is not a member of this cooperative.")
    else:
        found = set(
            SelfHelpGroup.objects.filter(
                pk__in=group_ids, village__bumdes__pk=book.bumdes_id
            ).values_list("pk", flat=True)
        )
        message = _("The KSM is not in this BUMDes's village.")
    if group_ids - found:
        raise ValidationError(message)


def _next_number(book: Book, year: int) -> int:
    """Under the book's row lock: the next gap-free number of the year, in one statement
    (SQLite and PostgreSQL share INSERT ... ON CONFLICT ... RETURNING)."""
    table = BookYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (book_id, year, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (book_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [book.pk, year],
        )
        return cursor.fetchone()[0]


def _entry_insert(entry: JournalEntry, lines: list[Line], queue: list) -> None:
    """Save the new entry with the next gap-free number of its book's year (under the book's
    row lock) and its lines, after the queued writes, and check the floors (floors.floors_check).
    On PostgreSQL all of it goes in one round trip: the queued statements, then one statement
    in which the year's counter is bumped in a data-modifying CTE, the entry's INSERT reads
    its number from it, the lines' INSERT its id, and the floors' reads follow. Elsewhere the
    queue, the counter, the save, the lines and the floors one by one."""
    if connection.vendor != "postgresql":
        sqlbatch.send(queue)
        entry.number = _next_number(entry.book, entry.year)
        entry.save()
        _insert_lines(entry, lines)
        floors_check(entry.book, entry.entry_date, lines)
        return
    entry.posted_at = timezone.now()
    years, table = BookYear._meta.db_table, JournalEntry._meta.db_table
    columns = (
        "book_id",
        "year",
        "entry_date",
        "description",
        "receipt_ref",
        "kind",
        "posted_by_id",
        "posted_at",
        "reversal_of_id",
        "token",
    )
    # Typed placeholders: a NULL in a VALUES list is text unless cast.
    row = "(" + ", ".join(f"%s::{kind}" for _column, kind in LINE_TYPES) + ")"
    sql = (
        f"WITH n AS (INSERT INTO {years} (book_id, year, last_number) VALUES (%s, %s, 1) "
        f"ON CONFLICT (book_id, year) DO UPDATE SET last_number = {years}.last_number + 1 "
        f"RETURNING last_number), "
        f"e AS (INSERT INTO {table} (number, {', '.join(columns)}) "
        f"SELECT n.last_number, {', '.join(['%s'] * len(columns))} FROM n "
        "RETURNING id, number, book_id, entry_date), "
        f"l AS (INSERT INTO {JournalLine._meta.db_table} "
        f"(entry_id, book_id, entry_date, {', '.join(column for column, _kind in LINE_TYPES)}) "
        f"SELECT e.id, e.book_id, e.entry_date, v.* FROM e CROSS JOIN "
        f"(VALUES {', '.join([row] * len(lines))}) AS v) "
        "SELECT -1, CAST(NULL AS date), id, number FROM e"
    )
    params = [entry.book_id, entry.year, *(getattr(entry, column) for column in columns)]
    params += [value for line in lines for value in line.values()]
    # The floors' reads come in the same statement: they see the totals written before it.
    floors = lowered_floors(lines)
    parts, floor_params = floors_sql(floors, entry.entry_date)
    rows = sqlbatch.send(queue, (" UNION ALL ".join([sql, *parts]), params + floor_params, True))
    ((_tag, _day, entry_id, entry.number),) = [row for row in rows if row[0] == -1]
    entry.pk = int(entry_id)
    entry._state.adding = False
    entry._state.db = connection.alias
    floors_refuse(
        floors, [row for row in rows if row[0] != -1], entry.entry_date, lines,
        own_lines_read=False,
    )  # fmt: skip


def _upsert_sql(table: str, key_columns: tuple[str, ...], rows: list[tuple]) -> tuple[str, list]:
    """Add debits and credits into a totals table in one statement (SQLite and PostgreSQL
    share the INSERT ... ON CONFLICT ... DO UPDATE syntax)."""
    columns = (*key_columns, "book_id", "debit", "credit")
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
        f"debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit"
    )
    return sql, [value for row in rows for value in row]


def _insert_lines(entry: JournalEntry, lines: list[Line]) -> None:
    """All of an entry's lines in one plain INSERT (bulk_create costs more Python per entry
    than the database work; posting is the hot path)."""
    columns = ("entry_id", "book_id", "entry_date", *(column for column, _ in COLUMNS))
    head = (entry.pk, entry.book_id, entry.entry_date)
    rows = [head + line.values() for line in lines]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    table = JournalLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders}",
            [value for row in rows for value in row],
        )


def _add_to_balances(book: Book, entry_date: datetime.date, lines: list[Line]) -> None:
    month = entry_date.replace(day=1)
    by_account: dict[int, list[Decimal]] = {}
    by_member: dict[tuple[int, int], list[Decimal]] = {}
    by_group: dict[tuple[int, int], list[Decimal]] = {}
    for line in lines:
        totals = by_account.setdefault(line.account.pk, [ZERO, ZERO])
        totals[0] += line.debit
        totals[1] += line.credit
        if line.member is not None:
            totals = by_member.setdefault((line.account.pk, line.member.pk), [ZERO, ZERO])
            totals[0] += line.debit
            totals[1] += line.credit
        if line.group is not None:
            totals = by_group.setdefault((line.account.pk, line.group.pk), [ZERO, ZERO])
            totals[0] += line.debit
            totals[1] += line.credit
    statements = [
        _upsert_sql(
            AccountMonth._meta.db_table,
            ("account_id", "month"),
            [(account, month, book.pk, d, c) for account, (d, c) in by_account.items()],
        )
    ]
    floored = {line.account.pk for line in lines if line.account.role in FLOORED_ROLES}
    if floored:
        statements.append(
            _upsert_sql(
                AccountDay._meta.db_table,
                ("account_id", "date"),
                [(a, entry_date, book.pk, *by_account[a]) for a in sorted(floored)],
            )
        )
    if by_member:
        statements.append(
            _upsert_sql(
                MemberBalance._meta.db_table,
                ("account_id", "member_id"),
                [(a, m, book.pk, d, c) for (a, m), (d, c) in by_member.items()],
            )
        )
    if by_group:
        statements.append(
            _upsert_sql(
                GroupBalance._meta.db_table,
                ("account_id", "group_id"),
                [(a, g, book.pk, d, c) for (a, g), (d, c) in by_group.items()],
            )
        )
    for sql, params in statements:
        sqlbatch.execute(sql, params, prepare=True)


@transaction.atomic
def journal_post(
    *,
    book: Book,
    entry_date: datetime.date,
    description: str,
    lines: list[Line],
    kind: str = EntryKind.GENERAL,
    actor=None,
    receipt_ref: str = "",
    token: str | None = None,
    reversal_of: JournalEntry | None = None,
) -> Posted:
    """Post one balanced entry. With a form token, a repeat of the same submission returns
    the entry already posted instead of posting again."""
    locked = _lock_for_entry(book, entry_date if activity_wanted(book) else None, token)
    book, activity = locked.book, locked.activity
    if locked.posted_id is not None:
        existing = JournalEntry.objects.get(pk=locked.posted_id)
        if existing.book_id != book.pk:
            raise ValidationError(_("This form does not belong to these books."))
        return Posted(entry=existing, created=False)
    description = " ".join((description or "").split())
    if not description:
        raise ValidationError({"description": _("Write what this was for.")})
    _check_date(book, entry_date)
    _check_lines(book, lines, kind)
    entry = JournalEntry(
        book=book,
        year=entry_date.year,
        entry_date=entry_date,
        description=description[:200],
        receipt_ref=(receipt_ref or "").strip()[:40],
        kind=kind,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
        reversal_of=reversal_of,
        token=token or None,
    )
    # The totals and the figures queue; the entry and its lines go last, with them.
    with sqlbatch.deferred() as queue:
        _add_to_balances(book, entry_date, lines)
        entry_figures_add(
            book,
            entry,
            lines,
            reversed_kind=reversal_of.kind if reversal_of is not None else None,
            activity=activity,
        )
    _entry_insert(entry, lines, queue)  # and the floors checked
    journal_rules.lines_apply(book, entry, lines)
    return Posted(entry=entry, created=True)


@transaction.atomic
def entry_reverse(
    *,
    entry: JournalEntry,
    actor=None,
    entry_date: datetime.date | None = None,
    reason: str = "",
    token: str | None = None,
) -> Posted:
    """Correct a posted entry by posting its mirror image, which points back at it."""
    _lock_book(entry.book)  # before the checks: two reversals of one entry cannot both pass
    if token:
        repeat = JournalEntry.objects.filter(token=token, book_id=entry.book_id).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed; post a new entry."))
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise ValidationError(_("This entry has already been reversed."))
    lines = [Line.mirror_of(line) for line in entry.lines.select_related(*RELATIONS.values())]
    journal_rules.reversal_check(entry, lines)
    description = _("Reversal of %(ref)s: %(reason)s") % {
        "ref": entry.reference,
        "reason": reason.strip() or entry.description,
    }
    posted = journal_post(
        book=entry.book,
        entry_date=entry_date or timezone.localdate(),
        description=description,
        lines=lines,
        kind=EntryKind.REVERSAL,
        actor=actor,
        receipt_ref=entry.receipt_ref,
        token=token,
        reversal_of=entry,
    )
    journal_rules.reversal_after(entry, lines)
    return posted


def member_balance(book: Book, member: Member, account: Account) -> Decimal:
    row = (
        MemberBalance.objects.filter(account=account, member=member)
        .values_list("debit", "credit")
        .first()
    )
    if row is None:
        return ZERO
    return (row[0] - row[1]) * account.sign
