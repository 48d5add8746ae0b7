"""No impossible balance on any date: Kas, the bank account (down to minus its overdraft
limit) and each member's savings by type never end a day below zero, whichever form, reversal
or back-dated entry tries; a refusal names the date and the shortfall and writes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.charts import SAVINGS_ROLES
from finance.models import FLOORED_ROLES, AccountDay, BookYear, JournalEntry, JournalLine
from finance.services import (
    account_for,
    bank_transfer,
    book_open,
    cash_pay,
    cash_receive,
    entry_reverse,
    savings_deposit,
    savings_withdraw,
)
from finance.services.accounts import account_update
from finance.services.floors import BELOW_ZERO
from tests.finance.test_properties import MEMBERS, OPENED, Treasurer, operations
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory

pytestmark = pytest.mark.django_db
D = Decimal


def day(n: int) -> datetime.date:
    return datetime.date(2017, 1, n)


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def written(book) -> tuple:
    """Everything a posting writes, to show a refusal wrote none of it."""
    return (
        JournalEntry.objects.filter(book=book).count(),
        JournalLine.objects.filter(book=book).count(),
        list(AccountDay.objects.filter(book=book).values_list("date", "debit", "credit")),
        list(BookYear.objects.filter(book=book).values_list("year", "last_number")),
    )


def test_a_cash_payment_beyond_the_cash_is_refused_with_the_date_and_the_shortfall(book):
    cash_receive(
        book=book,
        source="income_business",
        amount=D("6462750"),
        entry_date=day(5),
        description="Jual",
    )
    before = written(book)

    with pytest.raises(ValidationError) as refused:
        cash_pay(
            book=book,
            category="expense_other",
            amount=D("50000000"),
            entry_date=day(12),
            description="Beli",
        )

    assert refused.value.message_dict["amount"] == [
        "Saldo Kas pada 12-01-2017 akan menjadi -\u2060Rp\u00a043.537.250: kurang "
        "Rp\u00a043.537.250."
    ]
    assert written(book) == before


def test_a_cash_payment_of_exactly_the_cash_posts(book):
    cash_receive(
        book=book, source="grant", amount=D("100000"), entry_date=day(5), description="Hibah"
    )

    cash_pay(
        book=book,
        category="expense_admin",
        amount=D("100000"),
        entry_date=day(5),
        description="ATK",
    )

    assert JournalEntry.objects.filter(book=book).count() == 2


def test_a_bank_withdrawal_beyond_the_bank_balance_is_refused(book):
    cash_receive(
        book=book, source="grant", amount=D("500000"), entry_date=day(2), description="Hibah"
    )
    bank_transfer(
        book=book, direction="to_bank", amount=D("100000"), entry_date=day(3), description="Setor"
    )
    before = written(book)

    with pytest.raises(ValidationError) as refused:
        bank_transfer(
            book=book,
            direction="from_bank",
            amount=D("150000"),
            entry_date=day(4),
            description="Tarik",
        )

    assert refusal(refused.value) == (
        "Saldo Bank pada 04-01-2017 akan menjadi -\u2060Rp\u00a050.000: kurang Rp\u00a050.000."
    )
    assert written(book) == before


def test_a_bank_overdraft_is_allowed_down_to_the_accounts_limit_and_no_further(book):
    bank = account_for(book, "bank")
    account_update(account=bank, overdraft_limit=D("50000"))
    bank_transfer(
        book=book, direction="from_bank", amount=D("50000"), entry_date=day(4), description="Tarik"
    )

    with pytest.raises(ValidationError) as refused:
        bank_transfer(
            book=book, direction="from_bank", amount=D("1"), entry_date=day(5), description="Tarik"
        )

    assert refusal(refused.value) == (
        "Saldo Bank pada 05-01-2017 akan menjadi -\u2060Rp\u00a050.001, melewati batas cerukan "
        "Rp\u00a050.000: kurang Rp\u00a01."
    )
    assert AccountDay.objects.get(account=bank).credit == D("50000")


def test_an_overdraft_limit_cannot_be_lowered_below_what_the_bank_balance_already_used(book):
    bank = account_for(book, "bank")
    account_update(account=bank, overdraft_limit=D("50000"))
    bank_transfer(
        book=book, direction="from_bank", amount=D("30000"), entry_date=day(4), description="Tarik"
    )

    with pytest.raises(ValidationError) as refused:
        account_update(account=bank, overdraft_limit=D("10000"))

    assert "batasnya tidak boleh kurang dari Rp\u00a030.000" in refusal(refused.value)
    bank.refresh_from_db()
    assert bank.overdraft_limit == D("50000")


def test_only_the_bank_account_has_an_overdraft_limit(book):
    with pytest.raises(ValidationError) as refused:
        account_update(account=account_for(book, "cash"), overdraft_limit=D("1000"))

    assert refusal(refused.value) == "Hanya rekening bank yang dapat memiliki batas cerukan."


def test_a_back_dated_voluntary_withdrawal_before_the_deposit_is_refused_naming_the_date(
    book, saver
):
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_voluntary",
        amount=D("100000"),
        entry_date=day(20),
    )
    before = written(book)

    with pytest.raises(ValidationError) as refused:
        savings_withdraw(book=book, member=saver, amount=D("30000"), entry_date=day(10))

    assert refusal(refused.value) == (
        f"Saldo Simpanan Sukarela {saver.full_name} pada 10-01-2017 akan menjadi "
        f"-\u2060Rp\u00a030.000: "
        "kurang Rp\u00a030.000."
    )
    assert written(book) == before


def test_a_back_dated_payment_that_would_make_a_later_date_negative_is_refused(book):
    cash_receive(
        book=book, source="grant", amount=D("100000"), entry_date=day(5), description="Hibah"
    )
    cash_pay(
        book=book,
        category="expense_admin",
        amount=D("80000"),
        entry_date=day(20),
        description="ATK",
    )
    before = written(book)

    with pytest.raises(ValidationError) as refused:  # on the 10th there is 100.000; not on the 20th
        cash_pay(
            book=book,
            category="expense_meeting",
            amount=D("50000"),
            entry_date=day(10),
            description="Rapat",
        )

    assert refusal(refused.value) == (
        "Saldo Kas pada 20-01-2017 akan menjadi -\u2060Rp\u00a030.000: kurang Rp\u00a030.000."
    )
    assert written(book) == before


def test_a_back_dated_payment_that_every_later_date_can_carry_posts(book):
    cash_receive(
        book=book, source="grant", amount=D("100000"), entry_date=day(5), description="Hibah"
    )
    cash_pay(
        book=book,
        category="expense_admin",
        amount=D("80000"),
        entry_date=day(20),
        description="ATK",
    )

    cash_pay(
        book=book,
        category="expense_meeting",
        amount=D("20000"),
        entry_date=day(10),
        description="Rapat",
    )

    days = dict(AccountDay.objects.filter(book=book).values_list("date", "credit"))
    assert days == {day(5): D("0"), day(10): D("20000"), day(20): D("80000")}


def test_reversing_a_deposit_that_was_since_withdrawn_is_refused(book, saver):
    deposit = savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_voluntary",
        amount=D("100000"),
        entry_date=day(5),
    )
    cash_receive(
        book=book, source="grant", amount=D("500000"), entry_date=day(5), description="Hibah"
    )
    savings_withdraw(book=book, member=saver, amount=D("80000"), entry_date=day(8))
    before = written(book)

    with pytest.raises(ValidationError) as refused:
        entry_reverse(entry=deposit.entry, entry_date=day(9), reason="salah")

    assert refused.value.error_dict["amount"][0].code == BELOW_ZERO
    assert refusal(refused.value) == (
        f"Saldo Simpanan Sukarela {saver.full_name} pada 09-01-2017 akan menjadi "
        f"-\u2060Rp\u00a080.000: "
        "kurang Rp\u00a080.000."
    )
    assert written(book) == before
    assert not JournalEntry.objects.filter(reversal_of=deposit.entry).exists()


def test_a_deposit_into_an_account_is_never_refused(book, saver):
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_mandatory",
        amount=D("10000"),
        entry_date=day(3),
    )

    assert JournalEntry.objects.filter(book=book).count() == 1


def running_balances_from_lines(book) -> dict:
    """Every end-of-day balance of Kas, the bank and each saver's savings, from the lines."""
    nets: dict = {}
    lines = JournalLine.objects.filter(book=book).select_related("account")
    for line in lines.order_by("entry_date"):
        role = line.account.role
        if role in FLOORED_ROLES:
            key = (role, None)
        elif role in SAVINGS_ROLES:
            key = (role, line.member_id)
        else:
            continue
        by_day = nets.setdefault(key, {})
        change = (line.debit - line.credit) * line.account.sign
        by_day[line.entry_date] = by_day.get(line.entry_date, D("0")) + change
    running = {}
    for key, by_day in nets.items():
        total = D("0")
        for date in sorted(by_day):
            total += by_day[date]
            running[(*key, date)] = total
    return running


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=14), overdraft=st.sampled_from([0, 20000]))
def test_whatever_the_services_accept_no_balance_is_ever_below_zero_on_any_date(
    db, steps, overdraft
):
    with transaction.atomic():
        ksm = SelfHelpGroupFactory()
        people = [
            MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
            for _ in range(MEMBERS)
        ]
        book = book_open(owner=ksm, opening_date=OPENED)
        account_update(account=account_for(book, "bank"), overdraft_limit=D(overdraft))
        treasurer = Treasurer(book, people)
        for step in steps:
            treasurer.do(step)  # refusals other than a balance below zero fail the test

        for (role, _member, date), balance in running_balances_from_lines(book).items():
            floor = -D(overdraft) if role == "bank" else D("0")
            assert balance >= floor, (role, date, balance)
        call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())
        transaction.set_rollback(True)


