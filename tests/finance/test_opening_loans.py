"""Loans from before the books: brought in with the opening balances, each becomes a loan record
with the schedule of its months left, and from then on behaves as a loan disbursed through the
site (loan card, portfolio and PAR, the meeting sheet, repayments, reversal)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from finance.models import EntryKind, JournalEntry, Loan, LoanSchedule
from finance.selectors.meetings import meeting_sheet
from finance.services import (
    OpeningLoan,
    entry_reverse,
    loan_apply,
    loan_product_save,
    loan_repay,
    opening_balances_post,
)
from tests.groups.factories import MembershipFactory
from tests.web.support import element, logged_in

pytestmark = pytest.mark.django_db
D = Decimal
CUTOFF = datetime.date(2017, 1, 1)
JAN_10 = datetime.date(2017, 1, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _member(ksm, name):
    return MembershipFactory(
        group=ksm, member__full_name=name, joined_date=datetime.date(2016, 6, 1)
    ).member


@pytest.fixture
def ani(ksm):
    return _member(ksm, "Ani")


@pytest.fixture
def budi(ksm):
    return _member(ksm, "Budi")


def old_loan(member, **terms) -> OpeningLoan:
    """Rp 600.000 left at 1,5% flat over 6 months, next due on 10 January: Rp 109.000 a
    month (100.000 principal + 9.000 interest)."""
    defaults = {
        "principal_left": D("600000"),
        "monthly_rate": D("1.5"),
        "interest_method": "flat",
        "remaining_months": 6,
        "next_due_date": JAN_10,
    }
    return OpeningLoan(member=member, **{**defaults, **terms})


def budis_loan(budi, **terms) -> OpeningLoan:
    """Rp 1.000.000 left at 2% declining over 10 months, next due on 20 January: the first
    instalment Rp 120.000, the second Rp 118.000."""
    return old_loan(
        budi,
        principal_left=D("1000000"),
        monthly_rate=D("2"),
        interest_method="declining",
        remaining_months=10,
        next_due_date=datetime.date(2017, 1, 20),
        **terms,
    )


def bring_forward(book, *loans, **kwargs):
    return opening_balances_post(
        book=book, cutoff_date=CUTOFF, cash=D("250000"), member_loans=list(loans), **kwargs
    )


def nothing_written(book):
    return not (
        JournalEntry.objects.filter(book=book).exists()
        or Loan.objects.filter(book=book).exists()
        or LoanSchedule.objects.filter(loan__book=book).exists()
    )


# --- A real loan ------------------------------------------------------------------------------


def test_an_old_loan_is_a_loan_record_with_its_schedule_on_the_loan_card(book, ani, treasurer):
    posted = bring_forward(book, old_loan(ani, instalment=D("109000")), actor=treasurer)

    loan = Loan.objects.get(book=book, member=ani)
    assert (loan.reference, loan.direction, loan.status) == ("PJ-0001", "receivable", "active")
    assert (loan.disbursed_date, loan.principal, loan.term_months) == (CUTOFF, D("600000"), 6)
    assert loan.balance == D("600000")
    assert loan.purpose == "Loan from before the books"
    assert loan.created_by == treasurer
    line = posted.entry.lines.get(account__role="loans_receivable")
    assert (line.loan, line.member, line.debit) == (loan, ani, D("600000"))

    page = logged_in(treasurer).get(loan.get_absolute_url())

    assert element(page, "position-balance").text == "Rp 600.000"
    schedule = element(page, "schedule").rows()[1:]
    assert [(row[1], row[2], row[3], row[4]) for row in schedule] == [
        (f"10-{month:02d}-2017", "100.000", "9.000", "109.000") for month in range(1, 7)
    ]
    [card] = element(page, "card").rows()[1:]
    assert card[1] == posted.entry.reference
    assert (card[2], card[-1]) == ("600.000", "600.000")


def test_the_loans_are_numbered_after_those_the_book_already_has(book, ksm, ani, budi):
    citra = _member(ksm, "Citra")
    product = loan_product_save(
        book=book, name="Usaha", interest_method="flat", monthly_rate=D("2"), max_term_months=12
    )
    applied = loan_apply(
        book=book,
        product=product,
        member=citra,
        principal=500_000,
        term_months=5,
        purpose="Modal",
        applied_date=CUTOFF,
    )

    bring_forward(book, old_loan(ani), budis_loan(budi))

    assert applied.reference == "PJ-0001"
    assert [
        (loan.reference, loan.party_name)
        for loan in Loan.objects.filter(book=book, status="active").order_by("number")
    ] == [("PJ-0002", "Ani"), ("PJ-0003", "Budi")]


def test_a_declining_loan_plans_interest_on_what_is_still_owed(book, budi):
    bring_forward(book, budis_loan(budi, instalment=D("120000")))

    schedule = Loan.objects.get(member=budi).schedules.get(version=1)
    instalments = list(schedule.instalments.order_by("number"))
    assert schedule.start_date == CUTOFF
    assert [(i.due_date, i.principal, i.interest) for i in instalments[:2]] == [
        (datetime.date(2017, 1, 20), D("100000"), D("20000")),
        (datetime.date(2017, 2, 20), D("100000"), D("18000")),
    ]
    assert instalments[-1].due_date == datetime.date(2017, 10, 20)
    assert sum(i.principal for i in instalments) == D("1000000")


def test_old_loans_count_in_the_portfolio_and_par_once_an_instalment_is_missed(
    book, ani, budi, facilitator
):
    bring_forward(book, old_loan(ani), budis_loan(budi))
    ani_loan = Loan.objects.get(member=ani)
    for paid in (JAN_10, datetime.date(2017, 2, 10)):
        loan_repay(loan=ani_loan, amount=109_000, paid_date=paid)

    page = logged_in(facilitator).get(
        reverse("finance:portfolio", args=[book.pk]), {"date": "2017-02-25"}
    )

    # Ani paid both instalments; Budi paid nothing since the cut-off: 20 January (120.000)
    # and 20 February (118.000) are in arrears, 36 days past due.
    assert element(page, "portfolio-count").text == "2"
    assert element(page, "portfolio-outstanding").text == "Rp 1.400.000"
    assert element(page, "portfolio-arrears").text == "Rp 238.000"
    assert element(page, "par30").text == "71,43%"
    assert element(page, "par90").text == "0,00%"
    loans = element(page, "portfolio-loans").rows()[1:]
    assert [(row[1], row[-3], row[-2], row[-1]) for row in loans] == [
        ("Ani", "400.000", "", ""),
        ("Budi", "1.000.000", "238.000", "36"),
    ]


def test_the_meeting_sheet_asks_each_old_loan_for_its_instalment(book, ani, budi):
    bring_forward(book, old_loan(ani), budis_loan(budi))

    sheet = meeting_sheet(book, JAN_10)

    due = {row.member.full_name: row.instalment_due for row in sheet.rows if row.loan}
    # Ani's falls due today; Budi's on the 20th is the current one, payable in full.
    assert due == {"Ani": D("109000"), "Budi": D("120000")}
    assert sheet.loans_count == 2


def test_an_old_loan_is_repaid_through_the_repayment_service_and_paid_off(book, ani):
    bring_forward(book, old_loan(ani))
    loan = Loan.objects.get(member=ani)

    first = loan_repay(loan=loan, amount=109_000, paid_date=JAN_10)
    loan.refresh_from_db()
    assert (loan.balance, loan.interest_paid) == (D("500000"), D("9000"))
    assert first.entry.kind == EntryKind.LOAN_REPAYMENT

    # Paying off a month later: what is left and the current instalment's interest.
    loan_repay(loan=loan, amount=509_000, paid_date=datetime.date(2017, 2, 10))
    loan.refresh_from_db()
    assert (loan.status, loan.balance, loan.closed_date) == (
        "paid",
        D("0"),
        datetime.date(2017, 2, 10),
    )


def test_an_old_loan_on_a_product_takes_its_late_fine(book, ani):
    product = loan_product_save(
        book=book,
        name="Pinjaman lama",
        interest_method="flat",
        monthly_rate=D("1.5"),
        max_term_months=12,
        fine_rule="fixed",
        fine_value=D(5_000),
    )
    bring_forward(book, old_loan(ani, product=product))
    loan = Loan.objects.get(member=ani)

    posted = loan_repay(loan=loan, amount=114_000, paid_date=datetime.date(2017, 1, 20))

    loan.refresh_from_db()
    assert loan.product == product
    assert (loan.fines_paid, loan.interest_paid, loan.balance) == (
        D("5000"),
        D("9000"),
        D("500000"),
    )
    assert posted.entry.lines.get(account__role="income_fines").credit == D("5000")


# --- Refused ----------------------------------------------------------------------------------


def test_an_instalment_that_disagrees_with_the_schedule_is_refused(book, ani):
    with pytest.raises(ValidationError) as error:
        bring_forward(book, old_loan(ani, instalment=D("120000")))

    assert error.value.messages == [
        "Ani, Piutang Pinjaman Anggota: The old ledger's instalment of Rp\u00a0120.000 does "
        "not fit "
        "the loan: Rp\u00a0600.000 over 6 months at 1,5% a month (flat) gives "
        "Rp\u00a0109.000 for the "
        "next instalment. Check the rate, the method and the months left."
    ]
    assert nothing_written(book)


@pytest.mark.parametrize(
    ("stated", "accepted"),
    [
        (D("120000"), True),
        (D("121000"), True),  # Rp 1.000 off: rounding
        (D("118800"), True),  # 1% off
        (D("121500"), False),  # more than 1% (Rp 1.200) off
        (D("118000"), False),  # the second instalment, not the next one
    ],
)
def test_an_instalment_may_differ_from_the_schedule_by_rounding_only(book, budi, stated, accepted):
    loan = budis_loan(budi, instalment=stated)
    if accepted:
        bring_forward(book, loan)
        assert Loan.objects.get(member=budi).balance == D("1000000")
    else:
        with pytest.raises(ValidationError, match="does not fit the loan"):
            bring_forward(book, loan)
        assert nothing_written(book)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (
            {"next_due_date": CUTOFF},
            "The next instalment falls due after the cut-off date (01-01-2017).",
        ),
        ({"remaining_months": 0}, "The months left are a whole number from 1 to 120."),
        ({"monthly_rate": D("12")}, "Interest is between 0% and 10% a month."),
        ({"monthly_rate": "satu"}, "Write the interest per month as a number, e.g. 1,5."),
        ({"interest_method": "anuitas"}, "Choose flat or declining-balance interest."),
        ({"principal_left": D("600000.50")}, "Loans are lent in whole rupiah."),
        ({"principal_left": D("0")}, "The amount must be more than zero."),
    ],
)
def test_bad_terms_are_refused_naming_the_member_and_nothing_is_written(book, ani, terms, message):
    with pytest.raises(ValidationError) as error:
        bring_forward(book, old_loan(ani, **terms))

    assert error.value.messages == [f"Ani, Piutang Pinjaman Anggota: {message}"]
    assert nothing_written(book)


def test_two_loans_for_one_member_are_refused(book, ani):
    with pytest.raises(ValidationError) as error:
        bring_forward(book, old_loan(ani), old_loan(ani, principal_left=D("200000")))

    assert error.value.messages == [
        "Ani is listed with two loans; a member has one loan outstanding at a time, so enter "
        "what is left of both as one loan."
    ]
    assert nothing_written(book)


def test_a_loan_to_someone_outside_the_group_is_refused(book):
    outsider = MembershipFactory(member__full_name="Orang Lain").member

    with pytest.raises(ValidationError) as error:
        bring_forward(book, old_loan(outsider))

    assert error.value.messages == [
        "Orang Lain, Piutang Pinjaman Anggota: The member is not an active member of this KSM."
    ]
    assert nothing_written(book)


# --- Reversal ---------------------------------------------------------------------------------


def test_reversing_the_opening_entry_takes_its_loans_out_of_the_books(book, ani, facilitator):
    posted = bring_forward(book, old_loan(ani))

    entry_reverse(entry=posted.entry, entry_date=JAN_10, reason="Salah angka")

    loan = Loan.objects.get(member=ani)
    assert (loan.status, loan.balance, loan.disbursed_date) == ("rejected", D("0"), None)
    assert loan.decision_note == f"Opening balances reversed ({posted.entry.reference})."
    page = logged_in(facilitator).get(
        reverse("finance:portfolio", args=[book.pk]), {"date": "2017-02-25"}
    )
    assert element(page, "portfolio-empty") is not None


def test_the_opening_entry_is_not_reversed_under_a_loan_with_repayments(book, ani):
    posted = bring_forward(book, old_loan(ani))
    loan = Loan.objects.get(member=ani)
    loan_repay(loan=loan, amount=109_000, paid_date=JAN_10)

    with pytest.raises(ValidationError) as error:
        entry_reverse(entry=posted.entry, entry_date=JAN_10, reason="Salah angka")

    assert error.value.messages == [
        "Loan PJ-0001 has repayments; reverse them before the opening balances."
    ]
    loan.refresh_from_db()
    assert (loan.status, loan.balance) == ("active", D("500000"))
