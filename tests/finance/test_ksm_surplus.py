"""A KSM shares its SHU among its members at the RAT, on fixed data: the preview's figures to
the rupiah, posting to SHU payable or to sukarela, paying out, the refusals (racing ones on
PostgreSQL), the list the members sign, and the whole journey on a 360 px phone."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from finance.models import (
    Account,
    EntryKind,
    JournalEntry,
    SurplusDistribution,
)
from finance.services import (
    book_open,
    cash_receive,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    member_balance,
    savings_deposit,
)
from finance.services.posting import accounts_for
from finance.services.surplus import (
    _split,
    surplus_allocate,
    surplus_distribute,
    surplus_pay,
    year_surplus,
)
from tests.export_support import pdf_text
from tests.finance.capital_support import close_year
from tests.finance.test_concurrency import all_at_once
from tests.finance.test_journeys import PHONE, assert_fits_the_phone
from tests.groups.factories import MembershipFactory
from tests.web.support import element, logged_in, parse, translated

D = Decimal
OPENED = datetime.date(2017, 1, 1)
RAT = datetime.date(2018, 2, 15)
# The meeting's decision: reserve 40%, jasa modal 25%, jasa usaha 20%, board 10%, social 5%.
SHU = {
    "reserve_pct": D(40),
    "savings_pct": D(25),
    "participation_pct": D(20),
    "board_pct": D(10),
    "social_pct": D(5),
}
# Each member's basis and share of a Rp 1.000.000 surplus (see `rat_year`). Largest remainder:
# jasa modal 250.000 by 3:2:1:1 floors to 249.998, the two rupiahs go to Ani (,857) and Budi
# (,571); jasa usaha 200.000 by 50:15 floors to 199.999, the rupiah to Citra (,846).
EXPECTED = {
    # name: (pokok + wajib, interest and fees paid, jasa modal, jasa usaha)
    "Ani Lestari": (D(300_000), D(0), D(107_143), D(0)),
    "Budi Santoso": (D(200_000), D(50_000), D(71_429), D(153_846)),
    "Citra Dewi": (D(100_000), D(15_000), D(35_714), D(46_154)),
    "Dedi Kurniawan": (D(100_000), D(0), D(35_714), D(0)),
}


@pytest.fixture
def rat_book(ksm):
    return book_open(owner=ksm, opening_date=OPENED)


@pytest.fixture
def people(ksm):
    return {
        name: MembershipFactory(
            group=ksm,
            member__full_name=name,
            joined_date=datetime.date(2016, 6, 1),
            chair=name == "Ani Lestari",
        ).member
        for name in EXPECTED
    }


@pytest.fixture
def rat_year(rat_book, people):
    """The KSM's 2017, closed (Ani chairs it):

    - a grant of Rp 5.000.000 (capital);
    - pokok Rp 100.000 each; wajib Ani 200.000, Budi 100.000; Citra Rp 500.000 sukarela
      (not a basis); Dedi's wajib of January 2018 does not count;
    - Budi borrowed Rp 1.000.000 (2% flat, 10 months, 1% admin fee Rp 10.000), paid two
      instalments of Rp 100.000 + 20.000 interest, the second with a Rp 5.000 fine (not a
      basis): Rp 50.000; Citra borrowed Rp 500.000 (admin fee 5.000) and paid one instalment
      with Rp 10.000 interest: Rp 15.000;
    - other income Rp 930.000: the year's surplus is Rp 1.000.000.
    """
    book = rat_book
    cash_receive(
        book=book, source="grant", amount=5_000_000, entry_date=OPENED, description="Hibah"
    )
    ani, budi, citra, dedi = (people[name] for name in EXPECTED)
    for member, kind, amount in (
        (ani, "savings_principal", 100_000),
        (budi, "savings_principal", 100_000),
        (citra, "savings_principal", 100_000),
        (dedi, "savings_principal", 100_000),
        (ani, "savings_mandatory", 200_000),
        (budi, "savings_mandatory", 100_000),
        (citra, "savings_voluntary", 500_000),
    ):
        savings_deposit(
            book=book, member=member, savings_type=kind, amount=amount, entry_date=OPENED
        )
    product = loan_product_save(
        book=book,
        name="Pinjaman anggota",
        interest_method="flat",
        monthly_rate=D("2"),
        max_term_months=12,
        admin_fee_percent=D("1"),
    )
    loans = {}
    for member, principal, term in ((budi, 1_000_000, 10), (citra, 500_000, 5)):
        loan = loan_apply(
            book=book,
            product=product,
            principal=principal,
            term_months=term,
            purpose="Modal usaha",
            applied_date=datetime.date(2017, 2, 1),
            member=member,
        )
        loan_approve(loan=loan, decided_date=datetime.date(2017, 2, 5), approved_by_member=ani)
        loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 2, 10))
        loan.refresh_from_db()
        loans[member] = loan
    loan_repay(loan=loans[budi], amount=120_000, paid_date=datetime.date(2017, 3, 10))
    loan_repay(loan=loans[budi], amount=125_000, fine=5_000, paid_date=datetime.date(2017, 4, 20))
    loan_repay(loan=loans[citra], amount=110_000, paid_date=datetime.date(2017, 3, 10))
    cash_receive(
        book=book,
        source="income_other",
        amount=930_000,
        entry_date=datetime.date(2017, 11, 30),
        description="Bunga bank",
    )
    close_year(book)
    savings_deposit(
        book=book,
        member=dedi,
        savings_type="savings_mandatory",
        amount=300_000,
        entry_date=datetime.date(2018, 1, 10),
    )
    return book


def _distribute(book, **overrides):
    kwargs = {"book": book, "year": 2017, "decided_date": RAT, **SHU, **overrides}
    return surplus_distribute(**kwargs)


def _balance(book, member, role):
    (account,) = accounts_for(book, role)
    return member_balance(book, member, account)


def _url(name, book, *args):
    return reverse(f"finance:{name}", args=[book.pk, *args])


# --- The preview ---------------------------------------------------------------------------------


def test_the_preview_works_each_members_basis_and_share_out_to_the_rupiah(rat_year):
    assert year_surplus(rat_year, 2017) == D(1_000_000)

    allocation = surplus_allocate(rat_year, 2017, SHU, 0)

    parts = {part.field: part.amount for part in allocation.parts}
    assert parts == {
        "reserve_pct": D(400_000),
        "savings_pct": D(250_000),
        "participation_pct": D(200_000),
        "board_pct": D(100_000),
        "social_pct": D(50_000),
    }
    shares = {
        s.name: (s.savings, s.transactions, s.by_savings, s.by_transactions)
        for s in allocation.shares
    }
    assert shares == EXPECTED
    assert sum(s.by_savings for s in allocation.shares) == parts["savings_pct"]
    assert sum(s.by_transactions for s in allocation.shares) == parts["participation_pct"]


def test_the_preview_page_shows_the_basis_used_and_every_members_share(rat_year, treasurer):
    client = logged_in(treasurer)
    form = client.get(_url("distribution_plan", rat_year, 2017)).context["form"]
    assert list(form.fields) == ["decided_date", *SHU, "shares_to"]
    response = client.post(
        _url("distribution_plan", rat_year, 2017),
        {"decided_date": RAT.isoformat(), "shares_to": "payable", **SHU},
    )
    draft = SurplusDistribution.objects.get(book=rat_year, year=2017)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()

    page = client.get(draft.get_absolute_url())

    basis = element(page, "preview-basis").text
    assert "simpanan pokok dan wajib" in basis and "denda tidak dihitung" in basis
    rows = element(page, "preview-shares").rows()
    assert rows[0] == [
        "Anggota",
        "Jasa pinjaman dan biaya dibayar",
        "Pokok dan wajib per 31 Desember",
        "Jasa usaha",
        "Jasa modal",
        "Total",
    ]
    assert rows[2] == [
        "Budi Santoso",
        "Rp 50.000",
        "Rp 200.000",
        "Rp 153.846",
        "Rp 71.429",
        "Rp 225.275",
    ]
    assert rows[-1][-1] == "Rp 450.000"
    assert not JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).exists()


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30).filter(any),
)
def test_shares_by_largest_remainder_add_up_to_the_pool_and_stay_within_a_rupiah(pool, weights):
    shares = _split(D(pool), [D(w) for w in weights])

    assert sum(shares) == pool
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = D(pool) * weight / total
        assert share >= 0 and share == share.to_integral_value()
        assert abs(share - exact) < 1
        assert weight or not share


# --- Posting -------------------------------------------------------------------------------------


def test_posting_credits_the_funds_and_each_members_shu_payable_in_one_entry(rat_year, people):
    distribution = _distribute(rat_year)

    entry = distribution.entry
    lines = {
        (line.account.role, line.member.full_name if line.member else None): (
            line.debit,
            line.credit,
        )
        for line in entry.lines.select_related("account", "member")
    }
    assert lines == {
        ("retained_surplus", None): (D(1_000_000), D(0)),
        ("reserve", None): (D(0), D(400_000)),
        ("fund_board", None): (D(0), D(100_000)),
        ("social_fund", None): (D(0), D(50_000)),
        ("surplus_payable", "Ani Lestari"): (D(0), D(107_143)),
        ("surplus_payable", "Budi Santoso"): (D(0), D(225_275)),
        ("surplus_payable", "Citra Dewi"): (D(0), D(81_868)),
        ("surplus_payable", "Dedi Kurniawan"): (D(0), D(35_714)),
    }
    assert entry.entry_date == RAT and entry.kind == EntryKind.SURPLUS_DISTRIBUTION
    assert _balance(rat_year, people["Budi Santoso"], "surplus_payable") == D(225_275)
    assert _balance(rat_year, people["Citra Dewi"], "savings_voluntary") == D(500_000)
    assert {s.member.full_name: s.total for s in distribution.shares.all()} == {
        "Ani Lestari": D(107_143),
        "Budi Santoso": D(225_275),
        "Citra Dewi": D(81_868),
        "Dedi Kurniawan": D(35_714),
    }


def test_shares_chosen_for_sukarela_raise_each_members_voluntary_savings(rat_year, people):
    _distribute(rat_year, shares_to="voluntary")

    assert _balance(rat_year, people["Citra Dewi"], "savings_voluntary") == D(581_868)
    assert _balance(rat_year, people["Ani Lestari"], "savings_voluntary") == D(107_143)
    assert _balance(rat_year, people["Ani Lestari"], "surplus_payable") == D(0)


def test_shu_payable_is_paid_out_from_cash_or_bank_never_more_than_owed(rat_year, people):
    _distribute(rat_year)
    budi = people["Budi Santoso"]

    with pytest.raises(ValidationError) as refused:
        surplus_pay(book=rat_year, member=budi, amount=225_276, entry_date=RAT)
    assert "Rp\u00a0225.275" in " ".join(refused.value.messages)
    surplus_pay(book=rat_year, member=budi, amount=225_275, entry_date=RAT, source="cash")

    assert _balance(rat_year, budi, "surplus_payable") == D(0)


def test_a_member_is_paid_their_shu_from_the_form_once_however_often_it_is_sent(
    rat_year, people, treasurer
):
    _distribute(rat_year)
    ani = people["Ani Lestari"]
    client = logged_in(treasurer)
    page = client.get(_url("surplus_pay", rat_year), follow=True)
    token = page.context["form"].token
    data = {
        "token": token,
        "member": ani.pk,
        "source": "cash",
        "entry_date": RAT.isoformat(),
        "amount": "107143",
        "description": "",
        "receipt_ref": "",
    }

    first = client.post(_url("surplus_pay", rat_year), data)
    second = client.post(_url("surplus_pay", rat_year), data)

    assert first.status_code == 302 and second.status_code == 302
    assert JournalEntry.objects.filter(kind=EntryKind.SURPLUS_PAYMENT).count() == 1
    assert _balance(rat_year, ani, "surplus_payable") == D(0)


# --- Refusals ------------------------------------------------------------------------------------


def test_a_second_distribution_of_the_same_year_is_refused(rat_year):
    _distribute(rat_year)

    with pytest.raises(ValidationError) as refused:
        _distribute(rat_year, reserve_pct=D(50), board_pct=D(0))

    assert "SHU tahun 2017 sudah dibagi." in refused.value.messages
    assert JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
)
@pytest.mark.django_db(transaction=True)
def test_two_distributions_of_one_year_posted_at_once_post_one(rat_year):
    results = all_at_once(2, lambda i: _distribute(rat_year, token=f"race-{i}"))

    posted = [r for r in results if isinstance(r, SurplusDistribution)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(posted) == 1 and len(refused) == 1, results
    assert refused[0].messages == ["SHU tahun 2017 sudah dibagi."]
    assert JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).count() == 1


def test_percentages_not_adding_up_to_100_are_refused_in_indonesian_with_nothing_kept(
    rat_year, treasurer
):
    client = logged_in(treasurer)

    response = client.post(
        _url("distribution_plan", rat_year, 2017),
        {"decided_date": RAT.isoformat(), "shares_to": "payable", **SHU, "board_pct": "15"},
    )

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["Jumlah persentase harus 100%; sekarang jumlahnya 105%."]
    assert not SurplusDistribution.objects.exists()


def test_the_database_refuses_percentages_not_adding_up_to_100(rat_year):
    distribution = _distribute(rat_year)

    with pytest.raises(IntegrityError), transaction.atomic():
        SurplusDistribution.objects.filter(pk=distribution.pk).update(savings_pct=D(30))


def test_a_year_not_closed_is_refused(rat_book, people):
    cash_receive(
        book=rat_book,
        source="income_other",
        amount=100_000,
        entry_date=datetime.date(2017, 5, 1),
        description="Bunga bank",
    )

    with pytest.raises(ValidationError) as refused:
        _distribute(rat_book)

    assert refused.value.message_dict["year"] == [
        "Tahun 2017 belum ditutup; tutup dulu (menu Periode)."
    ]
    assert not JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).exists()


def test_a_cooperative_meetings_members_part_is_refused_in_a_ksm_book(rat_year):
    with pytest.raises(ValidationError) as refused:
        _distribute(rat_year, savings_pct=D(0), participation_pct=D(0), members_pct=D(45))

    assert "members_pct" in refused.value.message_dict


def test_pressing_post_twice_posts_the_distribution_once(rat_year, treasurer):
    client = logged_in(treasurer)
    client.post(
        _url("distribution_plan", rat_year, 2017),
        {"decided_date": RAT.isoformat(), "shares_to": "voluntary", **SHU},
    )
    draft = SurplusDistribution.objects.get(book=rat_year, year=2017)
    preview = parse(client.get(draft.get_absolute_url()))
    form = preview.by_id("post-distribution")
    data = {
        el.attrs["name"]: el.attrs["value"]
        for el in form.find_all("input")
        if el.attrs.get("name") in ("token", "digest")
    }

    first = client.post(draft.get_absolute_url(), data)
    second = client.post(draft.get_absolute_url(), data)

    assert first.status_code == 302 and second.status_code == 302
    assert JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).count() == 1
    draft.refresh_from_db()
    assert draft.status == "posted" and draft.shares_to == "voluntary"


def test_only_those_who_may_post_in_the_book_prepare_or_post(rat_year, facilitator):
    client = logged_in(facilitator)

    assert client.get(_url("distributions", rat_year)).status_code == 200
    assert client.get(_url("distribution_plan", rat_year, 2017)).status_code == 403
    assert client.get(_url("surplus_pay", rat_year)).status_code == 403


# --- The list to sign ----------------------------------------------------------------------------


def test_the_list_to_sign_names_every_member_with_basis_share_and_a_signature_box(
    rat_year, treasurer
):
    distribution = _distribute(rat_year)
    client = logged_in(treasurer)
    url = _url("distribution_sign", rat_year, distribution.pk)

    rows = element(client.get(url), "sign-list").rows()

    assert rows[0][-2:] == ["SHU", "Tanda tangan"]
    assert rows[1] == [
        "1",
        "Ani Lestari",
        "Rp 300.000",
        "Rp 107.143",
        "Rp 0",
        "Rp 0",
        "Rp 107.143",
        "",
    ]
    assert rows[-1][-2] == "Rp 450.000"
    pdf = client.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for name, total in (("Budi Santoso", "Rp\u00a0225.275"), ("Dedi Kurniawan", "Rp\u00a035.714")):
        assert name in text and total in text, repr(text)
    assert "Tanda tangan" in text


def test_the_ksm_book_page_links_shu_rat_and_the_posted_distribution_links_the_list(
    rat_year, treasurer
):
    distribution = _distribute(rat_year)
    client = logged_in(treasurer)

    book_page = parse(client.get(rat_year.get_absolute_url()))
    assert book_page.by_id("link-distributions").text == "SHU / RAT"
    posted = parse(client.get(distribution.get_absolute_url()))
    assert posted.by_id("link-distribution-sign").attrs["href"] == _url(
        "distribution_sign", rat_year, distribution.pk
    )


# --- The chart -----------------------------------------------------------------------------------


def test_ksm_books_opened_before_get_the_board_fund_and_shu_payable_accounts(rat_book):
    Account.objects.filter(book=rat_book, role__in=["fund_board", "surplus_payable"]).delete()
    Account.objects.create(
        book=rat_book, code="2.05", name="Titipan Lain", type="liability", normal_balance="credit"
    )
    migration = importlib.import_module("finance.migrations.0010_ksm_surplus")

    migration.add_ksm_accounts(django_apps, None)

    added = {
        a.role: (a.code, a.name, a.parent.code)
        for a in Account.objects.filter(book=rat_book, role__in=["fund_board", "surplus_payable"])
    }
    assert added == {
        "fund_board": ("2.06", "Dana Pengurus", "2"),
        "surplus_payable": ("2.07", "Dana Pembagian SHU", "2"),
    }


# --- On a phone ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A treasurer in Batang reads the portal in Indonesian."""
    return {**browser_context_args, "locale": "id-ID"}


