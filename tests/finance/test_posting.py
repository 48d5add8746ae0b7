import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from finance.models import AccountMonth, JournalEntry, JournalLine, MemberBalance
from finance.services import (
    Line,
    account_for,
    cash_pay,
    cash_receive,
    entry_reverse,
    journal_post,
    savings_deposit,
    savings_withdraw,
)

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime.date(2017, 1, 10)


def test_a_new_book_gets_the_ksm_chart_of_accounts(book):
    codes = dict(book.accounts.values_list("role", "name"))
    assert codes["cash"] == "Kas"
    assert codes["savings_mandatory"] == "Simpanan Wajib"
    assert codes["current_surplus"] == "SHU Tahun Berjalan"
    assert book.accounts.filter(is_header=True).count() == 5


def test_cash_received_posts_a_balanced_numbered_entry(book, staff_user):
    posted = cash_receive(
        book=book,
        source="income_business",
        amount="150000",
        entry_date=JAN,
        description="Penjualan keripik",
        receipt_ref="K-01",
        actor=staff_user,
    )
    entry = posted.entry
    assert posted.created
    assert (entry.year, entry.number, entry.reference) == (2017, 1, "2017/00001")
    lines = {line.account.role: (line.debit, line.credit) for line in entry.lines.all()}
    assert lines == {"cash": (D("150000"), D("0")), "income_business": (D("0"), D("150000"))}
    assert entry.posted_by == staff_user


def test_numbers_run_without_gaps_per_book_and_restart_each_year(book):
    for day in (datetime.date(2017, 1, 5), datetime.date(2017, 3, 1)):
        cash_receive(
            book=book, source="income_other", amount=1000, entry_date=day, description="Bunga"
        )
    entry = cash_pay(
        book=book,
        category="expense_admin",
        amount=500,
        entry_date=datetime.date(2017, 3, 2),
        description="ATK",
    ).entry
    assert list(
        JournalEntry.objects.filter(book=book, year=2017)
        .values_list("number", flat=True)
        .order_by("number")
    ) == [1, 2, 3]
    assert entry.number == 3


def test_balances_are_kept_per_account_month_and_member(book, saver):
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=50000, entry_date=JAN
    )
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=25000, entry_date=JAN
    )
    cash = account_for(book, "cash")
    month = AccountMonth.objects.get(account=cash, month=datetime.date(2017, 1, 1))
    assert (month.debit, month.credit) == (D("75000"), D("0"))
    balance = MemberBalance.objects.get(member=saver, account__role="savings_voluntary")
    assert balance.balance == D("75000")


def test_a_withdrawal_beyond_the_members_voluntary_savings_is_refused(book, saver):
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=40000, entry_date=JAN
    )
    with pytest.raises(ValidationError) as error:
        savings_withdraw(book=book, member=saver, amount=40001, entry_date=JAN)
    assert "amount" in error.value.message_dict
    assert JournalEntry.objects.filter(book=book).count() == 1
    savings_withdraw(book=book, member=saver, amount=40000, entry_date=JAN)
    assert MemberBalance.objects.get(member=saver, account__role="savings_voluntary").balance == 0


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(book):
    cash, income = account_for(book, "cash"), account_for(book, "income_other")
    with pytest.raises(ValidationError):
        journal_post(
            book=book,
            entry_date=JAN,
            description="x",
            lines=[Line(account=cash, debit=D("100")), Line(account=income, credit=D("99"))],
        )
    assert not JournalEntry.objects.exists()
    assert not AccountMonth.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001", "1e30", "NaN"])
def test_bad_amounts_are_refused_with_a_message_on_the_amount(book, amount):
    with pytest.raises(ValidationError) as error:
        cash_receive(
            book=book, source="income_other", amount=amount, entry_date=JAN, description="x"
        )
    assert "amount" in error.value.message_dict
    assert not JournalEntry.objects.exists()


