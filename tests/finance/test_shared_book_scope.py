"""Scope inside shared books: in a cooperative's or a BUMDes's books, a member KSM's officer
reads their own KSM's lines, statement and totals only, a facilitator the KSM of their
villages, and the entity's own officers and staff every member KSM."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from finance.models import JournalLine
from finance.services import (
    book_open,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    savings_deposit,
)
from groups.models import Officer
from groups.services import officer_appoint
from tests.groups.factories import (
    CooperativeMembershipFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, translated

pytestmark = pytest.mark.django_db
OPENED = datetime.date(2017, 3, 1)


@pytest.fixture
def ksm_a(village):
    return SelfHelpGroupFactory(village=village, name="KSM Anggrek")


@pytest.fixture
def ksm_b(village):
    return SelfHelpGroupFactory(village=village, name="KSM Bougenville")


@pytest.fixture
def ksm_far(other_village):
    return SelfHelpGroupFactory(village=other_village, name="KSM Cempaka")


@pytest.fixture
def coop_book(cooperative, ksm_a, ksm_b, ksm_far):
    for group in (ksm_a, ksm_b, ksm_far):
        CooperativeMembershipFactory(cooperative=cooperative, group=group)
    book = book_open(owner=cooperative, opening_date=OPENED)
    for group, amount in ((ksm_a, 100_000), (ksm_b, 200_000), (ksm_far, 400_000)):
        savings_deposit(
            book=book,
            group=group,
            savings_type="savings_principal",
            amount=amount,
            entry_date=OPENED,
        )
    return book


def _officer_of(group, username):
    account = UserFactory(username=username)
    MembershipFactory(
        group=group, member=MemberFactory(village=group.village, user=account), chair=True
    )
    return account


def _coop_officer(cooperative):
    officer = officer_appoint(
        actor=None,
        entity=cooperative,
        full_name="Budi Santoso",
        role=Officer.Role.CHAIR,
        start_date=OPENED,
    )
    account = UserFactory(username="ketua.koperasi")
    Officer.objects.filter(pk=officer.pk).update(user=account)
    return account


def _savings_rows(client, book):
    response = client.get(reverse("finance:group_savings", args=[book.pk]))
    assert response.status_code == 200
    return [row[0] for row in element(response, "group-savings").rows()[1:-1]]


def _xlsx_names(client, book):
    response = client.get(reverse("finance:group_savings", args=[book.pk]) + "?format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]


def _statement(client, book, group):
    return client.get(reverse("finance:group_statement", args=[book.pk, group.pk]))


def test_a_ksm_officer_reads_only_their_own_ksm_in_the_cooperatives_books(
    coop_book, ksm_a, ksm_b, ksm_far
):
    client = logged_in(_officer_of(ksm_a, "ketua.anggrek"))
    assert _statement(client, coop_book, ksm_a).status_code == 200
    assert _statement(client, coop_book, ksm_b).status_code == 404
    assert _statement(client, coop_book, ksm_far).status_code == 404
    assert _savings_rows(client, coop_book) == ["KSM Anggrek"]
    response = client.get(reverse("finance:group_savings", args=[coop_book.pk]))
    total = element(response, "group-savings").rows()[-1]
    assert total[0] == translated("Total")
    assert total[-1] == "100.000"  # their own KSM's, not the cooperative's 700.000
    names = _xlsx_names(client, coop_book)
    assert "KSM Anggrek" in names
    assert "KSM Bougenville" not in names and "KSM Cempaka" not in names


def test_a_facilitator_sees_only_their_villages_ksm_in_the_list_and_its_workbook(
    coop_book, facilitator, ksm_a, ksm_b, ksm_far
):
    client = logged_in(facilitator)
    assert _savings_rows(client, coop_book) == ["KSM Anggrek", "KSM Bougenville"]
    names = _xlsx_names(client, coop_book)
    assert "KSM Bougenville" in names and "KSM Cempaka" not in names
    assert _statement(client, coop_book, ksm_b).status_code == 200
    assert _statement(client, coop_book, ksm_far).status_code == 404
    # The other village's facilitator sees theirs only.
    other = FacilitatorAssignmentFactory(village=ksm_far.village, user__username="lain").user
    assert _savings_rows(logged_in(other), coop_book) == ["KSM Cempaka"]


def test_the_cooperatives_officers_and_staff_see_every_member_ksm(
    coop_book, cooperative, program_staff, ksm_far
):
    everyone = ["KSM Anggrek", "KSM Bougenville", "KSM Cempaka"]
    for user in (_coop_officer(cooperative), program_staff):
        client = logged_in(user)
        assert _savings_rows(client, coop_book) == everyone
        response = client.get(reverse("finance:group_savings", args=[coop_book.pk]))
        total = element(response, "group-savings").rows()[-1]
        assert total[0] == translated("All member KSM") and total[-1] == "700.000"
        assert _statement(client, coop_book, ksm_far).status_code == 200


def test_a_loan_to_another_ksm_is_out_of_a_ksm_officers_sight(coop_book, ksm_a, ksm_b):
    product = loan_product_save(
        book=coop_book,
        name="Pinjaman KSM",
        interest_method="flat",
        monthly_rate=2,
        max_term_months=12,
    )
    loan = loan_apply(
        book=coop_book,
        product=product,
        principal=500_000,
        term_months=10,
        purpose="Modal",
        applied_date=datetime.date(2017, 3, 20),
        group=ksm_b,
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 3, 25))
    loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 4, 1))
    officer = logged_in(_officer_of(ksm_a, "ketua.anggrek"))
    assert officer.get(reverse("finance:loan", args=[coop_book.pk, loan.pk])).status_code == 404
    listing = officer.get(reverse("finance:loans", args=[coop_book.pk]))
    assert listing.status_code == 200 and "KSM Bougenville" not in listing.content.decode()
    portfolio = officer.get(reverse("finance:portfolio", args=[coop_book.pk]) + "?date=2017-05-01")
    assert "KSM Bougenville" not in portfolio.content.decode()
    chair_b = logged_in(_officer_of(ksm_b, "ketua.bougenville"))
    assert chair_b.get(reverse("finance:loan", args=[coop_book.pk, loan.pk])).status_code == 200
    portfolio = chair_b.get(reverse("finance:portfolio", args=[coop_book.pk]) + "?date=2017-05-01")
    assert "KSM Bougenville" in portfolio.content.decode()


def test_the_journal_shows_a_ksm_officer_their_own_ksms_entries_only(
    coop_book, cooperative, ksm_a, ksm_b
):
    entries = {
        line.party_group_id: line.entry
        for line in JournalLine.objects.filter(book=coop_book, party_group__isnull=False)
    }
    officer = logged_in(_officer_of(ksm_a, "ketua.anggrek"))
    journal = officer.get(reverse("finance:journal", args=[coop_book.pk]))
    shown = journal.content.decode()
    assert entries[ksm_a.pk].reference in shown
    assert entries[ksm_b.pk].reference not in shown
    entry_b = reverse("finance:entry", args=[coop_book.pk, entries[ksm_b.pk].pk])
    entry_a = reverse("finance:entry", args=[coop_book.pk, entries[ksm_a.pk].pk])
    assert officer.get(entry_b).status_code == 404
    assert officer.get(entry_a).status_code == 200
    # The cash book's running balance runs over every KSM's lines: the cooperative's own.
    assert officer.get(reverse("finance:cash_book", args=[coop_book.pk])).status_code == 404
    home = officer.get(reverse("finance:book", args=[coop_book.pk])).content.decode()
    assert reverse("finance:cash_book", args=[coop_book.pk]) not in home
    trial = officer.get(reverse("finance:trial_balance", args=[coop_book.pk]))
    assert trial.status_code == 200
    assert f"/books/{coop_book.pk}/ledger/" not in trial.content.decode()

    chair = logged_in(_coop_officer(cooperative))
    assert chair.get(entry_b).status_code == 200
    assert chair.get(reverse("finance:cash_book", args=[coop_book.pk])).status_code == 200
    trial = chair.get(reverse("finance:trial_balance", args=[coop_book.pk]))
    assert f"/books/{coop_book.pk}/ledger/" in trial.content.decode()


def _member_list(client, cooperative, fmt=None):
    url = reverse("groups:cooperative_detail", args=[cooperative.pk])
    response = client.get(url + (f"?format={fmt}" if fmt else ""))
    assert response.status_code == 200
    if fmt == "xlsx":
        content = b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    else:
        cells = [response.content.decode()]
    names = ("KSM Anggrek", "KSM Bougenville", "KSM Cempaka")
    return [name for name in names if any(name in str(cell) for cell in cells)]


def test_the_cooperatives_member_list_follows_the_same_rule(
    coop_book, cooperative, facilitator, ksm_a
):
    everyone = ["KSM Anggrek", "KSM Bougenville", "KSM Cempaka"]
    chair = logged_in(_coop_officer(cooperative))
    assert _member_list(chair, cooperative) == everyone
    assert _member_list(chair, cooperative, "xlsx") == everyone
    officer = logged_in(_officer_of(ksm_a, "ketua.anggrek"))
    assert _member_list(officer, cooperative, "xlsx") == ["KSM Anggrek"]
    assert _member_list(logged_in(facilitator), cooperative, "xlsx") == everyone[:2]


def test_a_ksms_own_books_name_no_other_ksm_as_a_member(ksm_a, ksm_b):
    """A KSM's books hold no member KSM: the address with itself leads to its loans, with
    another KSM there is nothing (404), not a redirect."""
    book = book_open(owner=ksm_a, opening_date=OPENED)
    client = logged_in(_officer_of(ksm_a, "ketua.anggrek"))
    own = _statement(client, book, ksm_a)
    assert own.status_code == 302 and own.url == reverse("finance:loans", args=[book.pk])
    assert _statement(client, book, ksm_b).status_code == 404
