"""verify_books passes clean books and catches each kind of planted violation.

Violations are planted past the services (bulk_create, queryset update, raw SQL), as a buggy
import or a hand edit of the database would. On PostgreSQL the journal tables' triggers would
refuse most of them (immutability, the deferred balance checks at commit, the composite foreign
keys): the `planting` fixture first fires whatever deferred checks are pending (SET CONSTRAINTS
ALL IMMEDIATE), switches the triggers of the journal tables off (ALTER TABLE ... DISABLE
TRIGGER ALL, so no check is queued for the planted rows), and at teardown deletes the journal
rows of the test and switches the triggers back on, all inside the test's transaction.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from finance.models import (
    Account,
    AccountMonth,
    BookYear,
    FiscalPeriod,
    JournalEntry,
    JournalLine,
    Loan,
    MemberBalance,
)
from finance.money import rupiah
from finance.services import (
    Line,
    OpeningLoan,
    account_for,
    bank_transfer,
    book_open,
    cash_pay,
    cash_receive,
    entry_reverse,
    journal_post,
    loan_repay,
    opening_balances_post,
    savings_deposit,
    savings_withdraw,
)
from finance.services.posting import _add_to_balances
from tests.groups.factories import SelfHelpGroupFactory

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime.date(2017, 1, 10)
JOURNAL_TABLES = (JournalEntry._meta.db_table, JournalLine._meta.db_table)


def plain(value) -> str:
    """An amount as the command prints it: an ordinary space after Rp."""
    return rupiah(value, plain=True)


def verify(*args) -> tuple[int, str]:
    """Run the command as the shell would see it: (exit status, report)."""
    out = io.StringIO()
    try:
        call_command("verify_books", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def planting(db):
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in JOURNAL_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    yield
    with connection.cursor() as cursor:
        line, entry = JOURNAL_TABLES[1], JOURNAL_TABLES[0]
        cursor.execute(f"DELETE FROM {line}")
        cursor.execute(f"DELETE FROM {entry}")
        for table in JOURNAL_TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def plant(book, lines, *, entry_date=JAN, number=None, year=None):
    """An entry written past the services. It takes the next number (and bumps the book's
    sequence) unless told otherwise, and adds to the maintained totals as a posting would, so
    that only the planted fault shows. A line given as (Line, date) gets that date."""
    year = year or entry_date.year
    sequence, _ = BookYear.objects.get_or_create(book=book, year=year)
    if number is None:
        number = sequence.last_number + 1
    BookYear.objects.filter(pk=sequence.pk).update(last_number=max(number, sequence.last_number))
    [entry] = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                book=book,
                year=year,
                number=number,
                entry_date=entry_date,
                description="ditanam",
                kind="general",
            )
        ]
    )
    dated = [item if isinstance(item, tuple) else (item, entry_date) for item in lines]
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry,
            book=book,
            entry_date=line_date,
            account=line.account,
            member=line.member,
            debit=line.debit,
            credit=line.credit,
        )
        for line, line_date in dated
    )
    _add_to_balances(book, entry_date, [line for line, _date in dated])
    return entry


def problems(report: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith("book ")]


@pytest.fixture
def busy_book(book, saver):
    """A month of ordinary postings through the services, a reversal among them."""
    savings_deposit(
        book=book, member=saver, savings_type="savings_principal", amount=25000, entry_date=JAN
    )
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=80000, entry_date=JAN
    )
    savings_withdraw(book=book, member=saver, amount=30000, entry_date=JAN)
    cash_receive(
        book=book, source="income_business", amount=150000, entry_date=JAN, description="Jualan"
    )
    wrong = cash_pay(
        book=book, category="expense_admin", amount=12500, entry_date=JAN, description="ATK"
    )
    entry_reverse(entry=wrong.entry, entry_date=JAN, reason="salah kategori")
    bank_transfer(
        book=book, direction="to_bank", amount=100000, entry_date=JAN, description="Setor"
    )
    return book


@pytest.fixture
def cash(busy_book):
    return account_for(busy_book, "cash")


@pytest.fixture
def income(busy_book):
    return account_for(busy_book, "income_other")


def test_clean_books_pass_with_a_one_line_summary_and_exit_zero(busy_book, other_village):
    book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)

    status, report = verify()

    assert status == 0
    assert report.strip().splitlines() == [report.strip()]
    assert "2 book(s), 7 entries, 14 lines: every invariant holds" in report


def test_one_book_can_be_checked_alone_and_an_unknown_id_is_an_error(busy_book):
    status, report = verify("--book", str(busy_book.pk))
    assert status == 0
    assert "1 book(s)" in report
    with pytest.raises(CommandError, match="no book with id"):
        call_command("verify_books", "--book", "999999", stdout=io.StringIO())


def test_an_unbalanced_entry_is_reported(busy_book, cash, income, planting):
    entry = plant(busy_book, [Line(cash, debit=D("100")), Line(income, credit=D("90"))])

    status, report = verify()

    assert status == 1
    assert f"book {busy_book.pk} (" in report
    assert f"{entry.reference}: does not balance: debits Rp 100, credits Rp 90" in report
    assert "trial balance: does not net to zero: debits" in report
    assert "2 violation(s) in 1 of 1 book(s)" in report


def test_an_entry_with_a_single_line_is_reported(busy_book, cash, planting):
    entry = plant(busy_book, [Line(cash, debit=D("100"))])

    status, report = verify()

    assert status == 1
    assert f"{entry.reference}: has 1 line(s); an entry needs at least two" in report


def test_a_gap_in_the_numbers_is_reported(busy_book, cash, income, planting):
    plant(busy_book, [Line(cash, debit=D("5")), Line(income, credit=D("5"))], number=9)

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): 2017: entry numbers are not gap-free: 1 missing "
        "between 1 and 9 (missing: 2017/00008)"
    ]


def test_an_entry_lost_after_the_last_number_is_reported(busy_book):
    BookYear.objects.filter(book=busy_book, year=2017).update(last_number=F("last_number") + 1)

    status, report = verify()

    assert status == 1
    assert "handed out numbers through 2017/00008 but the last entry is 2017/00007" in report


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite cannot drop the unique constraint that makes a duplicate number impossible",
)
def test_a_duplicate_number_is_reported(busy_book, cash, income, planting):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(
            f"ALTER TABLE {JOURNAL_TABLES[0]} DROP CONSTRAINT entry_number_unique_in_book_year"
        )
    plant(busy_book, [Line(cash, debit=D("5")), Line(income, credit=D("5"))], number=3)

    status, report = verify()

    assert status == 1
    assert "2017/00003: number is used by 2 entries" in report


def test_a_line_on_another_books_account_is_reported(busy_book, cash, other_village, planting):
    other = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)
    foreign = account_for(other, "income_other")
    entry = plant(busy_book, [Line(cash, debit=D("5")), Line(foreign, credit=D("5"))])

    status, report = verify()

    assert status == 1
    assert (
        f"{entry.reference}: has a line on account 4.04 of another book (book {other.pk})" in report
    )


def test_a_line_dated_otherwise_than_its_entry_is_reported(busy_book, cash, income, planting):
    entry = plant(
        busy_book,
        [Line(cash, debit=D("5")), (Line(income, credit=D("5")), datetime.date(2017, 1, 11))],
    )

    status, report = verify()

    assert status == 1
    assert (
        f"{entry.reference}: has a line dated 2017-01-11; the entry is dated 2017-01-10" in report
    )


def test_a_line_recorded_in_another_book_than_its_entry_is_reported(
    busy_book, cash, income, other_village, planting
):
    other = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)
    entry = plant(busy_book, [Line(cash, debit=D("5")), Line(income, credit=D("5"))])
    JournalLine.objects.bulk_create(
        [
            JournalLine(entry=entry, book=other, entry_date=JAN, account=cash, debit=D("1")),
            JournalLine(entry=entry, book=other, entry_date=JAN, account=cash, credit=D("1")),
        ]
    )

    status, report = verify("--book", str(busy_book.pk))

    assert status == 1
    assert f"{entry.reference}: has a line recorded in book {other.pk}" in report


def test_an_entry_numbered_in_another_year_than_its_date_is_reported(
    busy_book, cash, income, planting
):
    entry = plant(busy_book, [Line(cash, debit=D("5")), Line(income, credit=D("5"))], year=2016)

    status, report = verify()

    assert status == 1
    assert f"{entry.reference}: is numbered in 2016 but dated 2017-01-10" in report


def test_an_entry_dated_before_the_books_opened_is_reported(busy_book, cash, income, planting):
    entry = plant(
        busy_book,
        [Line(cash, debit=D("5")), Line(income, credit=D("5"))],
        entry_date=datetime.date(2016, 12, 31),
    )

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): {entry.reference}: is dated 2016-12-31, before "
        "the books opened on 2017-01-01"
    ]


def test_a_savings_line_naming_no_member_is_reported(busy_book, cash, planting):
    savings = account_for(busy_book, "savings_voluntary")
    entry = plant(busy_book, [Line(cash, debit=D("5")), Line(savings, credit=D("5"))])

    status, report = verify()

    assert status == 1
    assert f"{entry.reference}: has a line on member account 2.01 that names no member" in report


def test_a_tampered_monthly_total_is_reported(busy_book, cash):
    AccountMonth.objects.filter(account=cash).update(debit=F("debit") + 1)

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): account 1.01 Kas, 01-2017: the kept monthly "
        "totals (debit Rp 267.501, credit Rp 142.500) differ from its lines (debit Rp 267.500, "
        "credit Rp 142.500)"
    ]


def test_a_missing_monthly_total_is_reported(busy_book, cash):
    AccountMonth.objects.filter(account=cash).delete()

    status, report = verify()

    assert status == 1
    assert "account 1.01 Kas, 01-2017: the kept monthly totals (debit Rp 0, credit Rp 0)" in report


def test_a_tampered_member_balance_is_reported(busy_book, saver):
    MemberBalance.objects.filter(member=saver, account__role="savings_voluntary").update(
        credit=F("credit") + 500
    )

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): account 2.01 Simpanan Sukarela, member "
        f"#{saver.pk}: the kept member balance (debit Rp 30.000, credit Rp 80.500) differs from "
        "the member's lines (debit Rp 30.000, credit Rp 80.000)"
    ]


def test_an_entry_posted_into_a_month_after_it_was_closed_is_reported(busy_book, cash, income):
    FiscalPeriod.objects.bulk_create(
        [FiscalPeriod(book=busy_book, month=datetime.date(2017, 1, 1), closed_at=timezone.now())]
    )
    # The book's lock date was not moved with the period: the service lets the entry through.
    late = journal_post(
        book=busy_book,
        entry_date=datetime.date(2017, 1, 31),
        description="Terlambat",
        lines=[Line(cash, debit=D("5")), Line(income, credit=D("5"))],
    ).entry
    february = journal_post(
        book=busy_book,
        entry_date=datetime.date(2017, 2, 1),
        description="Bulan berikutnya",
        lines=[Line(cash, debit=D("5")), Line(income, credit=D("5"))],
    ).entry

    status, report = verify()

    assert status == 1
    [problem] = problems(report)  # the entries posted before the close pass
    assert f"{late.reference}: is dated 2017-01-31 but was posted at" in problem
    assert "after 01-2017 was closed at" in problem
    assert february.reference not in report


def test_an_entry_posted_while_its_month_was_reopened_passes(busy_book, cash, income):
    now = timezone.now()
    period = FiscalPeriod.objects.create(
        book=busy_book, month=datetime.date(2017, 1, 1), closed_at=now - datetime.timedelta(hours=2)
    )
    period.reopened_at = now - datetime.timedelta(hours=1)
    period.save()
    journal_post(
        book=busy_book,
        entry_date=datetime.date(2017, 1, 31),
        description="Koreksi saat dibuka kembali",
        lines=[Line(cash, debit=D("5")), Line(income, credit=D("5"))],
    )
    assert verify()[0] == 0

    period.closed_at = timezone.now()  # closed again: what was posted meanwhile still passes
    period.save()

    assert verify()[0] == 0


def test_a_close_that_only_the_history_remembers_still_counts(busy_book, cash, income):
    period = FiscalPeriod.objects.create(
        book=busy_book, month=datetime.date(2017, 1, 1), closed_at=timezone.now()
    )
    late = journal_post(
        book=busy_book,
        entry_date=datetime.date(2017, 1, 31),
        description="Terlambat",
        lines=[Line(cash, debit=D("5")), Line(income, credit=D("5"))],
    ).entry
    period.closed_at = None  # reopened by clearing the close, after the entry went in
    period.save()

    status, report = verify()

    assert status == 1
    assert f"{late.reference}: is dated 2017-01-31 but was posted at" in report


def test_every_violation_of_several_books_is_listed_each_on_its_own_line(
    busy_book, cash, income, other_village, planting
):
    other = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)
    plant(busy_book, [Line(cash, debit=D("100")), Line(income, credit=D("90"))])
    other_cash = account_for(other, "cash")
    AccountMonth.objects.create(
        account=other_cash, book=other, month=datetime.date(2017, 3, 1), debit=D("7")
    )

    status, report = verify()

    assert status == 1
    found = problems(report)
    assert len(found) == 3
    assert {line.split(" ")[1] for line in found} == {str(busy_book.pk), str(other.pk)}
    assert "3 violation(s) in 2 of 2 book(s)" in report


# --- Loans receivable against the loans lent --------------------------------------------------


def test_a_loan_receivable_line_without_a_loan_record_is_reported(busy_book, saver, cash):
    receivable = account_for(busy_book, "loans_receivable")
    journal_post(
        book=busy_book,
        entry_date=JAN,
        description="Pinjaman tanpa kartu",
        lines=[Line(receivable, debit=D("100000"), member=saver), Line(cash, credit=D("100000"))],
    )

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): account 1.03 Piutang Pinjaman Anggota: stands at "
        "Rp 100.000 but the loans lent have Rp 0 of principal outstanding; 1 line(s) on it "
        "carry no loan"
    ]


def test_an_opening_with_loans_brought_forward_and_repaid_passes(book, saver):
    posted = opening_balances_post(
        book=book,
        cutoff_date=datetime.date(2017, 1, 1),
        cash=D("100000"),
        member_loans=[
            OpeningLoan(
                member=saver,
                principal_left=D("600000"),
                monthly_rate=D("1.5"),
                interest_method="flat",
                remaining_months=6,
                next_due_date=JAN,
            )
        ],
    )
    loan_repay(loan=posted.entry.lines.get(loan__isnull=False).loan, amount=109000, paid_date=JAN)

    status, report = verify()

    assert status == 0, report
    assert "every invariant holds" in report


def test_a_cash_balance_below_zero_on_an_earlier_date_is_reported_with_the_date(
    busy_book, cash, planting
):
    expense = account_for(busy_book, "expense_admin")
    plant(
        busy_book,
        [Line(expense, debit=D("50000")), Line(cash, credit=D("50000"))],
        entry_date=datetime.date(2017, 1, 5),
    )

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): account 1.01 Kas: runs below zero on 1 day(s); "
        "lowest -Rp 50.000 on 05-01-2017"
    ]


def test_a_bank_balance_beyond_its_overdraft_limit_is_reported_with_the_limit(
    busy_book, cash, planting
):
    bank = account_for(busy_book, "bank")
    Account.objects.filter(pk=bank.pk).update(overdraft_limit=D("20000"))
    plant(busy_book, [Line(cash, debit=D("130000")), Line(bank, credit=D("130000"))])

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): account 1.02 Bank: runs below zero (overdraft "
        "limit Rp 20.000) on 1 day(s); lowest -Rp 30.000 on 10-01-2017"
    ]


def test_a_members_savings_below_zero_on_some_date_is_reported_with_the_member(
    busy_book, saver, income, planting
):
    voluntary = account_for(busy_book, "savings_voluntary")
    plant(
        busy_book,
        [Line(voluntary, debit=D("60000"), member=saver), Line(income, credit=D("60000"))],
    )

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {busy_book.pk} ({busy_book}): account 2.01 Simpanan Sukarela, member "
        f"#{saver.pk}: runs below zero on 1 day(s); lowest -Rp 10.000 on 10-01-2017"
    ]


def test_a_loan_record_that_disagrees_with_its_lines_is_reported(book, saver):
    posted = opening_balances_post(
        book=book,
        cutoff_date=datetime.date(2017, 1, 1),
        cash=D("100000"),
        member_loans=[
            OpeningLoan(
                member=saver,
                principal_left=D("600000"),
                monthly_rate=D("1.5"),
                interest_method="flat",
                remaining_months=6,
                next_due_date=JAN,
            )
        ],
    )
    loan = posted.entry.lines.get(loan__isnull=False).loan
    loan_repay(loan=loan, amount=109000, paid_date=JAN)
    loan.refresh_from_db()
    Loan.objects.filter(pk=loan.pk).update(balance=F("balance") - D("1000"), written_off=D("5000"))

    status, report = verify()

    assert status == 1
    assert problems(report) == [
        f"book {book.pk} ({book}): {loan.reference}: keeps balance "
        f"{plain(loan.balance - D('1000'))}; its lines give {plain(loan.balance)}",
        f"book {book.pk} ({book}): {loan.reference}: keeps written_off Rp 5.000; its lines "
        "give Rp 0",
        f"book {book.pk} ({book}): account 1.03 Piutang Pinjaman Anggota: stands at "
        f"{plain(loan.balance)} but the loans lent have {plain(loan.balance - D('1000'))} of "
        "principal outstanding",
    ]