def test_dates_in_the_future_or_before_the_book_opened_are_refused(book):
    for day in (datetime.date(2016, 12, 31), timezone.localdate() + datetime.timedelta(days=2)):
        with pytest.raises(ValidationError) as error:
            cash_receive(
                book=book, source="income_other", amount=1, entry_date=day, description="x"
            )
        assert "entry_date" in error.value.message_dict


def test_an_account_of_another_book_cannot_be_used(book, other_village):
    from finance.services import book_open
    from tests.groups.factories import SelfHelpGroupFactory

    other = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)
    with pytest.raises(ValidationError):
        journal_post(
            book=book,
            entry_date=JAN,
            description="x",
            lines=[
                Line(account=account_for(book, "cash"), debit=D("10")),
                Line(account=account_for(other, "income_other"), credit=D("10")),
            ],
        )


def test_a_savings_line_must_name_an_active_member_of_the_group(book, other_village):
    from tests.groups.factories import MembershipFactory

    outsider = MembershipFactory().member
    with pytest.raises(ValidationError):
        savings_deposit(
            book=book,
            member=outsider,
            savings_type="savings_mandatory",
            amount=10000,
            entry_date=JAN,
        )


def test_a_form_token_posts_once_however_often_it_is_submitted(book):
    first = cash_receive(
        book=book, source="income_other", amount=1000, entry_date=JAN, description="x", token="t-1"
    )
    again = cash_receive(
        book=book, source="income_other", amount=1000, entry_date=JAN, description="x", token="t-1"
    )
    assert first.created and not again.created
    assert again.entry == first.entry
    assert JournalEntry.objects.count() == 1


def test_a_reversal_mirrors_the_entry_and_points_back_at_it(book, saver):
    original = savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=30000, entry_date=JAN
    ).entry
    reversal = entry_reverse(entry=original, entry_date=JAN, reason="salah anggota").entry
    assert reversal.reversal_of == original
    assert original.reversed_by == reversal
    assert MemberBalance.objects.get(member=saver, account__role="savings_voluntary").balance == 0
    with pytest.raises(ValidationError):
        entry_reverse(entry=original, entry_date=JAN)


def test_posted_entries_cannot_be_changed_or_deleted_through_the_orm(book):
    entry = cash_receive(
        book=book, source="income_other", amount=1000, entry_date=JAN, description="x"
    ).entry
    entry.description = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        entry.lines.first().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_on_postgresql_a_trigger_refuses_updates_and_deletes_past_the_orm(book):
    entry = cash_receive(
        book=book, source="income_other", amount=1000, entry_date=JAN, description="x"
    ).entry
    for statement in (
        lambda: JournalEntry.objects.filter(pk=entry.pk).update(description="changed"),
        lambda: JournalLine.objects.filter(entry=entry).update(debit=D("5")),
        lambda: JournalLine.objects.filter(entry=entry)._raw_delete("default"),
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            statement()
    assert JournalEntry.objects.get(pk=entry.pk).description == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_on_postgresql_an_entry_that_does_not_balance_cannot_be_committed(book):
    cash = account_for(book, "cash")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        entry = JournalEntry.objects.create(
            book=book, year=2017, number=99, entry_date=JAN, description="bypass", kind="general"
        )
        JournalLine.objects.bulk_create(
            [JournalLine(entry=entry, book=book, entry_date=JAN, account=cash, debit=D("10"))]
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL foreign key")
def test_on_postgresql_a_line_cannot_use_an_account_of_another_book(book, other_village):
    from finance.services import book_open
    from tests.groups.factories import SelfHelpGroupFactory

    other = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)
    entry = cash_receive(
        book=book, source="income_other", amount=5, entry_date=JAN, description="x"
    ).entry
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    entry=entry,
                    book=book,
                    entry_date=JAN,
                    account=account_for(other, "cash"),
                    debit=D("1"),
                )
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
