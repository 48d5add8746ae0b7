"""The SAK EMKM statements in full, on fixed data: the posisi keuangan, laba rugi and catatan
as a page, a PDF and a workbook ("(dalam Rupiah)", "Liabilitas", negatives in parentheses,
zero lines on request, the comparative column only with figures, who signs), and the member
savings list and the loan portfolio on a past date, each tied to the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from finance import selectors
from finance.selectors import Period
from finance.services import book_open, cash_pay, cash_receive, loan_repay, savings_deposit
from groups.models import Membership
from tests.export_support import pdf_text, read_xlsx
from tests.finance import test_loan_reports, test_reports
from tests.finance.test_reports import cells
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in

pytestmark = pytest.mark.django_db
D = Decimal
people, march_book, lent = test_reports.people, test_reports.march_book, test_loan_reports.lent
MARCH = {"period": "month", "year": "2017", "month": "3"}
STATEMENT_FORMAT = "#,##0;(#,##0)"


def _officers(group, village):
    for role, name in ((Membership.Role.CHAIR, "Slamet Riyadi"), ("treasurer", "Sri Rahayu")):
        MembershipFactory(
            group=group, role=role, joined_date=datetime.date(2016, 6, 1), member__full_name=name
        )
    FacilitatorAssignmentFactory(
        village=village,
        start_date=datetime.date(2016, 5, 1),
        user__first_name="Rina",
        user__last_name="Wulandari",
    )


@pytest.fixture
def officers(ksm, village):
    """The KSM's Ketua and Bendahara, and the pendamping assigned to its village."""
    _officers(ksm, village)


@pytest.fixture
def deficit_book(village):
    """March 2017 of a KSM whose books opened on 1 March: a grant of Rp 1.000.000 and
    Rp 75.000 of expenses, a deficit of Rp 75.000."""
    book = book_open(
        owner=SelfHelpGroupFactory(village=village), opening_date=datetime.date(2017, 3, 1)
    )
    cash_receive(
        book=book,
        source="grant",
        amount=1_000_000,
        entry_date=datetime.date(2017, 3, 2),
        description="Hibah",
    )
    cash_pay(
        book=book,
        category="expense_meeting",
        amount=75_000,
        entry_date=datetime.date(2017, 3, 9),
        description="Rapat",
    )
    _officers(book.group, village)
    return book


def _get(user, name, book, query):
    return logged_in(user).get(reverse(f"finance:{name}", args=[book.pk]), query)


def _labels(table) -> list[str]:
    return [row[0] for row in table.rows()]


# --- The statements as pages ------------------------------------------------------------------


def test_the_balance_sheet_says_in_rupiah_and_liabilitas_with_negatives_in_parentheses(
    deficit_book, staff_user
):
    page = _get(staff_user, "balance_sheet", deficit_book, MARCH)

    assert element(page, "in-rupiah").text == "(dalam Rupiah)"
    table = element(page, "balance-sheet")
    assert "Liabilitas" in _labels(table)
    assert "Kewajiban" not in page.content.decode()
    assert cells(element(page, "total-equity"))[1:] == ["925.000"]
    shu = next(row for row in table.rows() if row[0] == "SHU Tahun Berjalan")
    assert shu[1:] == ["(75.000)"]
    assert "-75.000" not in table.text


def test_the_income_statement_shows_a_deficit_in_parentheses(deficit_book, staff_user):
    page = _get(staff_user, "income_statement", deficit_book, MARCH)

    assert element(page, "in-rupiah").text == "(dalam Rupiah)"
    assert cells(element(page, "surplus"))[1:] == ["(75.000)"]


def test_zero_accounts_are_hidden_unless_asked_for(march_book, staff_user):
    hidden = element(_get(staff_user, "balance_sheet", march_book, MARCH), "balance-sheet")
    shown = element(
        _get(staff_user, "balance_sheet", march_book, {**MARCH, "zero": "1"}), "balance-sheet"
    )

    for zero in ("Piutang Jasa", "Cadangan Kerugian Piutang", "Utang Pinjaman", "Cadangan"):
        assert zero not in _labels(hidden)
        assert zero in _labels(shown)
    assert "Kas" in _labels(hidden)
    income = _get(staff_user, "income_statement", march_book, MARCH)
    assert "Jasa Pinjaman" not in _labels(element(income, "income-statement"))


