"""Whatever valid operations a treasurer makes, in whatever order, the books stay sound.

Hypothesis generates sequences of deposits of each savings type, withdrawals within the
member's balance, cash received and paid, cash to and from the bank, reversals of earlier
entries and general journal entries, with amounts down to the cent and dates anywhere in 2017,
on a fresh book. After each sequence: every entry balances, the trial balance nets to zero,
assets = liabilities + equity + this year's surplus (income - expenses), the maintained totals
equal the lines, every member's kept balance equals the sum of their lines, and verify_books
agrees. Each example runs in a savepoint that is rolled back, so examples do not see each other.
"""

import datetime
import io
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.charts import MEMBER_LEDGER_ROLES
from finance.models import (
    ZERO,
    AccountType,
    EntryKind,
    JournalEntry,
    JournalLine,
    MemberBalance,
)
from finance.selectors import balances
from finance.selectors.savings import pokok_due
from finance.services import (
    CASH_IN_SOURCES,
    CASH_OUT_CATEGORIES,
    SAVINGS_TYPES,
    Line,
    account_for,
    bank_transfer,
    book_open,
    cash_pay,
    cash_receive,
    entry_reverse,
    journal_post,
    member_balance,
    savings_deposit,
    savings_withdraw,
)
from finance.services.floors import BELOW_ZERO
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory

pytestmark = pytest.mark.django_db

OPENED = datetime.date(2017, 1, 1)
YEAR_END = datetime.date(2017, 12, 31)
CENT = Decimal("0.01")
MEMBERS = 3

amounts = st.decimals(
    min_value=CENT, max_value=Decimal("50000000"), places=2, allow_nan=False, allow_infinity=False
)
days = st.integers(min_value=0, max_value=364)
members = st.integers(min_value=0, max_value=MEMBERS - 1)
operations = st.one_of(
    st.tuples(st.just("deposit"), days, members, st.sampled_from(SAVINGS_TYPES), amounts),
    st.tuples(st.just("withdraw"), days, members, st.integers(min_value=1, max_value=100)),
    st.tuples(st.just("cash_in"), days, st.sampled_from(CASH_IN_SOURCES), amounts),
    st.tuples(st.just("cash_out"), days, st.sampled_from(CASH_OUT_CATEGORIES), amounts),
    st.tuples(st.just("bank"), days, st.sampled_from(("to_bank", "from_bank")), amounts),
    st.tuples(st.just("reverse"), days, st.integers(min_value=0, max_value=10_000)),
    st.tuples(
        st.just("general"),
        days,
        st.lists(st.tuples(st.integers(0, 100), amounts), min_size=1, max_size=3),
        st.lists(st.integers(0, 100), min_size=1, max_size=2),
    ),
)


