"""Cash book history files: a paper cash book posted as the treasurer's forms would post it."""

import datetime
from decimal import Decimal

import pytest

from finance.models import EntryKind
from finance.selectors.balances import account_balance_now
from finance.services import account_for, book_open, opening_balances_post
from imports.kinds import kind_of
from imports.models import ImportStatus, RowAction
from imports.services import ImportRefused, batch_commit
from tests.groups.factories import MembershipFactory
from tests.imports.test_members_import import checked, problems_of

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in kind_of("cashbook").columns]


@pytest.fixture
def books(ksm):
    book = book_open(owner=ksm, opening_date=datetime.date(2016, 12, 31))
    opening_balances_post(book=book, cutoff_date=datetime.date(2016, 12, 31), cash=Decimal(100000))
    return book


@pytest.fixture
def siti(ksm):
    return MembershipFactory(
        group=ksm, joined_date=datetime.date(2016, 6, 1), member__full_name="Siti Aminah"
    ).member


def line(ksm, day, description, money_in="", money_out="", category="", nik="", receipt=""):
    return [
        ksm.village.code,
        ksm.registration_number,
        day,
        description,
        money_in,
        money_out,
        category,
        nik,
        receipt,
    ]


def test_a_paper_cash_book_is_posted_entry_by_entry_and_not_twice(facilitator, ksm, books, siti):
    rows = [
        line(ksm, "05-01-2017", "Simpanan wajib Januari", "20.000", "", "Simpanan wajib", siti.nik),
        line(ksm, "05-01-2017", "Simpanan wajib Januari", "20.000", "", "Simpanan wajib", siti.nik),
        line(ksm, "06-01-2017", "Sukarela", "50000", "", "Simpanan sukarela", siti.nik),
        line(ksm, "10-01-2017", "Beli buku kas", "", "15.000", "Administrasi"),
        line(ksm, "15-01-2017", "Setor ke BRI", "", "60000", "Setor ke bank"),
        line(ksm, "20-01-2017", "Tarik sukarela", "", "10000", "Penarikan sukarela", siti.nik),
        line(ksm, "25-01-2017", "Jual pupuk", "35000", "", "Pendapatan usaha"),
    ]
    batch = checked(facilitator, rows, kind="cashbook", headers=HEADERS)
    assert batch.status == ImportStatus.READY, [r.problems for r in batch.rows.all()]
    assert batch.rows_new == 7
    batch_commit(actor=facilitator, batch=batch)

    entries = books.entries.exclude(kind=EntryKind.OPENING)
    assert entries.count() == 7
    assert entries.filter(kind=EntryKind.SAVINGS_DEPOSIT).count() == 3
    # 100.000 + 20.000 + 20.000 + 50.000 - 15.000 - 60.000 - 10.000 + 35.000
    assert account_balance_now(account_for(books, "cash")) == Decimal(140000)
    assert account_balance_now(account_for(books, "bank")) == Decimal(60000)

    again = checked(facilitator, rows, kind="cashbook", headers=HEADERS)
    assert (again.rows_new, again.rows_unchanged) == (0, 7)
    batch_commit(actor=facilitator, batch=again)
    assert books.entries.exclude(kind=EntryKind.OPENING).count() == 7


def test_cash_book_rows_with_problems(facilitator, ksm, books, siti):
    rows = [
        line(ksm, "05-01-2017", "Wajib", "20000", "", "Simpanan wajib", siti.nik),
        line(ksm, "05-01-2017", "Wajib tanpa NIK", "20000", "", "Simpanan wajib"),
        line(ksm, "06-01-2017", "Masuk dan keluar", "1000", "1000", "Biaya lain"),
        line(ksm, "07-01-2017", "Arisan", "5000", "", "Arisan"),
        line(ksm, "30-12-2016", "Sebelum buku dibuka", "", "1000", "Administrasi"),
        line(ksm, "08-01-2017", "Biaya", "10000", "", "Administrasi"),
    ]
    batch = checked(facilitator, rows, kind="cashbook", headers=HEADERS)
    assert batch.status == ImportStatus.PROBLEMS
    assert batch.rows.get(line=2).action == RowAction.CREATE
    assert any("NIK anggota" in p for p in problems_of(batch, 3))
    assert any("bukan keduanya" in p for p in problems_of(batch, 4))
    assert any("Arisan" in p for p in problems_of(batch, 5))
    assert any("sebelum pembukuan" in p for p in problems_of(batch, 6))
    assert any("Keluar" in p for p in problems_of(batch, 7))


def test_a_withdrawal_the_books_refuse_marks_its_line_and_writes_nothing(
    facilitator, ksm, books, siti
):
    rows = [
        line(ksm, "05-01-2017", "Wajib", "20000", "", "Simpanan wajib", siti.nik),
        line(ksm, "06-01-2017", "Tarik sukarela", "", "10000", "Penarikan sukarela", siti.nik),
    ]
    batch = checked(facilitator, rows, kind="cashbook", headers=HEADERS)
    assert batch.status == ImportStatus.READY
    with pytest.raises(ImportRefused, match="Baris 3"):
        batch_commit(actor=facilitator, batch=batch)
    assert books.entries.count() == 1  # the opening entry only
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PROBLEMS
    assert any("sukarela" in p for p in problems_of(batch, 3))