def test_the_cash_out_form_shows_the_refusal_in_indonesian_on_the_amount_and_posts_nothing(
    treasurer, book
):
    from tests.finance.test_entry_views import DAY, submit
    from tests.web.support import field_errors, logged_in

    cash_receive(
        book=book, source="grant", amount=D("25000"), entry_date=day(5), description="Hibah"
    )

    response = submit(
        logged_in(treasurer),
        book,
        "cash-out",
        category="expense_meeting",
        amount="Rp 100.000",
        description="Snack rapat",
    )

    assert response.status_code == 200
    assert field_errors(response, "amount") == [
        f"Saldo Kas pada {DAY:%d-%m-%Y} akan menjadi -\u2060Rp\u00a075.000: kurang Rp\u00a075.000."
    ]
    assert JournalEntry.objects.filter(book=book).count() == 1


def test_the_facilitator_sets_the_bank_accounts_overdraft_limit_on_its_page(book, facilitator):
    from django.urls import reverse

    from tests.web.support import logged_in

    bank, cash = account_for(book, "bank"), account_for(book, "cash")
    client = logged_in(facilitator)
    url = reverse("finance:account_update", args=[book.pk, bank.pk])
    cash_page = client.get(reverse("finance:account_update", args=[book.pk, cash.pk]))

    response = client.post(
        url,
        {
            "code": bank.code,
            "name": bank.name,
            "parent": bank.parent_id,
            "overdraft_limit": "Rp 2.500.000",
        },
    )

    assert "overdraft_limit" not in cash_page.context["form"].fields
    assert response.status_code == 302
    bank.refresh_from_db()
    assert bank.overdraft_limit == D("2500000")
