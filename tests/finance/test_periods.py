"""Closing months in order, reopening (staff only, recorded), and the year-end close with a
worked example whose statements are known to the rupiah."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from finance.models import AccountType, EntryKind, FiscalPeriod, JournalEntry
from finance.selectors import balances
from finance.services import (
    Line,
    account_for,
    book_open,
    cash_pay,
    cash_receive,
    journal_post,
    savings_deposit,
)
from finance.services.periods import (
    month_label,
    period_close,
    period_reopen,
    year_end_close,
    year_end_due,
)
from tests.groups.factories import SelfHelpGroupFactory, UserFactory
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def english():
    """Service messages are compared with their English msgids."""
    with translation.override("en"):
        yield


def month(number: int, year: int = 2017) -> datetime.date:
    return datetime.date(year, number, 1)


def close_through(book, last: int, actor=None, year: int = 2017):
    for number in range(1, last + 1):
        period_close(book=book, month=month(number, year), actor=actor)
    book.refresh_from_db()


def messages_of(error) -> list[str]:
    return error.value.messages


# --- Closing months ---------------------------------------------------------------------------


def test_closing_the_first_month_locks_it_and_records_who_closed_it(book, treasurer):
    period = period_close(book=book, month=datetime.date(2017, 1, 17), actor=treasurer)

    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 1, 31)
    assert period.month == month(1)
    assert period.closed_by == treasurer
    assert period.closed_at is not None
    assert period.is_closed
    assert period.history.get().history_user == treasurer


def test_months_are_closed_in_order(book, treasurer):
    with pytest.raises(ValidationError) as error:
        period_close(book=book, month=month(2), actor=treasurer)

    assert messages_of(error) == ["Months are closed in order: close January 2017 first."]
    assert not FiscalPeriod.objects.exists()
    book.refresh_from_db()
    assert book.closed_through is None


def test_a_closed_month_cannot_be_closed_again(book, treasurer):
    close_through(book, 2, treasurer)

    with pytest.raises(ValidationError) as error:
        period_close(book=book, month=month(1), actor=treasurer)

    assert messages_of(error) == ["January 2017 is already closed."]


def test_a_month_that_has_not_ended_cannot_be_closed(village, treasurer):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    book = book_open(owner=SelfHelpGroupFactory(village=village), opening_date=this_month)

    with pytest.raises(ValidationError) as error:
        period_close(book=book, month=this_month, actor=None)

    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    assert messages_of(error) == [
        f"{month_label(this_month)} has not ended yet; it can be closed from "
        f"{next_month.strftime('%d-%m-%Y')}."
    ]
    assert year_end_due(book) is None


def test_december_is_closed_by_the_year_end_close(book):
    close_through(book, 11)

    with pytest.raises(ValidationError) as error:
        period_close(book=book, month=month(12), actor=None)

    assert messages_of(error) == [
        "December is closed with the year-end close, which also moves the year's surplus "
        "to retained surplus."
    ]
    assert year_end_due(book) == 2017


def test_posting_dated_in_a_closed_month_is_refused_with_a_clear_message(book, treasurer):
    close_through(book, 1, treasurer)

    with pytest.raises(ValidationError) as error:
        cash_receive(
            book=book,
            source="income_business",
            amount=25000,
            entry_date=datetime.date(2017, 1, 31),
            description="Penjualan",
        )

    assert error.value.message_dict == {
        "entry_date": [
            "The books are closed through 31-01-2017. Choose a later date, or ask program "
            "staff to reopen the month."
        ]
    }
    assert not JournalEntry.objects.exists()
    posted = cash_receive(
        book=book,
        source="income_business",
        amount=25000,
        entry_date=datetime.date(2017, 2, 1),
        description="Penjualan",
    )
    assert posted.created


def test_the_treasurer_the_village_facilitator_and_staff_may_close_a_month(
    book, treasurer, facilitator, staff_user
):
    for number, actor in enumerate((treasurer, facilitator, staff_user), start=1):
        assert period_close(book=book, month=month(number), actor=actor).closed_by == actor


def test_others_may_not_close_a_month(book, member_user, other_village):
    stranger = FacilitatorAssignmentFactory(village=other_village).user
    for actor in (member_user, stranger):
        with pytest.raises(PermissionDenied):
            period_close(book=book, month=month(1), actor=actor)
    assert not FiscalPeriod.objects.exists()


def test_a_month_before_the_book_opened_has_nothing_to_close(book):
    with pytest.raises(ValidationError) as error:
        period_close(book=book, month=month(12, 2016), actor=None)
    assert messages_of(error) == [
        "The books opened on 01-01-2017; there is nothing to close before it."
    ]


def test_a_book_opened_mid_month_closes_that_month_first_and_can_reopen_it(village, staff_user):
    book = book_open(
        owner=SelfHelpGroupFactory(village=village), opening_date=datetime.date(2017, 3, 15)
    )
    period_close(book=book, month=month(3), actor=None)
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 3, 31)

    period_reopen(book=book, actor=staff_user)

    book.refresh_from_db()
    assert book.closed_through is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_closing_races_neither_close_twice_nor_let_a_late_entry_in(ksm):
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    barrier = threading.Barrier(4)
    outcomes = []

    def run(action):
        try:
            with translation.override("en"):
                barrier.wait()
                action()
                outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    def close():
        period_close(book=book, month=month(1), actor=None)

    def post():
        cash_receive(
            book=book,
            source="income_other",
            amount=1000,
            entry_date=datetime.date(2017, 1, 31),
            description="Bunga",
        )

    threads = [threading.Thread(target=run, args=(a,)) for a in (close, close, post, post)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    period = FiscalPeriod.objects.get(book=book)
    assert outcomes.count("January 2017 is already closed.") == 1
    late = [o for o in outcomes if o.startswith("The books are closed through 31-01-2017")]
    entries = JournalEntry.objects.filter(book=book)
    assert outcomes.count("ok") + len(late) + 1 == 4
    assert entries.count() == 2 - len(late)
    assert not entries.filter(posted_at__gt=period.closed_at).exists()
    assert period.history.count() == 1


# --- Reopening --------------------------------------------------------------------------------


def test_only_staff_may_reopen_a_month(book, treasurer, facilitator):
    close_through(book, 1, treasurer)

    for actor in (treasurer, facilitator, None):
        with pytest.raises(PermissionDenied):
            period_reopen(book=book, actor=actor)

    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 1, 31)


def test_staff_reopen_the_last_closed_month_and_the_reopening_is_recorded(
    book, treasurer, staff_user
):
    close_through(book, 3, treasurer)

    period = period_reopen(book=book, actor=staff_user)

    book.refresh_from_db()
    assert period.month == month(3)
    assert book.closed_through == datetime.date(2017, 2, 28)
    assert (period.reopened_by, period.closed_by, period.is_closed) == (staff_user, None, False)
    # Posting into March works again; February stays closed.
    cash_receive(
        book=book,
        source="income_other",
        amount=1000,
        entry_date=datetime.date(2017, 3, 15),
        description="Bunga bank",
    )
    with pytest.raises(ValidationError):
        cash_receive(
            book=book,
            source="income_other",
            amount=1000,
            entry_date=datetime.date(2017, 2, 15),
            description="Bunga bank",
        )


def test_reclosing_reuses_the_month_and_its_history_keeps_every_close_and_reopen(
    book, treasurer, staff_user
):
    close_through(book, 1, treasurer)
    period_reopen(book=book, actor=staff_user)
    book.refresh_from_db()
    assert book.closed_through is None

    period_close(book=book, month=month(1), actor=treasurer)

    period = FiscalPeriod.objects.get(book=book)
    assert period.closed_by == treasurer and period.reopened_by == staff_user
    history = [
        (record.history_user, record.closed_at is not None, record.reopened_at is not None)
        for record in period.history.order_by("history_date", "history_id")
    ]
    assert history == [(treasurer, True, False), (staff_user, False, True), (treasurer, True, True)]


def test_only_the_last_closed_month_can_be_reopened(book, staff_user):
    close_through(book, 2)

    with pytest.raises(ValidationError) as error:
        period_reopen(book=book, actor=staff_user, month=month(1))
    assert messages_of(error) == ["Only the last closed month, February 2017, can be reopened."]

    period_reopen(book=book, actor=staff_user, month=month(2))
    with pytest.raises(ValidationError) as error:  # the same request sent twice
        period_reopen(book=book, actor=staff_user, month=month(2))
    assert messages_of(error) == ["February 2017 is already open."]
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 1, 31)


def test_reopening_a_book_with_nothing_closed_is_refused(book, staff_user):
    with pytest.raises(ValidationError) as error:
        period_reopen(book=book, actor=staff_user)
    assert messages_of(error) == ["No month of these books is closed."]


# --- Year-end close ---------------------------------------------------------------------------


@pytest.fixture
def year_2017(book, saver):
    """A year of a KSM: income 1.630.000, expenses 650.000, so SHU 980.000."""
    day = datetime.date
    cash_receive(
        book=book,
        source="income_business",
        amount=1500000,
        entry_date=day(2017, 3, 10),
        description="Penjualan keripik",
    )
    cash_receive(
        book=book,
        source="income_other",
        amount=50000,
        entry_date=day(2017, 6, 30),
        description="Bunga bank",
    )
    journal_post(
        book=book,
        entry_date=day(2017, 10, 5),
        description="Jasa pinjaman Oktober",
        lines=[
            Line(account=account_for(book, "cash"), debit=D("80000")),
            Line(account=account_for(book, "income_interest"), credit=D("80000")),
        ],
    )
    cash_pay(
        book=book,
        category="expense_admin",
        amount=200000,
        entry_date=day(2017, 4, 3),
        description="ATK",
    )
    cash_pay(
        book=book,
        category="expense_meeting",
        amount=150000,
        entry_date=day(2017, 8, 17),
        description="Rapat",
    )
    cash_pay(
        book=book,
        category="expense_honorarium",
        amount=300000,
        entry_date=day(2017, 12, 20),
        description="Honor pengurus",
    )
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_mandatory",
        amount=120000,
        entry_date=day(2017, 5, 2),
    )
    return book


def lines_by_role(entry) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (line.account.role, line.debit, line.credit)
        for line in entry.lines.select_related("account").order_by("id")
    ]


def by_role(book, **kwargs) -> dict[str, Decimal]:
    return {row.account.role: row.balance for row in balances(book, **kwargs)}


def test_year_end_moves_the_years_surplus_to_retained_surplus(year_2017, treasurer):
    book = year_2017
    close_through(book, 11, treasurer)

    result = year_end_close(book=book, year=2017, actor=treasurer)

    assert (result.surplus, result.moved_to_retained) == (D("980000"), D("980000"))
    to_current, to_retained = result.entries
    assert [(e.kind, e.entry_date, e.number) for e in result.entries] == [
        (EntryKind.YEAR_END, datetime.date(2017, 12, 31), 8),
        (EntryKind.YEAR_END, datetime.date(2017, 12, 31), 9),
    ]
    assert lines_by_role(to_current) == [
        ("income_interest", D("80000"), D("0")),
        ("income_business", D("1500000"), D("0")),
        ("income_other", D("50000"), D("0")),
        ("expense_admin", D("0"), D("200000")),
        ("expense_meeting", D("0"), D("150000")),
        ("expense_honorarium", D("0"), D("300000")),
        ("current_surplus", D("0"), D("980000")),
    ]
    assert lines_by_role(to_retained) == [
        ("current_surplus", D("980000"), D("0")),
        ("retained_surplus", D("0"), D("980000")),
    ]
    assert to_current.description == (
        "Year-end close 2017: income and expenses to SHU Tahun Berjalan"
    )
    assert to_current.posted_by == treasurer
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 12, 31)
    assert FiscalPeriod.objects.get(book=book, month=month(12)).closed_by == treasurer


def test_after_the_year_end_the_income_statement_nets_to_zero_and_equity_holds_the_surplus(
    year_2017,
):
    book = year_2017
    close_through(book, 11)
    year_end_close(book=book, year=2017, actor=None)
    dec31 = datetime.date(2017, 12, 31)

    year = balances(book, date_from=datetime.date(2017, 1, 1), date_to=dec31)
    assert {
        row.account.code: row.balance
        for row in year
        if row.account.type in (AccountType.INCOME, AccountType.EXPENSE)
    } == {code: D("0") for code in ("4.01", "4.02", "4.03", "4.04", "4.05", *_expense_codes())}
    position = by_role(book, date_to=dec31)
    assert position["cash"] == D("1100000")
    assert position["savings_mandatory"] == D("120000")
    assert position["retained_surplus"] == D("980000")
    assert position["current_surplus"] == D("0")
    assets = sum(r.balance for r in balances(book, date_to=dec31) if r.account.type == "asset")
    equity = sum(r.balance for r in balances(book, date_to=dec31) if r.account.type == "equity")
    assert assets == equity == D("1100000")


def test_after_the_year_end_the_statements_show_the_year_and_the_surplus_in_shu_ditahan(
    year_2017,
):
    """The reports leave the closing entries out of the income statement, so the year's
    laba rugi still reads as it happened; the balance sheet carries it in SHU Ditahan."""
    from finance.selectors import Period, balance_sheet, income_statement

    book = year_2017
    close_through(book, 11)
    year_end_close(book=book, year=2017, actor=None)
    year = Period.of("year", 2017)

    statement = income_statement(book, year)
    assert statement.surplus == (D("980000"), D("0"))
    assert {row.label: row.current for row in statement.income.rows if row.current} == {
        "Jasa Pinjaman": D("80000"),
        "Pendapatan Usaha": D("1500000"),
        "Pendapatan Lain (bunga bank)": D("50000"),
    }
    assert statement.expenses.current == D("650000")
    position = balance_sheet(book, year)
    equity = {row.label: row.current for row in position.equity.rows}
    assert equity["SHU Ditahan"] == D("980000")
    assert equity.get("SHU Tahun Berjalan", D("0")) == D("0")
    assert equity["Simpanan Wajib"] == D("120000")
    assert position.assets.current == D("1100000")
    assert position.balanced


def _expense_codes():
    return ("5.01", "5.02", "5.03", "5.04", "5.05", "5.06", "5.07", "5.08", "5.09")


def test_the_year_end_close_cannot_run_twice(year_2017):
    book = year_2017
    close_through(book, 11)
    year_end_close(book=book, year=2017, actor=None)

    with pytest.raises(ValidationError) as error:
        year_end_close(book=book, year=2017, actor=None)

    assert messages_of(error) == ["The year 2017 is already closed."]
    assert JournalEntry.objects.filter(book=book, kind=EntryKind.YEAR_END).count() == 2


def test_the_year_end_close_waits_for_every_month_up_to_november(year_2017):
    book = year_2017
    close_through(book, 10)

    with pytest.raises(ValidationError) as error:
        year_end_close(book=book, year=2017, actor=None)

    assert messages_of(error) == [
        "Close every month of 2017 up to November first; the next month to close is November 2017."
    ]
    assert not JournalEntry.objects.filter(kind=EntryKind.YEAR_END).exists()
    assert year_end_due(book) is None


def test_a_deficit_is_moved_to_retained_surplus_as_a_debit(book):
    cash_receive(  # a grant pays for the deficit: it is equity, not income
        book=book,
        source="grant",
        amount=100000,
        entry_date=datetime.date(2017, 1, 5),
        description="Hibah",
    )
    cash_receive(
        book=book,
        source="income_other",
        amount=10000,
        entry_date=datetime.date(2017, 2, 1),
        description="Bunga",
    )
    cash_pay(
        book=book,
        category="expense_meeting",
        amount=60000,
        entry_date=datetime.date(2017, 2, 2),
        description="Rapat",
    )
    close_through(book, 11)

    result = year_end_close(book=book, year=2017, actor=None)

    assert result.surplus == D("-50000")
    assert lines_by_role(result.entries[0]) == [
        ("income_other", D("10000"), D("0")),
        ("expense_meeting", D("0"), D("60000")),
        ("current_surplus", D("50000"), D("0")),
    ]
    assert lines_by_role(result.entries[1]) == [
        ("retained_surplus", D("50000"), D("0")),
        ("current_surplus", D("0"), D("50000")),
    ]
    assert by_role(book, date_to=datetime.date(2017, 12, 31))["retained_surplus"] == D("-50000")


def test_a_year_without_income_or_expenses_closes_december_without_entries(book):
    close_through(book, 11)

    result = year_end_close(book=book, year=2017, actor=None)

    assert (result.surplus, result.entries) == (D("0"), [])
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 12, 31)


def test_after_staff_reopen_december_a_second_year_end_moves_only_the_correction(
    year_2017, staff_user
):
    book = year_2017
    close_through(book, 11)
    year_end_close(book=book, year=2017, actor=None)
    period_reopen(book=book, actor=staff_user, month=month(12))
    cash_receive(
        book=book,
        source="income_business",
        amount=20000,
        entry_date=datetime.date(2017, 12, 30),
        description="Penjualan terlambat dicatat",
    )

    result = year_end_close(book=book, year=2017, actor=staff_user)

    assert (result.surplus, result.moved_to_retained) == (D("20000"), D("20000"))
    assert by_role(book, date_to=datetime.date(2017, 12, 31))["retained_surplus"] == D("1000000")


def test_year_end_then_the_new_year_carries_on(year_2017):
    book = year_2017
    close_through(book, 11)
    year_end_close(book=book, year=2017, actor=None)

    period_close(book=book, month=month(1, 2018), actor=None)

    book.refresh_from_db()
    assert book.closed_through == datetime.date(2018, 1, 31)


def test_others_may_not_run_the_year_end_close(year_2017, member_user):
    close_through(year_2017, 11)
    with pytest.raises(PermissionDenied):
        year_end_close(book=year_2017, year=2017, actor=member_user)


# --- The periods page -------------------------------------------------------------------------


def periods_url(book, year=2017):
    return reverse("finance:periods", args=[book.pk]) + f"?year={year}"


def test_the_periods_page_lists_the_months_and_offers_to_close_the_next(book, treasurer):
    close_through(book, 2, treasurer)
    client = logged_in(treasurer)

    response = client.get(periods_url(book))

    rows = element(response, "months").rows()[1:]
    assert len(rows) == 12
    with translation.override("id"):
        assert rows[0][0] == month_label(month(1))
        assert rows[0][1] == translated("Closed")
        assert rows[2][1] == translated("Open")
    assert treasurer.get_full_name() in rows[0][2]
    page = parse(response)
    assert page.by_id("close-button") is not None
    assert page.by_id("reopen-button") is None  # staff only
    assert len(element(response, "period-history").find_all("li")) == 2


def test_a_treasurer_closes_the_next_month_from_the_page_and_a_double_tap_closes_one(
    book, treasurer
):
    client = logged_in(treasurer)
    url = reverse("finance:period_close", args=[book.pk])

    first = client.post(url, {"month": "2017-01"})
    again = client.post(url, {"month": "2017-01"}, follow=True)

    assert first.status_code == 302
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 1, 31)
    with translation.override("id"):
        expected = translated("%(month)s is already closed.") % {"month": month_label(month(1))}
    assert expected in [str(m) for m in again.context["messages"]]


def test_only_staff_can_reopen_from_the_page(book, treasurer, staff_user):
    close_through(book, 1, treasurer)
    url = reverse("finance:period_reopen", args=[book.pk])

    assert logged_in(treasurer).post(url, {"month": "2017-01"}).status_code == 403
    staff = logged_in(staff_user)
    assert element(staff.get(periods_url(book)), "reopen-button") is not None
    assert staff.post(url, {"month": "2017-01"}).status_code == 302

    book.refresh_from_db()
    assert book.closed_through is None
    assert FiscalPeriod.objects.get(book=book).reopened_by == staff_user


def test_the_year_end_button_appears_when_only_december_is_open(year_2017, treasurer):
    book = year_2017
    close_through(book, 11)
    client = logged_in(treasurer)

    page = parse(client.get(periods_url(book)))
    assert page.by_id("year-end-button") is not None
    assert page.by_id("close-button") is None

    response = client.post(reverse("finance:year_end", args=[book.pk]), {"year": "2017"})

    assert response.status_code == 302
    assert JournalEntry.objects.filter(book=book, kind=EntryKind.YEAR_END).count() == 2


def test_the_periods_page_of_another_villages_book_is_not_found(book, other_village):
    stranger = FacilitatorAssignmentFactory(village=other_village).user
    client = logged_in(stranger)
    assert client.get(periods_url(book)).status_code == 404
    url = reverse("finance:period_close", args=[book.pk])
    assert client.post(url, {"month": "2017-01"}).status_code == 404


def test_a_facilitator_of_the_village_may_close_but_a_plain_member_may_not(
    book, facilitator, member_user
):
    url = reverse("finance:period_close", args=[book.pk])
    assert logged_in(member_user).post(url, {"month": "2017-01"}).status_code in (403, 404)
    assert logged_in(facilitator).post(url, {"month": "2017-01"}).status_code == 302
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 1, 31)


def test_the_periods_page_costs_the_same_queries_however_many_months_are_closed(book, staff_user):
    client = logged_in(staff_user)
    client.get(periods_url(book))  # the session's first page: the user's roles are read once
    close_through(book, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(periods_url(book))
    for number in range(2, 12):
        period_close(book=book, month=month(number), actor=None)
    period_reopen(book=book, actor=staff_user)
    with CaptureQueriesContext(connection) as many:
        client.get(periods_url(book))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_unknown_year_on_the_page_falls_back_to_the_books_years(book, staff_user):
    response = logged_in(staff_user).get(reverse("finance:periods", args=[book.pk]) + "?year=x")
    assert response.status_code == 200
    bad = logged_in(staff_user).post(
        reverse("finance:year_end", args=[book.pk]), {"year": "99999999999999999999"}
    )
    assert bad.status_code == 302


def test_a_user_unrelated_to_the_book_gets_not_found(book):
    client = logged_in(UserFactory())
    assert client.get(periods_url(book)).status_code == 404
