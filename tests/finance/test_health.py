"""A group's health figures on fixed dates, from its books and meetings."""

import datetime
from decimal import Decimal

from finance.models import Meeting
from finance.selectors.health import group_health
from finance.services import loan_repay, savings_deposit
from tests.finance.test_loans import _active_loan
from tests.groups.factories import MembershipFactory

D = Decimal


def test_health_figures_on_a_fixed_date(funded, ksm, saver, chair, product):
    # The saver pays wajib in March, April and May; a second member only in May.
    late_joiner = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    for month in (3, 4, 5):
        savings_deposit(
            book=funded,
            member=saver,
            savings_type="savings_mandatory",
            amount=10_000,
            entry_date=datetime.date(2017, month, 10),
        )
    savings_deposit(
        book=funded,
        member=late_joiner,
        savings_type="savings_mandatory",
        amount=10_000,
        entry_date=datetime.date(2017, 5, 10),
    )
    # A loan: February and March instalments paid, April's not.
    loan = _active_loan(funded, saver, chair, product)
    for month in (2, 3):
        loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, month, 10))
    Meeting.objects.create(
        group=ksm,
        book=funded,
        meeting_date=datetime.date(2017, 5, 10),
        token="t1",
        members_count=3,
        present_count=2,
    )
    Meeting.objects.create(
        group=ksm,
        book=funded,
        meeting_date=datetime.date(2017, 4, 10),
        token="t2",
        members_count=3,
        present_count=3,
    )

    health = group_health(ksm, datetime.date(2017, 5, 31))

    # Members of three months ago: saver, late joiner, chair; only the saver paid each month.
    assert health.savings_regularity == D("33.3")
    # Instalments due 2 Mar - 31 May: March (paid) and April, May (unpaid) of Rp 120.000.
    assert health.repayment_rate == D("33.3")
    # 51 days past the April instalment: the whole loan is at risk.
    assert health.par30 == D("100.00")
    assert health.attendance_rate == D("83.3")
    assert health.books_current is True
    assert health.last_activity == datetime.date(2017, 5, 10)
    assert health.savings == D(400_000 + 40_000)
    # Twelve months earlier the books were not open: no growth figure.
    assert health.savings_growth is None
    stale = group_health(ksm, datetime.date(2017, 7, 1))
    assert stale.books_current is False


def test_a_group_without_books_has_no_figures(ksm):
    health = group_health(ksm, datetime.date(2017, 5, 31))
    assert health.savings is None
    assert health.books_current is False
    assert health.repayment_rate is None


def test_the_group_page_shows_its_health_and_loads_the_months_on_demand(
    funded, ksm, saver, facilitator, other_village
):
    from django.urls import reverse

    from tests.groups.factories import SelfHelpGroupFactory
    from tests.web.support import element, logged_in

    savings_deposit(
        book=funded,
        member=saver,
        savings_type="savings_voluntary",
        amount=25_000,
        entry_date=datetime.date(2017, 5, 10),
    )
    client = logged_in(facilitator)
    page = client.get(ksm.get_absolute_url())
    assert page.status_code == 200
    panel = element(page, "group-health")
    assert "Rp 425.000" in panel.text
    url = reverse("finance:group_health_months", args=[ksm.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    rows = element(fragment, "health-months").find_all("tr")
    assert len(rows) == 1 + 6  # the heading and six months
    full = client.get(url)
    assert b"<html" in full.content
    elsewhere = SelfHelpGroupFactory(village=other_village)
    assert (
        client.get(reverse("finance:group_health_months", args=[elsewhere.pk])).status_code == 404
    )


def test_a_loan_paid_off_on_time_counts_fully_in_the_repayment_rate(
    funded, ksm, saver, chair, product
):
    loan = _active_loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 3, 10))
    loan_repay(loan=loan, amount=820_000, paid_date=datetime.date(2017, 3, 20))  # the payoff
    loan.refresh_from_db()
    assert loan.status == "paid"

    health = group_health(ksm, datetime.date(2017, 5, 31))

    # March's instalment fell due in the window and was paid; later ones never fell due.
    assert health.repayment_rate == D("100.0")
    assert health.par30 is None


def _borrower(book, ksm):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    savings_deposit(
        book=book,
        member=member,
        savings_type="savings_principal",
        amount=100_000,
        entry_date=datetime.date(2017, 1, 2),
    )
    return member


