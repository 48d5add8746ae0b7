"""Member loans: schedules against worked examples, repayment allocation, arrears and PAR on
fixed dates, write-off, reversal, and the limits that refuse bad loans."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from finance.models import JournalLine, Loan
from finance.schedule import build_schedule
from finance.selectors.loans import loan_card, loan_position, portfolio
from finance.services import (
    cash_receive,
    entry_reverse,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    loan_reschedule,
    loan_write_off,
    savings_deposit,
)
from tests.web.support import translated

D = Decimal
START = datetime.date(2017, 1, 1)
NOT_BEFORE_REPAYMENTS = translated(
    "Loan %(ref)s has repayments; reverse them before the disbursement."
) % {"ref": "PJ-0001"}


def test_flat_schedule_matches_the_worked_example():
    """Rp 1.000.000 at 2% flat over 10 months: Rp 100.000 principal and Rp 20.000 interest
    every month, Rp 1.200.000 in all."""
    rows = build_schedule(
        principal=D(1_000_000),
        monthly_rate=D("2"),
        term_months=10,
        method="flat",
        first_due_date=datetime.date(2017, 2, 10),
    )
    assert [(r.principal, r.interest) for r in rows] == [(D(100_000), D(20_000))] * 10
    assert rows[0].due_date == datetime.date(2017, 2, 10)
    assert rows[-1].due_date == datetime.date(2017, 11, 10)
    assert sum(r.amount for r in rows) == D(1_200_000)


def test_declining_schedule_charges_interest_on_what_is_still_owed():
    rows = build_schedule(
        principal=D(1_000_000),
        monthly_rate=D("2"),
        term_months=10,
        method="declining",
        first_due_date=datetime.date(2017, 2, 10),
    )
    assert [r.interest for r in rows] == [D(n * 2_000) for n in range(10, 0, -1)]
    assert sum(r.interest for r in rows) == D(110_000)


def test_rounding_goes_to_the_last_instalment_and_due_dates_stay_in_short_months():
    rows = build_schedule(
        principal=D(1_000_000),
        monthly_rate=D("1.5"),
        term_months=3,
        method="flat",
        first_due_date=datetime.date(2017, 1, 31),
    )
    assert [r.principal for r in rows] == [D(333_333), D(333_333), D(333_334)]
    assert [r.interest for r in rows] == [D(15_000)] * 3
    assert [r.due_date for r in rows] == [
        datetime.date(2017, 1, 31),
        datetime.date(2017, 2, 28),
        datetime.date(2017, 3, 31),
    ]


def _active_loan(book, saver, chair, product, amount=1_000_000):
    loan = loan_apply(
        book=book,
        product=product,
        member=saver,
        principal=amount,
        term_months=10,
        purpose="Modal warung",
        applied_date=datetime.date(2017, 1, 5),
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair)
    loan_disburse(
        loan=loan,
        disbursed_date=datetime.date(2017, 1, 10),
        first_due_date=datetime.date(2017, 2, 10),
    )
    loan.refresh_from_db()
    return loan


def test_a_loan_is_disbursed_less_its_fee_and_repaid_fine_interest_principal(
    funded, saver, chair, product
):
    loan = _active_loan(funded, saver, chair, product)
    assert loan.status == Loan.Status.ACTIVE
    assert loan.balance == D(1_000_000)
    assert loan.admin_fee == D(10_000)
    # First instalment on time: interest then principal.
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    loan.refresh_from_db()
    assert (loan.balance, loan.interest_paid, loan.fines_paid) == (D(900_000), D(20_000), 0)
    # Second instalment 10 days late (3 days' grace): the Rp 5.000 fine comes first.
    late = loan_position(loan, datetime.date(2017, 3, 20))
    assert late.days_past_due == 10
    assert late.fines_due == D(5_000)
    loan_repay(loan=loan, amount=125_000, paid_date=datetime.date(2017, 3, 20))
    loan.refresh_from_db()
    assert (loan.balance, loan.interest_paid, loan.fines_paid) == (
        D(800_000),
        D(40_000),
        D(5_000),
    )
    card = loan_card(loan)
    assert [(r.disbursed, r.principal, r.interest, r.fine, r.fee, r.balance) for r in card] == [
        (D(1_000_000), 0, 0, 0, D(10_000), D(1_000_000)),
        (0, D(100_000), D(20_000), 0, 0, D(900_000)),
        (0, D(100_000), D(20_000), D(5_000), 0, D(800_000)),
    ]


def test_an_early_payoff_charges_interest_only_through_the_current_instalment(
    funded, saver, chair, product
):
    loan = _active_loan(funded, saver, chair, product)
    pos = loan_position(loan, datetime.date(2017, 2, 1))
    assert pos.payoff == D(1_020_000)
    with pytest.raises(ValidationError) as refused:
        loan_repay(loan=loan, amount=1_020_001, paid_date=datetime.date(2017, 2, 1))
    assert refused.value.message_dict["amount"] == [
        translated("Loan %(ref)s owes only %(owed)s today (principal %(balance)s).")
        % {"ref": "PJ-0001", "owed": "Rp\u00a01.020.000", "balance": "Rp\u00a01.000.000"}
    ]
    loan_repay(loan=loan, amount=1_020_000, paid_date=datetime.date(2017, 2, 1))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.PAID
    assert loan.balance == 0
    assert loan.closed_date == datetime.date(2017, 2, 1)


def test_a_loan_above_the_savings_limit_is_refused(funded, saver, product):
    with pytest.raises(ValidationError, match=r"1\.200\.000"):
        loan_apply(
            book=funded,
            product=product,
            member=saver,
            principal=1_300_000,
            term_months=10,
            purpose="Modal",
            applied_date=datetime.date(2017, 1, 5),
        )
    assert not Loan.objects.exists()


def test_a_disbursement_with_too_little_cash_is_refused(book, saver, chair, product):
    savings_deposit(
        book=book, member=saver, savings_type="savings_mandatory", amount=400_000, entry_date=START
    )
    loan = loan_apply(
        book=book,
        product=product,
        member=saver,
        principal=1_000_000,
        term_months=10,
        purpose="Modal",
        applied_date=datetime.date(2017, 1, 5),
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair)
    with pytest.raises(ValidationError) as refused:
        loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 1, 10))
    assert refused.value.message_dict["source"] == [
        translated("There is only %(available)s in %(where)s; the loan needs %(needed)s.")
        % {"available": "Rp\u00a0400.000", "where": translated("cash"), "needed": "Rp\u00a0990.000"}
    ]
    loan.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED
    assert not JournalLine.objects.filter(loan=loan).exists()


def test_arrears_and_par_on_fixed_dates(funded, saver, chair, product):
    loan = _active_loan(funded, saver, chair, product)
    assert portfolio(funded, datetime.date(2017, 2, 10)).par1 is None or True
    on_time = portfolio(funded, datetime.date(2017, 2, 10))
    assert on_time.par1 == D(0)
    report = portfolio(funded, datetime.date(2017, 3, 15))  # 33 days past the 10 Feb instalment
    assert report.outstanding == D(1_000_000)
    assert report.arrears == D(240_000)
    assert (report.par1, report.par30, report.par90) == (D(100), D(100), D(0))
    assert [b["count"] for b in report.by_age] == [0, 1, 0, 0]
    assert loan_position(loan, datetime.date(2017, 3, 15)).days_past_due == 33


def test_write_off_uses_the_reserve_then_the_expense_and_reversal_restores(
    funded, saver, chair, product
):
    loan = _active_loan(funded, saver, chair, product)
    posted = loan_write_off(loan=loan, entry_date=datetime.date(2017, 6, 1), reason="Pindah")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.WRITTEN_OFF
    assert (loan.balance, loan.written_off) == (0, D(1_000_000))
    entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 6, 2), reason="Keliru")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert (loan.balance, loan.written_off) == (D(1_000_000), 0)


def test_verify_books_ties_each_loan_to_its_lines(funded, saver, chair, product):
    from tests.finance.test_verify_books import verify

    loan = _active_loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    assert verify()[0] == 0
    Loan.objects.filter(pk=loan.pk).update(balance=D(850_000))
    code, output = verify()
    assert code != 0
    assert "PJ-0001" in output
    assert "keeps balance Rp 850.000; its lines give Rp 900.000" in output


def test_a_repayment_reversed_reopens_a_paid_off_loan(funded, saver, chair, product):
    loan = _active_loan(funded, saver, chair, product)
    posted = loan_repay(loan=loan, amount=1_020_000, paid_date=datetime.date(2017, 2, 1))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.PAID
    entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 2, 2), reason="Salah catat")
    loan.refresh_from_db()
    assert (loan.status, loan.balance, loan.interest_paid) == (Loan.Status.ACTIVE, D(1_000_000), 0)


def test_a_repayment_dated_before_the_loans_last_entry_is_refused(funded, saver, chair, product):
    """Dated before a later repayment, it would be split against a position that leaves that
    repayment out: Rp 500.000 on 01-02-2017 after Rp 900.000 on 01-03-2017 would take the
    balance of Rp 145.000 below zero. Refused with the date to use; nothing written."""
    loan = _active_loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=900_000, paid_date=datetime.date(2017, 3, 1))
    loan.refresh_from_db()
    assert loan.balance == D(145_000)
    lines = JournalLine.objects.count()
    with pytest.raises(ValidationError, match="01-03-2017"):
        loan_repay(loan=loan, amount=500_000, paid_date=datetime.date(2017, 2, 1))
    assert JournalLine.objects.count() == lines
    loan.refresh_from_db()
    assert (loan.balance, loan.interest_paid) == (D(145_000), D(40_000))


def test_a_write_off_or_reschedule_dated_before_the_loans_last_entry_is_refused(
    funded, saver, chair, product
):
    loan = _active_loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    lines = JournalLine.objects.count()
    with pytest.raises(ValidationError, match="10-02-2017"):
        loan_write_off(loan=loan, entry_date=datetime.date(2017, 2, 1), reason="Pindah")
    with pytest.raises(ValidationError, match="10-02-2017"):
        loan_reschedule(
            loan=loan, rescheduled_date=datetime.date(2017, 1, 2), term_months=5, reason="Sakit"
        )
    assert JournalLine.objects.count() == lines
    assert loan.schedules.count() == 1
    loan.refresh_from_db()
    assert (loan.status, loan.balance) == (Loan.Status.ACTIVE, D(900_000))


def test_a_disbursement_is_reversed_only_before_any_repayment(funded, saver, chair, product):
    loan = _active_loan(funded, saver, chair, product)
    disbursement = JournalLine.objects.filter(loan=loan).first().entry
    posted = loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    with pytest.raises(ValidationError, match=re.escape(NOT_BEFORE_REPAYMENTS)):
        entry_reverse(entry=disbursement, entry_date=datetime.date(2017, 2, 11))
    entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 2, 11))
    entry_reverse(entry=disbursement, entry_date=datetime.date(2017, 2, 11))
    loan.refresh_from_db()
    assert (loan.status, loan.balance, loan.disbursed_date) == (Loan.Status.REJECTED, 0, None)


def test_a_cooperative_loan_to_a_member_ksm_is_its_borrowing_in_the_ksm_books(book, ksm):
    from finance.services import book_open
    from tests.groups.factories import CooperativeMembershipFactory

    membership = CooperativeMembershipFactory(group=ksm)
    coop_book = book_open(owner=membership.cooperative, opening_date=datetime.date(2017, 3, 1))
    cash_receive(
        book=coop_book,
        source="grant",
        amount=10_000_000,
        entry_date=datetime.date(2017, 3, 1),
        description="Hibah",
    )
    coop_product = loan_product_save(
        book=coop_book,
        name="Pinjaman KSM",
        interest_method="declining",
        monthly_rate=D("1"),
        max_term_months=24,
    )
    loan = loan_apply(
        book=coop_book,
        product=coop_product,
        group=ksm,
        principal=5_000_000,
        term_months=10,
        purpose="Modal simpan pinjam",
        applied_date=datetime.date(2017, 3, 2),
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 3, 3))
    posted = loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 3, 5))
    loan.refresh_from_db()
    mirror = loan.counterpart
    assert mirror.book == book
    assert (mirror.direction, mirror.balance, mirror.lender_name) == (
        Loan.Direction.PAYABLE,
        D(5_000_000),
        str(membership.cooperative),
    )
    assert mirror.schedules.get().instalments.count() == 10
    # The KSM repays its first instalment from its own books: Rp 500.000 + 1% of 5 million.
    loan_repay(loan=mirror, amount=550_000, paid_date=datetime.date(2017, 3, 5))
    mirror.refresh_from_db()
    assert (mirror.balance, mirror.interest_paid) == (D(4_500_000), D(50_000))
    with pytest.raises(ValidationError, match=re.escape(NOT_BEFORE_REPAYMENTS)):
        entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 3, 6))
    repayment = JournalLine.objects.filter(loan=mirror, entry__kind="borrowing_repayment")
    entry_reverse(entry=repayment.first().entry, entry_date=datetime.date(2017, 3, 6))
    entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 3, 6))
    loan.refresh_from_db()
    mirror.refresh_from_db()
    assert (loan.status, mirror.status) == (Loan.Status.REJECTED, Loan.Status.REJECTED)
    assert (loan.balance, mirror.balance) == (0, 0)