def test_no_comparative_column_for_a_period_before_the_books_had_figures(
    deficit_book, march_book, staff_user
):
    """The deficit book has nothing before March; the March book had February's trading."""
    alone = _get(staff_user, "balance_sheet", deficit_book, MARCH)
    beside = _get(staff_user, "balance_sheet", march_book, MARCH)
    year = _get(staff_user, "income_statement", deficit_book, {"period": "year", "year": "2017"})

    assert element(alone, "balance-sheet").rows()[0] == ["", "31 Maret 2017"]
    assert element(beside, "balance-sheet").rows()[0] == ["", "31 Maret 2017", "28 Februari 2017"]
    assert element(year, "income-statement").rows()[0] == ["", "2017"]
    assert not selectors.balance_sheet(deficit_book, Period.of("month", 2017, 3)).comparative


def test_the_signature_block_names_ketua_bendahara_and_the_pendamping(
    march_book, officers, staff_user
):
    page = _get(staff_user, "balance_sheet", march_book, MARCH)

    assert element(page, "signature-place").text.startswith("Wonotunggal, ")
    assert [
        element(page, f"signatory-{office}").text.split()
        for office in (
            "chair",
            "treasurer",
            "facilitator",
        )
    ] == [
        ["Ketua", "Slamet", "Riyadi"],
        ["Bendahara", "Sri", "Rahayu"],
        ["Mengetahui,", "Pendamping", "Rina", "Wulandari"],
    ]


def test_without_an_assigned_pendamping_the_signature_line_is_blank(march_book, staff_user):
    page = _get(staff_user, "income_statement", march_book, MARCH)

    assert element(page, "signatory-facilitator").text.split() == ["Mengetahui,", "Pendamping"]


# --- Catatan atas Laporan Keuangan -----------------------------------------------------------


def test_the_notes_give_the_entity_basis_and_policies(march_book, staff_user):
    page = _get(staff_user, "statement_notes", march_book, MARCH)

    assert march_book.group.name.startswith("KSM ")
    assert element(page, "entity-name").text == march_book.group.name
    entity = element(page, "note-entity").text
    assert "Wonotunggal" in entity and march_book.group.village.district.name in entity
    basis = element(page, "note-basis").text
    assert "SAK EMKM" in basis and "biaya historis" in basis and "akrual" in basis
    assert "Rupiah" in basis
    policies = element(page, "note-policies").text
    for policy in ("Kas dan bank", "Piutang pinjaman", "Simpanan anggota", "Pengakuan pendapatan"):
        assert policy in policies
    assert "SHU" in policies


def test_the_notes_give_cash_per_account_savings_by_type_equity_and_grants(march_book, staff_user):
    page = _get(staff_user, "statement_notes", march_book, MARCH)

    assert element(page, "notes-cash").rows()[1:] == [
        ["Kas", "530.000", "50.000"],
        ["Bank", "800.000", "0"],
        ["Jumlah kas dan bank", "1.330.000", "50.000"],
    ]
    assert element(page, "notes-savings").rows()[1:] == [
        ["Simpanan Pokok", "Ekuitas", "150.000", "0"],
        ["Simpanan Wajib", "Ekuitas", "30.000", "0"],
        ["Simpanan Sukarela", "Liabilitas", "110.000", "0"],
        ["Jumlah simpanan anggota", "", "290.000", "0"],
    ]
    equity = element(page, "notes-equity").rows()
    assert equity[-1] == ["Total ekuitas", "1.495.000", "50.000"]
    assert element(page, "notes-grants").rows()[0] == ["Hibah/Modal Donasi", "1.000.000", "0"]
    assert element(page, "grants-received").text == "1.000.000"
    assert 'id="note-loans"' not in page.content.decode()  # the group never lent


def test_the_notes_give_loans_receivable_with_arrears_and_par(book, lent, staff_user):
    """On 31 March 2017 Ani (800.000) is current and Budi (1.000.000) 49 days past due."""
    page = _get(staff_user, "statement_notes", book, MARCH)

    assert element(page, "notes-loans").rows()[1:] == [
        ["Lancar (belum jatuh tempo)", "1", "800.000"],
        ["Menunggak", "1", "1.000.000"],
        ["Sisa pokok", "2", "1.800.000"],
        ["Cadangan kerugian piutang", "", "0"],
        ["Piutang pinjaman, bersih", "", "1.800.000"],
    ]
    note = element(page, "note-loans").text
    # Budi's February and March instalments of 120.000 are unpaid; 55.56% of the principal
    # is in a loan more than 30 days late.
    assert "Rp 240.000" in note and "PAR 30" in note and "55,56%" in note.replace(".", ",")
    assert "berbeda dari buku besar" not in note


# --- PDF and xlsx ------------------------------------------------------------------------------