class Treasurer:
    """Carries out one generated operation on the book, keeping it valid: a withdrawal
    takes a share of what the member has, a reversal picks an entry that can be reversed. An
    operation that would leave Kas, the bank or a member's savings below zero on some date is
    refused by the journal (and counted); any other refusal fails the test."""

    def __init__(self, book, people):
        self.book, self.people = book, people
        self.voluntary = account_for(book, "savings_voluntary")
        self.free_accounts = list(
            book.accounts.filter(is_header=False)
            .exclude(role__in=MEMBER_LEDGER_ROLES)
            .order_by("code")
        )
        self.reversible: list[JournalEntry] = []
        self.refused = 0

    def do(self, operation):
        name, offset, *args = operation
        day = OPENED + datetime.timedelta(days=offset)
        try:
            posted = getattr(self, name)(day, *args)
        except ValidationError as error:
            codes = [e.code for errors in error.error_dict.values() for e in errors]
            if codes != [BELOW_ZERO]:
                raise
            self.refused += 1
            return
        if posted is not None and posted.entry.kind != EntryKind.REVERSAL:
            self.reversible.append(posted.entry)

    def deposit(self, day, who, savings_type, amount):
        if savings_type == "savings_principal":
            # Simpanan pokok is paid once per membership (and never more than is due): a
            # treasurer pays what is still owed, or nothing.
            account = account_for(self.book, savings_type)
            due = pokok_due(self.book, account, day, member=self.people[who]).due
            if due is not None:
                if due <= 0:
                    return None
                amount = min(amount, due)
        return savings_deposit(
            book=self.book,
            member=self.people[who],
            savings_type=savings_type,
            amount=amount,
            entry_date=day,
        )

    def withdraw(self, day, who, percent):
        balance = member_balance(self.book, self.people[who], self.voluntary)
        amount = (balance * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
        if amount <= 0:
            return None
        return savings_withdraw(
            book=self.book, member=self.people[who], amount=amount, entry_date=day
        )

    def cash_in(self, day, source, amount):
        return cash_receive(
            book=self.book, source=source, amount=amount, entry_date=day, description="Masuk"
        )

    def cash_out(self, day, category, amount):
        return cash_pay(
            book=self.book, category=category, amount=amount, entry_date=day, description="Keluar"
        )

    def bank(self, day, direction, amount):
        return bank_transfer(
            book=self.book, direction=direction, amount=amount, entry_date=day, description="Bank"
        )

    def reverse(self, day, pick):
        if not self.reversible:
            return None
        entry = self.reversible.pop(pick % len(self.reversible))
        entry_reverse(entry=entry, entry_date=max(day, entry.entry_date), reason="koreksi")
        return None

    def general(self, day, debits, credit_picks):
        """Debit lines as generated; their total credited to one or two accounts."""
        accounts = self.free_accounts
        lines = [Line(account=accounts[i % len(accounts)], debit=amount) for i, amount in debits]
        total = sum(amount for _i, amount in debits)
        first = (total / 3).quantize(CENT, rounding=ROUND_DOWN)
        shares = [first, total - first] if len(credit_picks) == 2 and first > 0 else [total]
        lines += [
            Line(account=accounts[i % len(accounts)], credit=share)
            for i, share in zip(credit_picks, shares, strict=False)
        ]
        return journal_post(book=self.book, entry_date=day, description="Jurnal umum", lines=lines)


def assert_the_books_are_sound(book, treasurer):
    entries = JournalEntry.objects.filter(book=book).annotate(
        lines_count=Count("lines"), debit=Sum("lines__debit"), credit=Sum("lines__credit")
    )
    for entry in entries:
        assert entry.lines_count >= 2, entry
        assert entry.debit == entry.credit, entry

    from_lines = {
        row["account_id"]: (row["debit"], row["credit"])
        for row in JournalLine.objects.filter(book=book)
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    assert sum(d for d, _c in from_lines.values()) == sum(c for _d, c in from_lines.values())

    by_type = dict.fromkeys(AccountType.values, ZERO)
    for kept in balances(book, date_to=YEAR_END):  # from the maintained monthly totals
        assert (kept.debit, kept.credit) == from_lines.get(kept.account.pk, (ZERO, ZERO))
        by_type[kept.account.type] += kept.debit - kept.credit  # debit positive
    assets = by_type["asset"]
    liabilities, equity = -by_type["liability"], -by_type["equity"]
    surplus = -by_type["income"] - by_type["expense"]
    assert assets == liabilities + equity + surplus

    member_lines = {
        (row["account_id"], row["member_id"]): (row["debit"], row["credit"])
        for row in JournalLine.objects.filter(book=book, member__isnull=False)
        .values("account_id", "member_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    kept = {
        (row.account_id, row.member_id): (row.debit, row.credit)
        for row in MemberBalance.objects.filter(book=book)
    }
    assert kept == member_lines
    voluntary = treasurer.voluntary.pk  # nothing ever took more than was there
    assert all(c >= d for (account, _m), (d, c) in kept.items() if account == voluntary)

    call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=14))
def test_any_sequence_of_valid_operations_keeps_the_books_sound(db, steps):
    with transaction.atomic():
        ksm = SelfHelpGroupFactory()
        people = [
            MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
            for _ in range(MEMBERS)
        ]
        book = book_open(owner=ksm, opening_date=OPENED)
        treasurer = Treasurer(book, people)
        for step in steps:
            treasurer.do(step)
        assert_the_books_are_sound(book, treasurer)
        transaction.set_rollback(True)
