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