def test_the_balance_sheet_pdf_carries_the_same_text(deficit_book, staff_user):
    response = _get(staff_user, "balance_sheet", deficit_book, {**MARCH, "format": "pdf"})

    text = pdf_text(response.content)
    for expected in (
        "(dalam Rupiah)",
        "Liabilitas",
        "(75.000)",
        "Mengetahui,",
        "Slamet Riyadi",
        "Sri Rahayu",
        "Rina Wulandari",
    ):
        assert expected in text, expected
    assert "-75.000" not in text and "Kewajiban" not in text


def test_the_notes_pdf_has_the_notes_and_their_figures(march_book, staff_user):
    response = _get(staff_user, "statement_notes", march_book, {**MARCH, "format": "pdf"})

    text = pdf_text(response.content)
    for expected in ("Catatan atas Laporan Keuangan", "SAK EMKM", "1.330.000", "290.000"):
        assert expected in text, expected


def test_the_balance_sheet_workbook_formats_negatives_in_parentheses(deficit_book, staff_user):
    response = _get(staff_user, "balance_sheet", deficit_book, {**MARCH, "format": "xlsx"})

    table = read_xlsx(response, cells=True)
    assert "(dalam Rupiah)" in table.heading
    assert len(table.header) == 2  # no comparative column: nothing before March
    rows = {row[0].value: row[1] for row in table.rows if row[0].value}
    assert rows["SHU Tahun Berjalan"].value == -75000
    assert rows["SHU Tahun Berjalan"].number_format == STATEMENT_FORMAT
    assert "Liabilitas" in rows and "Kewajiban" not in rows
    assert "Piutang Jasa" not in rows
    for name in ("Mengetahui,", "Ketua", "Slamet Riyadi", "Sri Rahayu", "Rina Wulandari"):
        assert name in rows, name


def test_the_income_statement_workbook_has_the_comparative_column_when_there_are_figures(
    march_book, staff_user
):
    response = _get(staff_user, "income_statement", march_book, {**MARCH, "format": "xlsx"})

    table = read_xlsx(response)
    assert table.header == ["Akun", "Maret 2017", "Februari 2017"]
    rows = {row[0]: row[1:] for row in table.rows if row[0]}
    assert rows["SHU (defisit)"] == [265000, 50000]
    zero = _get(
        staff_user, "income_statement", march_book, {**MARCH, "zero": "1", "format": "xlsx"}
    )
    assert "Jasa Pinjaman" in {row[0] for row in read_xlsx(zero).rows}
    assert "Jasa Pinjaman" not in rows


def test_the_notes_workbook_holds_the_notes_figures(march_book, staff_user):
    response = _get(staff_user, "statement_notes", march_book, {**MARCH, "format": "xlsx"})

    table = read_xlsx(response)
    assert "(dalam Rupiah)" in table.heading
    rows = {row[0]: row[1:] for row in table.rows if row[0]}
    assert rows["Jumlah kas dan bank"] == [1330000, 50000]
    assert rows["Simpanan Sukarela"] == [110000, 0]
    assert rows["Jumlah simpanan anggota"] == [290000, 0]
    texts = [row[0] for row in table.rows if row[0]]
    assert any(text.startswith("Laporan keuangan ini disusun sesuai") for text in texts)
    assert any(text.startswith("Pengakuan pendapatan.") for text in texts)


# --- Members' savings and the portfolio on a past date -----------------------------------------


def test_the_members_savings_on_a_past_date_tie_to_the_ledger_and_differ_from_today(
    march_book, people, staff_user
):
    """On 10 March Siti had not yet taken out 30.000 of her voluntary savings."""
    past = _get(staff_user, "members", march_book, {"date": "2017-03-10"})
    today = _get(staff_user, "members", march_book, {})

    past_rows = element(past, "members").rows()
    assert ["Siti Aminah", "50.000", "10.000", "100.000", "160.000"] in past_rows
    assert past_rows[-1][1:] == ["150.000", "30.000", "140.000", "320.000"]
    assert element(past, "ledger-tie").text == (
        "Saldo buku besar per 10-03-2017: Rp 320.000; selisih: Rp 0"
    )
    assert ["Siti Aminah", "50.000", "10.000", "70.000", "130.000"] in element(
        today, "members"
    ).rows()
    assert element(today, "ledger-tie").text.endswith(": Rp 290.000; selisih: Rp 0")