@pytest.mark.browser
def test_a_treasurer_shares_the_shu_at_the_rat_on_a_phone(page, live_server, rat_year, treasurer):
    treasurer.set_password("kas-ksm-2017")
    treasurer.save()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(treasurer.username)
    page.locator("#id_password").fill("kas-ksm-2017")
    page.get_by_role("button", name=translated("Log in"), exact=True).click()
    page.goto(f"{live_server.url}{rat_year.get_absolute_url()}")

    page.get_by_role("link", name="SHU / RAT", exact=True).click()
    assert_fits_the_phone(page)
    page.get_by_role("link", name=translated("Prepare"), exact=True).click()
    page.locator("#id_decided_date").fill(RAT.isoformat())
    for name, value in SHU.items():
        page.locator(f"#id_{name}").fill(str(value))
    expect(page.locator("#percent-total")).to_have_text("100")
    page.locator("input[name=shares_to][value=voluntary]").check()
    assert_fits_the_phone(page)
    page.get_by_role("button", name=translated("Preview"), exact=True).click()

    expect(page.locator("#preview-shares")).to_contain_text("Rp 225.275")
    assert_fits_the_phone(page)
    page.get_by_role("button", name=translated("Post the distribution"), exact=True).click()
    page.get_by_role("link", name=translated("The list to sign"), exact=True).click()

    expect(page.locator("#sign-list")).to_contain_text("Citra Dewi")
    expect(page.locator("#sign-total")).to_have_text("Rp 450.000")
    assert_fits_the_phone(page)
    assert JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).count() == 1
