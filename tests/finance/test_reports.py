"""The books and statements, on a worked example with exact figures: March 2017 of a KSM
(after a little February), checked against sums taken straight from the journal lines."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance import selectors
from finance.models import EntryKind, JournalLine
from finance.selectors import Period
from finance.services import (
    Line,
    account_for,
    bank_transfer,
    cash_pay,
    cash_receive,
    entry_reverse,
    journal_post,
    savings_deposit,
    savings_withdraw,
)
from tests.groups.factories import MembershipFactory
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, translated

pytestmark = pytest.mark.django_db
D = Decimal
FEB = datetime.date(2017, 2, 1)
MARCH = datetime.date(2017, 3, 1)
MARCH_END = datetime.date(2017, 3, 31)


def day(n: int, month: int = 3) -> datetime.date:
    return datetime.date(2017, month, n)


@pytest.fixture
def people(ksm):
    """Three members of the KSM, by first name."""
    return {
        name: MembershipFactory(
            group=ksm, joined_date=datetime.date(2016, 6, 1), member__full_name=full
        ).member
        for name, full in (
            ("siti", "Siti Aminah"),
            ("budi", "Budi Santoso"),
            ("wati", "Wati Lestari"),
        )
    }


@pytest.fixture
def march_book(book, people):
    """A month of a KSM's activity, after a little February. Expected figures:

    cash: 50,000 at the end of February; in 1,790,000 and out 1,310,000 in March; 530,000 at
    the end of March. Bank 800,000. Equipment 300,000 less depreciation 25,000.
    Savings: pokok 150,000, wajib 30,000, sukarela 110,000 (Siti 70,000, Budi 40,000).
    Income in March 370,000, expenses 105,000 (the wrong honorarium was reversed): 265,000.
    """
    siti, budi, wati = people["siti"], people["budi"], people["wati"]
    income = {"book": book, "source": "income_business"}
    cash_receive(**income, amount=60000, entry_date=day(15, 2), description="Penjualan Februari")
    cash_pay(
        book=book, category="expense_admin", amount=10000, entry_date=day(16, 2), description="ATK"
    )
    for member in (siti, budi, wati):
        savings_deposit(
            book=book,
            member=member,
            savings_type="savings_principal",
            amount=50000,
            entry_date=day(1),
        )
    for member in (siti, budi, wati):
        savings_deposit(
            book=book,
            member=member,
            savings_type="savings_mandatory",
            amount=10000,
            entry_date=day(2),
        )
    for member, amount in ((siti, 100000), (budi, 40000)):
        savings_deposit(
            book=book,
            member=member,
            savings_type="savings_voluntary",
            amount=amount,
            entry_date=day(3),
        )
    cash_receive(
        book=book,
        source="grant",
        amount=1000000,
        entry_date=day(6),
        description="Hibah desa",
        receipt_ref="H-01",
    )
    cash_receive(**income, amount=250000, entry_date=day(8), description="Penjualan keripik")
    cash_pay(
        book=book, category="expense_admin", amount=35000, entry_date=day(10), description="ATK"
    )
    savings_withdraw(book=book, member=siti, amount=30000, entry_date=day(13))
    bank_transfer(
        book=book, direction="to_bank", amount=800000, entry_date=day(15), description="Setor"
    )
    cash_pay(
        book=book,
        category="expense_meeting",
        amount=45000,
        entry_date=day(20),
        description="Rapat anggota",
    )
    wrong = cash_pay(
        book=book,
        category="expense_honorarium",
        amount=100000,
        entry_date=day(24),
        description="Honor (salah catat)",
    ).entry
    entry_reverse(entry=wrong, entry_date=day(25), reason="salah catat")
    journal_post(
        book=book,
        entry_date=day(27),
        description="Beli timbangan",
        lines=[
            Line(account=account_for(book, "equipment"), debit=D("300000")),
            Line(account=account_for(book, "cash"), credit=D("300000")),
        ],
    )
    cash_receive(**income, amount=120000, entry_date=day(28), description="Penjualan keripik")
    journal_post(
        book=book,
        entry_date=day(31),
        description="Penyusutan Maret",
        lines=[
            Line(account=account_for(book, "expense_depreciation"), debit=D("25000")),
            Line(account=account_for(book, "accumulated_depreciation"), credit=D("25000")),
        ],
    )
    return book


def cells(row) -> list[str]:
    return [cell.text for cell in row.children if getattr(cell, "tag", "") in ("td", "th")]


def _phone_only(node) -> bool:
    return "d-sm-none" in node.attrs.get("class", "").split()


def _wide_text(node) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif not _phone_only(child):
            parts.append(f" {_wide_text(child)} ")
    return " ".join("".join(parts).split())


def wide_rows(table) -> list[list[str]]:
    """A ledger table's rows as a wide screen and paper show them (without the phone's
    signed amount column and the number under the date)."""
    return [
        [
            _wide_text(cell)
            for cell in tr.children
            if getattr(cell, "tag", "") in ("td", "th") and not _phone_only(cell)
        ]
        for tr in table.find_all("tr")
    ]


def _journal(book, *, date_to, date_from=None, **filters):
    lines = JournalLine.objects.filter(book=book, entry_date__lte=date_to, **filters)
    if date_from:
        lines = lines.filter(entry_date__gte=date_from)
    totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    return totals["d"] or D(0), totals["c"] or D(0)


# --- Cash book -------------------------------------------------------------------------------


def test_the_march_cash_book_opens_with_february_and_runs_to_the_month_end(march_book):
    cash = account_for(march_book, "cash")

    report = selectors.ledger(cash, date_from=MARCH, date_to=MARCH_END)
    rows = list(report.lines)

    assert report.opening == D("50000")
    assert (report.total_debit, report.total_credit) == (D("1790000"), D("1310000"))
    assert report.closing == D("530000")
    assert len(rows) == report.count == 18
    assert [(r.entry_date, r.reference, r.debit, r.balance) for r in rows[:2]] == [
        (day(1), "2017/00003", D("50000"), D("100000")),
        (day(1), "2017/00004", D("50000"), D("150000")),
    ]
    assert rows[-1].description == "Penjualan keripik"
    assert rows[-1].balance == D("530000")
    # Each running balance is the opening plus the lines before it, straight from the journal.
    running = report.opening
    for row in rows:
        running += row.debit - row.credit
        assert row.balance == running


def test_cash_book_totals_equal_the_journal_lines_of_the_range(march_book):
    cash = account_for(march_book, "cash")
    for date_from, date_to in ((MARCH, MARCH_END), (day(10), day(24)), (day(16, 2), day(13))):
        report = selectors.ledger(cash, date_from=date_from, date_to=date_to)
        before = _journal(march_book, date_to=date_from - datetime.timedelta(days=1), account=cash)
        within = _journal(march_book, date_from=date_from, date_to=date_to, account=cash)
        assert report.opening == before[0] - before[1]
        assert (report.total_debit, report.total_credit) == within
        assert report.closing == before[0] - before[1] + within[0] - within[1]


def test_the_cash_book_page_shows_opening_lines_and_closing(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[march_book.pk]),
        {"date_from": "2017-03-01", "date_to": "2017-03-31"},
    )

    assert response.status_code == 200
    rows = wide_rows(element(response, "ledger"))
    assert rows[1] == [translated("Opening balance"), "", "", "", "50.000"]
    assert rows[2] == [
        "01-03-2017",
        "2017/00003",
        translated("%(account)s deposit, %(member)s")
        % {"account": "Simpanan Pokok", "member": "Siti Aminah"},
        "50.000",
        "",
        "100.000",
    ]
    assert rows[10][:3] == ["06-03-2017", "2017/00011", "Hibah desa (H-01)"]
    assert rows[-1] == [translated("Closing balance"), "", "1.790.000", "1.310.000", "530.000"]


def test_on_a_phone_the_cash_book_shows_one_signed_amount_per_line(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[march_book.pk]),
        {"date_from": "2017-03-10", "date_to": "2017-03-10"},
    )
    row = element(response, "ledger").find_all("tr")[2]
    phone = [cell.text for cell in row.children if getattr(cell, "tag", "") == "td"]
    assert phone[0] == "10-03-2017 2017/00013"
    assert "-35.000" in phone


def test_the_cash_book_defaults_to_this_month(book, staff_user):
    response = logged_in(staff_user).get(reverse("finance:cash_book", args=[book.pk]))
    ledger = response.context["ledger"]
    assert ledger.date_from == ledger.date_to.replace(day=1)


def test_a_range_that_ends_before_it_starts_is_refused(book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[book.pk]),
        {"date_from": "2017-03-31", "date_to": "2017-03-01"},
    )
    assert response.status_code == 200
    assert "ledger" not in response.context
    assert response.context["form"].errors["date_to"]


@pytest.fixture
def long_month(book):
    """250 cash entries in January 2017: three pages of the cash book."""
    for n in range(250):
        entry_date = datetime.date(2017, 1, 1 + n // 10)
        if n % 3 == 2:
            cash_pay(
                book=book,
                category="expense_other",
                amount=1000 + n,
                entry_date=entry_date,
                description=f"Belanja {n}",
            )
        else:
            cash_receive(
                book=book,
                source="income_business",
                amount=5000 + n * 7,
                entry_date=entry_date,
                description=f"Jual {n}",
            )
    return book


def test_every_page_of_the_cash_book_carries_the_running_balance_from_the_lines_before(
    long_month,
):
    cash = account_for(long_month, "cash")
    report = selectors.ledger(cash, date_from=datetime.date(2017, 1, 5), date_to=day(31, 1))
    ordered = list(
        JournalLine.objects.filter(
            account=cash, entry_date__gte=datetime.date(2017, 1, 5), entry_date__lte=day(31, 1)
        ).order_by("entry_date", "entry_id", "id")
    )
    assert report.count == len(ordered) == 210

    pages = [report.page(n) for n in (1, 2, 3)]

    assert [len(p.rows) for p in pages] == [100, 100, 10]
    assert [(p.is_first, p.is_last) for p in pages] == [
        (True, False),
        (False, False),
        (False, True),
    ]
    for number, page in enumerate(pages):
        before = ordered[: number * 100]
        expected = report.opening + sum((line.debit - line.credit for line in before), D(0))
        assert page.brought_forward == expected
        assert [row.line_id for row in page.rows] == [
            line.pk for line in ordered[number * 100 : number * 100 + 100]
        ]
    assert pages[0].carried_forward == pages[1].brought_forward
    assert pages[-1].carried_forward == report.closing


def test_the_second_page_of_the_cash_book_starts_brought_forward(long_month, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[long_month.pk]),
        {"date_from": "2017-01-01", "date_to": "2017-01-31", "page": "2"},
    )
    rows = wide_rows(element(response, "ledger"))
    page = response.context["page"]
    assert page.number == 2 and page.paginator.num_pages == 3
    assert rows[1][0] == translated("Brought forward")
    assert rows[-1][0] == translated("Carried forward")
    assert len(rows) == 1 + 1 + 100 + 1


def money_text(value: Decimal) -> str:
    return f"{value:,.0f}".replace(",", ".") if value else ""


def test_each_line_of_a_cash_book_page_shows_its_amounts_and_the_balance_after_it(
    long_month, staff_user
):
    """Every one of the 100 lines of the second page, against the journal: the number links
    to the entry, in or out, and the running balance from the lines before."""
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[long_month.pk]),
        {"date_from": "2017-01-01", "date_to": "2017-01-31", "page": "2"},
    )
    cash = account_for(long_month, "cash")
    lines = list(
        JournalLine.objects.filter(account=cash, entry_date__month=1)
        .select_related("entry")
        .order_by("entry_date", "entry_id", "id")
    )
    balance = sum((line.debit - line.credit for line in lines[:100]), D(0))
    table = element(response, "ledger")
    shown = wide_rows(table)[2:-1]
    assert len(shown) == 100
    for row, line in zip(shown, lines[100:200], strict=True):
        balance += line.debit - line.credit
        assert row == [
            line.entry_date.strftime("%d-%m-%Y"),
            line.entry.reference,
            line.entry.description,
            money_text(line.debit),
            money_text(line.credit),
            money_text(balance) or "0",
        ]
    links = table.hrefs()
    assert reverse("finance:entry", args=[long_month.pk, lines[100].entry_id]) in links


def test_a_description_with_markup_is_shown_as_text_in_the_cash_book(book, staff_user):
    cash_receive(
        book=book,
        source="income_business",
        amount=5000,
        entry_date=day(2),
        description='<script>alert("x")</script> & "jual"',
    )
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[book.pk]),
        {"date_from": "2017-03-01", "date_to": "2017-03-31"},
    )
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;jual&quot;" in html
    assert wide_rows(element(response, "ledger"))[2][2] == '<script>alert("x")</script> & "jual"'


# --- General ledger ----------------------------------------------------------------------------


def test_the_ledger_of_voluntary_savings_runs_in_its_normal_credit_direction(march_book):
    account = account_for(march_book, "savings_voluntary")
    report = selectors.ledger(account, date_from=MARCH, date_to=MARCH_END)
    assert [row.balance for row in report.lines] == [D("100000"), D("140000"), D("110000")]
    assert report.closing == D("110000")


def test_the_ledger_page_switches_account_with_the_picker(march_book, staff_user):
    cash, bank = account_for(march_book, "cash"), account_for(march_book, "bank")
    client = logged_in(staff_user)
    url = reverse("finance:ledger", args=[march_book.pk, cash.pk])

    response = client.get(url, {"account": bank.pk, "date_from": "2017-03-01"})

    assert response.status_code == 302
    response = client.get(response.url)
    assert response.context["account"] == bank
    assert element(response, "ledger").rows()[-1][-1] == "800.000"


def test_a_ledger_of_an_account_of_another_book_is_not_found(march_book, staff_user, other_village):
    from finance.services import book_open
    from tests.groups.factories import SelfHelpGroupFactory

    other = book_open(
        owner=SelfHelpGroupFactory(village=other_village), opening_date=datetime.date(2017, 1, 1)
    )
    response = logged_in(staff_user).get(
        reverse("finance:ledger", args=[march_book.pk, account_for(other, "cash").pk])
    )
    assert response.status_code == 404


# --- Trial balance -----------------------------------------------------------------------------

MARCH_TRIAL_BALANCE = {
    "1.01": (D("530000"), D(0)),
    "1.02": (D("800000"), D(0)),
    "1.07": (D("300000"), D(0)),
    "1.08": (D(0), D("25000")),
    "2.01": (D(0), D("110000")),
    "3.01": (D(0), D("150000")),
    "3.02": (D(0), D("30000")),
    "3.03": (D(0), D("1000000")),
    "4.03": (D(0), D("430000")),
    "5.01": (D("45000"), D(0)),
    "5.02": (D("45000"), D(0)),
    "5.04": (D("25000"), D(0)),
}


def test_the_trial_balance_at_the_end_of_march(march_book):
    report = selectors.trial_balance(march_book, as_of=MARCH_END)

    nonzero = {r.account.code: (r.debit, r.credit) for r in report.rows if r.debit or r.credit}
    assert nonzero == MARCH_TRIAL_BALANCE
    assert report.total_debit == report.total_credit == D("1745000")
    assert len(report.rows) == march_book.accounts.filter(is_header=False).count()


@pytest.mark.parametrize("as_of", [day(28, 2), day(13), MARCH_END, day(31, 12)])
def test_every_trial_balance_row_is_the_journal_balance_of_its_account(march_book, as_of):
    report = selectors.trial_balance(march_book, as_of=as_of)
    for row in report.rows:
        debit, credit = _journal(march_book, date_to=as_of, account=row.account)
        assert row.debit - row.credit == debit - credit
    assert report.total_debit == report.total_credit


def test_the_trial_balance_page_totals_agree(march_book, facilitator):
    response = logged_in(facilitator).get(
        reverse("finance:trial_balance", args=[march_book.pk]), {"date": "2017-03-31"}
    )
    assert response.status_code == 200
    assert cells(element(response, "trial-balance-total")) == [
        "",
        "Total",
        "1.745.000",
        "1.745.000",
    ]


def test_each_trial_balance_row_links_to_its_ledger_up_to_the_report_date(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:trial_balance", args=[march_book.pk]), {"date": "2017-03-31"}
    )
    report = response.context["report"]
    table = element(response, "trial-balance")
    rows = [cells(tr) for tr in table.find_all("tr")][1:-1]
    assert rows == [
        [row.account.code, row.account.name, money_text(row.debit), money_text(row.credit)]
        for row in report.rows
    ]
    query = f"?date_from={march_book.opening_date.isoformat()}&date_to=2017-03-31"
    assert table.hrefs() == [
        reverse("finance:ledger", args=[march_book.pk, row.account.pk]) + query
        for row in report.rows
    ]


# --- Statements ---------------------------------------------------------------------------------


def _rows(section):
    return {
        row.label: (row.current, row.previous)
        for row in section.rows
        if row.current or row.previous
    }


def test_the_balance_sheet_of_march_balances_with_february_beside_it(march_book):
    report = selectors.balance_sheet(march_book, Period.of("month", 2017, 3))

    assert (report.as_of, report.previous_as_of) == (MARCH_END, day(28, 2))
    assert _rows(report.assets) == {
        "Kas": (D("530000"), D("50000")),
        "Bank": (D("800000"), D(0)),
        "Inventaris": (D("300000"), D(0)),
        "Akumulasi Penyusutan": (D("-25000"), D(0)),
    }
    assert _rows(report.liabilities) == {"Simpanan Sukarela": (D("110000"), D(0))}
    assert _rows(report.equity) == {
        "Simpanan Pokok": (D("150000"), D(0)),
        "Simpanan Wajib": (D("30000"), D(0)),
        "Hibah/Modal Donasi": (D("1000000"), D(0)),
        "SHU Tahun Berjalan": (D("315000"), D("50000")),
    }
    assert (report.assets.current, report.assets.previous) == (D("1605000"), D("50000"))
    assert report.liabilities_and_equity == (D("1605000"), D("50000"))
    assert report.balanced
    contra = [row for row in report.assets.rows if row.contra]
    assert [row.label for row in contra] == ["Akumulasi Penyusutan"]
    with_zero = selectors.balance_sheet(march_book, Period.of("month", 2017, 3), show_zero=True)
    contra = [row for row in with_zero.assets.rows if row.contra]
    assert [row.label for row in contra] == ["Cadangan Kerugian Piutang", "Akumulasi Penyusutan"]


def test_the_balance_sheet_ties_to_the_journal(march_book):
    report = selectors.balance_sheet(march_book, Period.of("year", 2017))
    debit, credit = _journal(march_book, date_to=day(31, 12), account__type="asset")
    assert report.assets.current == debit - credit
    debit, credit = _journal(
        march_book, date_to=day(31, 12), account__type__in=("liability", "equity")
    )
    surplus = _journal(march_book, date_to=day(31, 12), account__type__in=("income", "expense"))
    assert report.liabilities_and_equity[0] == credit - debit + surplus[1] - surplus[0]
    assert report.balanced


def test_the_income_statement_of_march_beside_february(march_book):
    report = selectors.income_statement(march_book, Period.of("month", 2017, 3))

    assert _rows(report.income) == {"Pendapatan Usaha": (D("370000"), D("60000"))}
    assert _rows(report.expenses) == {
        "Administrasi dan ATK": (D("35000"), D("10000")),
        "Rapat": (D("45000"), D(0)),
        "Penyusutan": (D("25000"), D(0)),
    }
    assert (report.expenses.current, report.expenses.previous) == (D("105000"), D("10000"))
    assert report.surplus == (D("265000"), D("50000"))


def test_the_income_statement_of_the_year_ties_to_the_journal(march_book):
    report = selectors.income_statement(march_book, Period.of("year", 2017))
    income = _journal(march_book, date_from=day(1, 1), date_to=day(31, 12), account__type="income")
    expenses = _journal(
        march_book, date_from=day(1, 1), date_to=day(31, 12), account__type="expense"
    )
    assert report.income.current == income[1] - income[0] == D("430000")
    assert report.expenses.current == expenses[0] - expenses[1] == D("115000")
    assert report.surplus == (D("315000"), D(0))


@pytest.fixture
def closed_2017(march_book):
    """A year-end close of 2017 moving income and expenses into SHU Tahun Berjalan."""
    by_role = {
        role: account_for(march_book, role)
        for role in (
            "income_business",
            "expense_admin",
            "expense_meeting",
            "expense_depreciation",
            "current_surplus",
        )
    }
    journal_post(
        book=march_book,
        entry_date=day(31, 12),
        description="Tutup buku 2017",
        kind=EntryKind.YEAR_END,
        lines=[
            Line(account=by_role["income_business"], debit=D("430000")),
            Line(account=by_role["expense_admin"], credit=D("45000")),
            Line(account=by_role["expense_meeting"], credit=D("45000")),
            Line(account=by_role["expense_depreciation"], credit=D("25000")),
            Line(account=by_role["current_surplus"], credit=D("315000")),
        ],
    )
    return march_book


def test_the_income_statement_of_a_closed_year_still_shows_its_income_and_expenses(closed_2017):
    report = selectors.income_statement(closed_2017, Period.of("year", 2017))
    assert report.income.current == D("430000")
    assert report.expenses.current == D("115000")
    assert report.surplus[0] == D("315000")


def test_after_the_close_the_surplus_sits_in_equity_and_the_balance_sheet_still_balances(
    closed_2017,
):
    report = selectors.balance_sheet(closed_2017, Period.of("year", 2018))
    assert _rows(report.equity)["SHU Tahun Berjalan"] == (D("315000"), D("315000"))
    assert report.balanced
    assert report.assets.current == D("1605000")


def test_the_year_end_close_service_leaves_the_statements_of_the_year_intact(
    march_book, staff_user
):
    from finance.services import period_close, year_end_close

    for month in range(1, 12):
        period_close(book=march_book, month=datetime.date(2017, month, 1), actor=staff_user)
    year_end_close(book=march_book, year=2017, actor=staff_user)

    income = selectors.income_statement(march_book, Period.of("year", 2017))
    sheet = selectors.balance_sheet(march_book, Period.of("year", 2017))
    assert income.surplus == (D("315000"), D(0))
    assert _rows(sheet.equity)["SHU Ditahan"] == (D("315000"), D(0))
    assert "SHU Tahun Berjalan" not in _rows(sheet.equity)
    assert sheet.balanced and sheet.assets.current == D("1605000")
    tb = selectors.trial_balance(march_book, as_of=day(31, 12))
    assert {r.account.type for r in tb.rows if r.debit or r.credit} == {
        "asset",
        "liability",
        "equity",
    }


def test_surplus_of_an_earlier_year_never_closed_keeps_the_balance_sheet_balanced(march_book):
    report = selectors.balance_sheet(march_book, Period.of("year", 2018))
    assert _rows(report.equity)[translated("Surplus of earlier years not yet closed")] == (
        D("315000"),
        D(0),
    )
    assert _rows(report.equity)["SHU Tahun Berjalan"] == (D(0), D("315000"))
    assert report.balanced


def test_the_statement_pages_show_the_figures(march_book, treasurer):
    client = logged_in(treasurer)
    query = {"period": "month", "year": "2017", "month": "3"}

    sheet = client.get(reverse("finance:balance_sheet", args=[march_book.pk]), query)
    income = client.get(reverse("finance:income_statement", args=[march_book.pk]), query)

    assert cells(element(sheet, "total-assets")) == [
        translated("Total assets"),
        "1.605.000",
        "50.000",
    ]
    assert cells(element(sheet, "total-liabilities-and-equity"))[1:] == ["1.605.000", "50.000"]
    assert "(25.000)" in element(sheet, "balance-sheet").text
    assert "-25.000" not in element(sheet, "balance-sheet").text
    assert cells(element(income, "surplus"))[1:] == ["265.000", "50.000"]
    assert element(income, "income-statement").rows()[0][1:] == [
        "Maret 2017",
        "Februari 2017",
    ]


def test_a_period_that_has_not_started_is_refused(book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:balance_sheet", args=[book.pk]), {"period": "year", "year": "2999"}
    )
    assert response.status_code == 200
    assert "report" not in response.context
    assert response.context["form"].non_field_errors()


def test_the_statements_default_to_this_year_to_date(book, staff_user):
    response = logged_in(staff_user).get(reverse("finance:income_statement", args=[book.pk]))
    period = response.context["period"]
    assert (period.kind, period.start.month, period.start.day) == ("year", 1, 1)
    assert period.end == response.context["report"].period.end


# --- Passbook and members ----------------------------------------------------------------------


def test_sitis_passbook_shows_each_savings_type_with_its_running_balance(march_book, people):
    report = selectors.passbook(march_book, people["siti"], date_from=FEB, date_to=MARCH_END)
    by_role = {item.account.role: item for item in report.ledgers}

    assert list(by_role) == ["savings_principal", "savings_mandatory", "savings_voluntary"]
    assert [r.balance for r in by_role["savings_principal"].lines] == [D("50000")]
    assert [r.balance for r in by_role["savings_mandatory"].lines] == [D("10000")]
    voluntary = list(by_role["savings_voluntary"].lines)
    assert [(r.entry_date, r.credit, r.debit, r.balance) for r in voluntary] == [
        (day(3), D("100000"), D(0), D("100000")),
        (day(13), D(0), D("30000"), D("70000")),
    ]
    assert report.total == D("130000")


def test_a_passbook_range_starts_from_the_balance_before_it(march_book, people):
    report = selectors.passbook(march_book, people["siti"], date_from=day(10), date_to=MARCH_END)
    voluntary = report.ledgers[2]
    assert voluntary.opening == D("100000")
    assert [r.balance for r in voluntary.lines] == [D("70000")]
    assert report.ledgers[0].opening == D("50000") and report.ledgers[0].count == 0


def test_the_passbook_page(march_book, people, treasurer):
    response = logged_in(treasurer).get(
        reverse("finance:passbook", args=[march_book.pk, people["siti"].pk]),
        {"date_from": "2017-03-01", "date_to": "2017-03-31"},
    )
    assert response.status_code == 200
    voluntary = wide_rows(element(response, "passbook-savings_voluntary"))
    assert voluntary[2][3:] == ["100.000", "", "100.000"]
    assert voluntary[3][3:] == ["", "30.000", "70.000"]
    assert voluntary[-1] == [translated("Closing balance"), "", "100.000", "30.000", "70.000"]
    assert element(response, "passbook-total").text == f"{translated('Total savings')}: Rp 130.000"


def test_a_member_of_another_ksm_has_no_passbook_here(march_book, staff_user, other_village):
    stranger = MembershipFactory(group__village=other_village).member
    response = logged_in(staff_user).get(
        reverse("finance:passbook", args=[march_book.pk, stranger.pk])
    )
    assert response.status_code == 404


def test_the_members_page_lists_balances_per_savings_type_linking_to_passbooks(
    march_book, people, facilitator
):
    response = logged_in(facilitator).get(reverse("finance:members", args=[march_book.pk]))

    table = element(response, "members")
    rows = table.rows()
    assert rows[0] == [
        translated("Member"),
        "Simpanan Pokok",
        "Simpanan Wajib",
        "Simpanan Sukarela",
        translated("Total"),
    ]
    assert rows[1:4] == [
        ["Budi Santoso", "50.000", "10.000", "40.000", "100.000"],
        ["Siti Aminah", "50.000", "10.000", "70.000", "130.000"],
        ["Wati Lestari", "50.000", "10.000", "0", "60.000"],
    ]
    assert rows[-1] == [translated("All members"), "150.000", "30.000", "110.000", "290.000"]
    assert reverse("finance:passbook", args=[march_book.pk, people["siti"].pk]) in table.hrefs()


def test_member_totals_equal_the_savings_accounts_in_the_journal(march_book):
    accounts = selectors.savings_accounts(march_book)
    _none, totals = selectors.members_savings(march_book, [], accounts)
    for account, total in zip(accounts, totals, strict=True):
        debit, credit = _journal(march_book, date_to=day(31, 12), account=account)
        assert total == credit - debit


# --- Who may read -------------------------------------------------------------------------------

REPORTS = ["cash_book", "trial_balance", "balance_sheet", "income_statement", "members"]


@pytest.mark.parametrize("name", REPORTS)
def test_reports_of_a_book_outside_the_users_villages_are_not_found(book, other_village, name):
    outsider = FacilitatorAssignmentFactory(village=other_village).user
    response = logged_in(outsider).get(reverse(f"finance:{name}", args=[book.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", REPORTS)
def test_the_facilitator_and_the_treasurer_read_every_report(book, facilitator, treasurer, name):
    for user in (facilitator, treasurer):
        response = logged_in(user).get(reverse(f"finance:{name}", args=[book.pk]))
        assert response.status_code == 200


def test_reports_ask_anonymous_visitors_to_log_in(book, client):
    response = client.get(reverse("finance:cash_book", args=[book.pk]))
    assert response.status_code == 302
    assert "login" in response.url


# --- Queries do not grow with the book ----------------------------------------------------------


def _pages(book, member):
    cash = account_for(book, "cash")
    month = {"date_from": "2017-03-01", "date_to": "2017-03-31"}
    period = {"period": "month", "year": "2017", "month": "3"}
    return [
        (reverse("finance:cash_book", args=[book.pk]), month),
        (reverse("finance:cash_book", args=[book.pk]), {"date_from": "2017-03-05"}),
        (reverse("finance:ledger", args=[book.pk, cash.pk]), month),
        (reverse("finance:trial_balance", args=[book.pk]), {"date": "2017-03-20"}),
        (reverse("finance:balance_sheet", args=[book.pk]), period),
        (reverse("finance:income_statement", args=[book.pk]), period),
        (reverse("finance:passbook", args=[book.pk, member.pk]), month),
        (reverse("finance:members", args=[book.pk]), {}),
    ]


def _query_counts(client, book, member):
    counts = []
    for url, query in _pages(book, member):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200, url
        counts.append(len(queries))
    return counts


def test_report_pages_make_the_same_number_of_queries_for_a_small_and_a_bigger_book(
    march_book, people, staff_user, ksm
):
    client = logged_in(staff_user)
    client.get(reverse("finance:book", args=[march_book.pk]))  # session and user warmed up
    small = _query_counts(client, march_book, people["siti"])

    for n in range(150):  # many more lines, members and months
        entry_date = datetime.date(2017, 1 + n % 12, 1 + n % 28)
        member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
        savings_deposit(
            book=march_book,
            member=member,
            savings_type="savings_mandatory",
            amount=10000,
            entry_date=entry_date,
        )
        savings_deposit(
            book=march_book,
            member=people["siti"],
            savings_type="savings_voluntary",
            amount=1000,
            entry_date=entry_date,
        )
        cash_pay(
            book=march_book,
            category="expense_other",
            amount=500,
            entry_date=entry_date,
            description="Lain-lain",
        )
    bigger = _query_counts(client, march_book, people["siti"])

    assert bigger == small, (small, bigger)
    # The user's scope costs three queries a page: staff permissions, assignments, offices.
    assert max(small) <= 14, small


@pytest.mark.parametrize(
    "ranges",
    [
        [(None, day(31, 12)), (None, day(28, 2))],
        [(MARCH, MARCH_END), (FEB, day(28, 2)), (day(1, 1), day(31, 12))],
        [(day(10), day(24)), (None, day(9)), (day(16, 2), day(13)), (day(20, 2), day(27, 2))],
        [(day(1, 4), day(30, 4))],
    ],
)
def test_totals_of_several_ranges_at_once_equal_each_range_alone(march_book, ranges):
    together = selectors._totals_of_ranges(march_book, ranges)
    alone = [
        selectors.account_totals(march_book, date_from=start, date_to=end) for start, end in ranges
    ]
    assert together == alone