@pytest.mark.parametrize("today", [datetime.date(2017, 3, 12), datetime.date(2026, 1, 1)])
def test_a_members_balance_on_a_date_is_the_same_counted_from_either_side(
    march_book, people, monkeypatch, today
):
    """Near today the kept balances less the later lines, near the opening the lines up to
    the date: the same figures."""
    monkeypatch.setattr("finance.selectors.ledgers.timezone.localdate", lambda: today)
    accounts = selectors.savings_accounts(march_book)
    members = [people["siti"], people["budi"]]

    rows, totals = selectors.members_savings(
        march_book, members, accounts, as_of=datetime.date(2017, 3, 10)
    )

    assert [row.balances for row in rows] == [
        [D("50000"), D("10000"), D("100000")],
        [D("50000"), D("10000"), D("40000")],
    ]
    assert totals == [D("150000"), D("30000"), D("140000")]


def test_the_members_savings_list_makes_no_query_per_member(march_book, ksm, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(staff_user)
    url = reverse("finance:members", args=[march_book.pk])
    client.get(url, {"date": "2017-03-10"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"date": "2017-03-10"})
    for _ in range(10):
        member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
        savings_deposit(
            book=march_book,
            member=member,
            savings_type="savings_mandatory",
            amount=10000,
            entry_date=datetime.date(2017, 3, 5),
        )
    with CaptureQueriesContext(connection) as more:
        page = client.get(url, {"date": "2017-03-10"})

    assert len(more) == len(few)
    assert element(page, "ledger-tie").text.endswith(": Rp 420.000; selisih: Rp 0")


def test_the_portfolio_on_a_past_date_ties_to_the_ledger_and_differs_from_today(
    book, lent, staff_user
):
    ani, _budi = lent
    loan_repay(loan=ani, amount=120_000, paid_date=datetime.date(2017, 4, 10))
    march = _get(staff_user, "portfolio", book, {"date": "2017-03-15"})
    later = _get(staff_user, "portfolio", book, {"date": "2017-04-15"})

    assert element(march, "portfolio-outstanding").text == "Rp 1.800.000"
    assert element(march, "ledger-tie").text == (
        "Saldo buku besar per 15-03-2017: Rp 1.800.000; selisih: Rp 0"
    )
    assert element(later, "portfolio-outstanding").text == "Rp 1.700.000"
    assert element(later, "ledger-tie").text == (
        "Saldo buku besar per 15-04-2017: Rp 1.700.000; selisih: Rp 0"
    )
    sheet = _get(staff_user, "portfolio", book, {"date": "2017-03-15", "format": "xlsx"})
    lines = [row[1] for row in read_xlsx(sheet).rows]
    assert "Saldo buku besar per 15-03-2017: Rp 1.800.000; selisih: Rp 0" in lines


def test_a_members_page_with_a_bad_date_is_refused_with_nothing_shown(march_book, staff_user):
    page = _get(staff_user, "members", march_book, {"date": "1800-01-01"})

    assert page.status_code == 200
    assert page.context["form"].errors
    assert 'id="members"' not in page.content.decode()


# --- A cooperative's books: its member KSM's savings, no village ----------------------------

coop_book = test_loan_reports.coop_book


def test_a_cooperatives_savings_list_ties_its_member_ksm_savings_to_the_ledger(
    coop_book, ksm, staff_user
):
    for day, amount in ((5, 200_000), (20, 300_000)):
        savings_deposit(
            book=coop_book,
            group=ksm,
            savings_type="savings_mandatory",
            amount=amount,
            entry_date=datetime.date(2017, 2, day),
        )

    page = _get(staff_user, "members", coop_book, {"date": "2017-02-10"})

    assert cells(element(page, "member-ksm-total"))[-1] == "200.000"
    assert element(page, "ledger-tie").text == (
        "Saldo buku besar per 10-02-2017: Rp 200.000; selisih: Rp 0"
    )


def test_a_cooperatives_statements_are_signed_in_its_regency_with_a_blank_pendamping(
    coop_book, staff_user
):
    page = _get(staff_user, "statement_notes", coop_book, {"period": "year", "year": "2017"})

    regency = coop_book.cooperative.regency.name
    assert element(page, "signature-place").text.startswith(f"{regency}, ")
    assert element(page, "signatory-facilitator").text.split() == ["Mengetahui,", "Pendamping"]
    assert element(page, "entity-name").text.startswith("Koperasi ")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("-75000"), "(75.000)"),
        (D("1250000"), "1.250.000"),
        (D("0"), "0"),
        (D("-1250.50"), "(1.250,50)"),
    ],
)
def test_a_statement_amount_shows_a_negative_in_parentheses(value, shown):
    from finance.templatetags.money import statement_amount

    assert statement_amount(value) == shown
