"""Opening balances files: a reactivated KSM's paper ledger at the cut-off date becomes its
opening entry, its old loans real loan records."""

import datetime
from decimal import Decimal

import pytest

from finance.models import Book, EntryKind, Loan
from imports.kinds import kind_of
from imports.models import ImportStatus, RowAction
from imports.services import ImportRefused, batch_commit
from tests.groups.factories import MembershipFactory
from tests.imports.test_members_import import checked, problems_of

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in kind_of("opening").columns]
CUTOFF = "31-12-2016"


def row(ksm, member=None, *, cash="", bank="", pokok="", wajib="", sukarela="", loan=None):
    """loan: (left, rate, method, instalment, months, next due)."""
    loan = loan or ("", "", "", "", "", "")
    return [
        ksm.village.code,
        ksm.registration_number,
        CUTOFF,
        member.nik if member else "",
        member.full_name if member else "",
        cash,
        bank,
        pokok,
        wajib,
        sukarela,
        *loan,
    ]


@pytest.fixture
def people(ksm):
    joined = datetime.date(2016, 6, 1)
    return [
        MembershipFactory(group=ksm, joined_date=joined, member__full_name=name).member
        for name in ("Siti Aminah", "Sri Wahyuni", "Ngatini")
    ]


def test_a_paper_ledger_becomes_the_opening_entry_and_real_loans(facilitator, ksm, people):
    siti, sri, ngatini = people
    rows = [
        row(ksm, cash="1.250.000", bank="Rp 3.000.000"),
        row(ksm, siti, pokok="50000", wajib="240.000", sukarela="75000"),
        row(
            ksm,
            sri,
            pokok="50000",
            wajib="240000",
            loan=("600.000", "1,5", "Flat", "109.000", "6", "10-01-2017"),
        ),
        row(ksm, ngatini, pokok="50000", wajib="120000"),
    ]
    batch = checked(facilitator, rows, kind="opening", headers=HEADERS)
    assert batch.status == ImportStatus.READY, [r.problems for r in batch.rows.all()]
    assert not Book.objects.filter(group=ksm).exists()  # nothing before the confirm

    batch_commit(actor=facilitator, batch=batch)
    book = Book.objects.get(group=ksm)
    assert book.opening_date == datetime.date(2016, 12, 31)
    entry = book.entries.get()
    assert entry.kind == EntryKind.OPENING
    loan = Loan.objects.get(book=book)
    assert (loan.member, loan.balance, loan.term_months) == (sri, Decimal("600000"), 6)

    again = checked(facilitator, rows, kind="opening", headers=HEADERS)
    assert (again.status, again.rows_new, again.rows_unchanged) == (ImportStatus.READY, 0, 4)
    batch_commit(actor=facilitator, batch=again)
    assert book.entries.count() == 1 and Loan.objects.filter(book=book).count() == 1


def test_opening_rows_with_problems(facilitator, ksm, people):
    siti, sri, ngatini = people
    rows = [
        row(ksm, cash="1.250.000"),
        row(ksm, cash="10.000"),  # a second cash row
        row(ksm, siti, pokok="lima puluh ribu"),
        row(ksm, sri, loan=("600.000", "", "", "", "", "")),  # terms missing
        row(ksm, ngatini, loan=("600.000", "1,5", "Flat", "250.000", "6", "10-01-2017")),
        row(ksm, siti, wajib="1000"),  # Siti twice
    ]
    stranger = list(row(ksm, siti, pokok="50000"))
    stranger[3] = "3325014503850002"
    rows.append(stranger)
    batch = checked(facilitator, rows, kind="opening", headers=HEADERS)
    assert batch.status == ImportStatus.PROBLEMS
    assert batch.rows.get(line=2).action == RowAction.CREATE
    assert any("baris 2" in p for p in problems_of(batch, 3))
    assert any("lima puluh ribu" in p for p in problems_of(batch, 4))
    assert any("Bunga per bulan" in p and "Angsuran berikutnya" in p for p in problems_of(batch, 5))
    assert any("109.000" in p for p in problems_of(batch, 6))  # what the schedule gives
    assert any("dua kali" in p for p in problems_of(batch, 7))
    assert any("impor anggota dulu" in p for p in problems_of(batch, 8))
    with pytest.raises(ImportRefused):
        batch_commit(actor=facilitator, batch=batch)
    assert not Book.objects.filter(group=ksm).exists()


def test_books_that_already_have_entries_take_no_opening_import(facilitator, ksm, people):
    from finance.services import book_open, opening_balances_post

    book = book_open(owner=ksm, opening_date=datetime.date(2016, 12, 31))
    opening_balances_post(book=book, cutoff_date=datetime.date(2016, 12, 31), cash=Decimal(5000))
    batch = checked(
        facilitator, [row(ksm, people[0], pokok="50000")], kind="opening", headers=HEADERS
    )
    assert any("sudah dibukukan" in p for p in problems_of(batch, 2))


def test_a_member_of_another_ksm_is_refused_without_naming_them(facilitator, ksm, people):
    from tests.groups.factories import SelfHelpGroupFactory

    elsewhere = MembershipFactory(
        group=SelfHelpGroupFactory(), member__full_name="Orang Desa Lain"
    ).member
    stranger = row(ksm, elsewhere, pokok="50000")
    stranger[4] = "Nama Tebakan"
    batch = checked(facilitator, [stranger], kind="opening", headers=HEADERS)
    problems = problems_of(batch, 2)
    assert any("bukan anggota" in p and ksm.name in p for p in problems)
    assert not any("Orang Desa Lain" in p for p in problems)