def _busy_group(funded, ksm, saver, chair, product, loans=1):
    """Deposits, meetings and `loans` loans (the first paid on time, then in arrears; a second
    paid off early), across more than a year of the book."""
    from finance.selectors.health import _month_dates

    late_joiner = MembershipFactory(group=ksm, joined_date=datetime.date(2017, 3, 1)).member
    for month in range(2, 13):
        for member in (saver, late_joiner) if month % 3 else (saver,):
            savings_deposit(
                book=funded,
                member=member,
                savings_type="savings_mandatory",
                amount=10_000,
                entry_date=datetime.date(2017, month, 10),
            )
        Meeting.objects.create(
            group=ksm,
            book=funded,
            meeting_date=datetime.date(2017, month, 10),
            token=f"m{month}",
            members_count=3,
            present_count=2 + month % 2,
        )
    savings_deposit(
        book=funded,
        member=saver,
        savings_type="savings_voluntary",
        amount=50_000,
        entry_date=datetime.date(2018, 2, 3),
    )
    for number in range(loans):
        loan = _active_loan(funded, _borrower(funded, ksm), chair, product, amount=200_000)
        months = (2, 3, 4) if number % 2 == 0 else (2,)
        for month in months:
            loan_repay(loan=loan, amount=30_000, paid_date=datetime.date(2017, month, 10))
        if number == 1:
            # Paid off early: what it owes that day.
            loan_repay(loan=loan, amount=196_000, paid_date=datetime.date(2017, 5, 2))
            loan.refresh_from_db()
            assert loan.status == "paid"
    return _month_dates


def test_the_months_page_shows_what_each_date_alone_shows(funded, ksm, saver, chair, product):
    from finance.selectors.health import group_health_months

    month_dates = _busy_group(funded, ksm, saver, chair, product, loans=2)
    today = datetime.date(2018, 2, 14)
    months = group_health_months(ksm, today, months=15)

    expected = [group_health(ksm, day) for day in month_dates(today, 15)]
    assert [m.on_date for m in months] == [e.on_date for e in expected]
    assert months == expected
    # The figures are not all empty: the comparison says something.
    assert any(m.savings_growth for m in months)
    assert any(m.repayment_rate for m in months)
    assert any(m.par30 for m in months)
    assert any(m.savings_regularity for m in months)
    assert any(m.attendance_rate for m in months)
    assert months[-1].savings == 0  # December 2016, before the book opened
    # Savings as the balances page reads them (kept monthly totals and the month's lines).
    from finance.selectors.balances import account_totals
    from finance.selectors.health import SAVINGS_ROLES

    savings_accounts = list(funded.accounts.filter(role__in=SAVINGS_ROLES))
    for month in months[:-1]:
        totals = account_totals(
            funded, date_to=month.on_date, accounts=[a.pk for a in savings_accounts]
        )
        assert month.savings == sum(credit - debit for debit, credit in totals.values())


def test_the_months_page_reads_the_same_queries_for_more_months_and_loans(
    funded, ksm, saver, chair, product
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.selectors.health import group_health_months

    _busy_group(funded, ksm, saver, chair, product, loans=1)
    today = datetime.date(2018, 2, 14)

    def count(months):
        with CaptureQueriesContext(connection) as queries:
            group_health_months(ksm, today, months=months)
        return len(queries)

    few = count(2)
    assert count(12) == few
    for _ in range(3):
        _active_loan(funded, _borrower(funded, ksm), chair, product, amount=150_000)
    assert count(12) == few
    assert few <= 12


def test_the_group_pages_health_is_kept_until_its_books_meetings_or_members_change(
    funded, ksm, saver, facilitator, django_assert_max_num_queries
):
    from django.utils import timezone
    from django.utils.formats import number_format

    from tests.web.support import element, logged_in

    client = logged_in(facilitator)
    today = timezone.localdate()

    def panel():
        return element(client.get(ksm.get_absolute_url()), "group-health").text

    with django_assert_max_num_queries(60) as first:
        assert "Rp 400.000" in panel()
    with django_assert_max_num_queries(len(first) - 5):  # kept: not worked out again
        assert "Rp 400.000" in panel()
    savings_deposit(
        book=funded,
        member=saver,
        savings_type="savings_voluntary",
        amount=25_000,
        entry_date=today,
    )
    assert "Rp 425.000" in panel()  # a posting is a new stamp
    Meeting.objects.create(
        group=ksm,
        book=funded,
        meeting_date=today,
        token="kept",
        members_count=3,
        present_count=2,
    )  # a meeting without money posts nothing
    attendance = group_health(ksm, today).attendance_rate
    assert attendance is not None and f"{number_format(attendance)}%" in panel()


def test_the_health_stamp_moves_with_what_posts_nothing_a_rescheduling_and_a_meeting(
    funded, ksm, saver, chair, product
):
    from finance.selectors.health import health_stamp
    from finance.services import loan_reschedule

    loan = _active_loan(funded, saver, chair, product)
    ksm.refresh_from_db()
    stamps = [health_stamp(ksm)]
    loan_reschedule(
        loan=loan, rescheduled_date=datetime.date(2017, 3, 1), term_months=12, reason="Sakit"
    )
    stamps.append(health_stamp(ksm))
    Meeting.objects.create(
        group=ksm,
        book=funded,
        meeting_date=datetime.date(2017, 3, 5),
        token="stamp",
        members_count=2,
        present_count=2,
    )
    stamps.append(health_stamp(ksm))
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 3, 10))
    stamps.append(health_stamp(ksm))
    assert len(set(stamps)) == 4
    assert health_stamp(ksm) == stamps[-1]  # nothing changed: the same stamp
