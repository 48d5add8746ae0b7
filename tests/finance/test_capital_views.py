"""The capital pages as users meet them: a cooperative's member KSM saving and withdrawing,
their savings list, the SHU from form to preview to posting to each KSM's printable share,
BUMDes business units, and the capital structure that always equals the balance sheet."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance import tokens
from finance.models import (
    Account,
    BusinessUnit,
    EntryKind,
    GroupBalance,
    JournalEntry,
    JournalLine,
    SurplusDistribution,
)
from finance.selectors import Period, balance_sheet, income_statement
from finance.selectors.capital import capital_structure
from finance.services import (
    borrowing_record,
    cash_pay,
    cash_receive,
    savings_deposit,
)
from finance.services.surplus import surplus_allocate
from finance.services.units import business_unit_create
from groups.models import Membership

# The fixtures are imported, then named as test arguments: ruff takes that for a redefinition.
# ruff: noqa: F811
from tests.finance.capital_support import (  # noqa: F401  (fixtures)
    AS_BEFORE,
    SHU_2017,
    bumdes_book,
    close_year,
    coop_book,
    ksm_a,
    ksm_b,
    worked_year,
)
from tests.groups.factories import (
    CooperativeMembershipFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import (
    element,
    field_errors,
    logged_in,
    non_field_errors,
    parse,
    translated,
)

D = Decimal
DAY = datetime.date(2017, 4, 3)


def _form_page(client, url):
    """GET a one-time-token form (following its redirect to ?t=) and return its token."""
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response, response.context["form"].token


# --- Cooperative savings ------------------------------------------------------------------------


def test_a_member_ksm_deposits_savings_in_the_cooperative(coop_book, ksm_a, staff_user):
    client = logged_in(staff_user)
    url = reverse("finance:record", args=[coop_book.pk, "deposit"])
    response, token = _form_page(client, url)
    assert "group" in response.context["form"].fields
    assert "member" not in response.context["form"].fields
    response = client.post(
        url,
        {
            "token": token,
            "group": ksm_a.pk,
            "savings_type": "savings_mandatory",
            "entry_date": DAY.isoformat(),
            "amount": "250.000",
        },
    )
    assert response.status_code == 302
    entry = JournalEntry.objects.get(book=coop_book, kind=EntryKind.SAVINGS_DEPOSIT)
    assert entry.description == translated("%(account)s deposit, %(member)s") % {
        "account": "Simpanan Wajib",
        "member": "KSM Anggrek",
    }
    line = entry.lines.get(party_group__isnull=False)
    assert (line.party_group, line.credit, line.account.role) == (
        ksm_a,
        D(250_000),
        "savings_mandatory",
    )
    balance = GroupBalance.objects.get(group=ksm_a, account=line.account)
    assert balance.balance == D(250_000)
    # The entry's page names the KSM.
    page = client.get(entry.get_absolute_url())
    line_rows = parse(page).find_all("table")[0].rows()
    assert [
        "2.02 Simpanan Wajib"[:0] + line.account.code + " " + line.account.name,
        "KSM Anggrek",
        "",
        "250.000",
    ] in line_rows


def test_a_member_ksm_cannot_withdraw_more_than_its_voluntary_savings(
    coop_book, ksm_a, ksm_b, staff_user
):
    savings_deposit(
        book=coop_book,
        group=ksm_a,
        savings_type="savings_voluntary",
        amount=300_000,
        entry_date=DAY,
    )
    client = logged_in(staff_user)
    url = reverse("finance:record", args=[coop_book.pk, "withdrawal"])
    response, token = _form_page(client, url)
    labels = [label for _value, label in response.context["form"].fields["group"].choices]
    assert "KSM Anggrek · Rp\u00a0300.000" in labels
    data = {"token": token, "group": ksm_a.pk, "entry_date": DAY.isoformat(), "amount": "300.001"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert field_errors(response, "amount") == [
        translated("%(member)s has only %(balance)s in voluntary savings.")
        % {"member": "KSM Anggrek", "balance": "Rp\u00a0300.000"}
    ]
    assert not JournalEntry.objects.filter(kind=EntryKind.SAVINGS_WITHDRAWAL).exists()
    response = client.post(url, {**data, "amount": "300000"})
    assert response.status_code == 302
    account = Account.objects.get(book=coop_book, role="savings_voluntary")
    assert GroupBalance.objects.get(group=ksm_a, account=account).balance == 0


def test_a_ksm_outside_the_cooperative_cannot_be_chosen(coop_book, staff_user, village):
    outsider = SelfHelpGroupFactory(village=village, name="KSM Luar")
    client = logged_in(staff_user)
    url = reverse("finance:record", args=[coop_book.pk, "deposit"])
    _response, token = _form_page(client, url)
    response = client.post(
        url,
        {
            "token": token,
            "group": outsider.pk,
            "savings_type": "savings_voluntary",
            "entry_date": DAY.isoformat(),
            "amount": "1000",
        },
    )
    assert field_errors(response, "group") == [
        translated("Choose a member KSM of this cooperative.")
    ]
    assert not JournalLine.objects.filter(book=coop_book).exists()


def test_the_member_ksm_savings_list_shows_each_ksm_and_the_totals(
    coop_book, ksm_a, ksm_b, facilitator, django_assert_max_num_queries
):
    for group, kind, amount in (
        (ksm_a, "savings_principal", 100_000),
        (ksm_a, "savings_voluntary", 50_000),
        (ksm_b, "savings_mandatory", 200_000),
    ):
        savings_deposit(
            book=coop_book, group=group, savings_type=kind, amount=amount, entry_date=DAY
        )
    client = logged_in(facilitator)
    url = reverse("finance:group_savings", args=[coop_book.pk])
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    rows = element(response, "group-savings").rows()
    assert rows[1] == ["KSM Anggrek", "100.000", "0", "50.000", "150.000"]
    assert rows[2] == ["KSM Bougenville", "0", "200.000", "0", "200.000"]
    # A facilitator's total is of the KSM in their villages (test_shared_book_scope.py).
    assert rows[-1] == [translated("Total"), "100.000", "200.000", "50.000", "350.000"]
    # Twenty more member KSM cost no more queries.
    for number in range(20):
        group = SelfHelpGroupFactory(village=ksm_a.village)
        CooperativeMembershipFactory(cooperative=coop_book.cooperative, group=group)
        savings_deposit(
            book=coop_book,
            group=group,
            savings_type="savings_principal",
            amount=1000 + number,
            entry_date=DAY,
        )
    with django_assert_max_num_queries(len(first)):
        assert client.get(url).status_code == 200
    xlsx = client.get(url + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_member_ksm_savings_list_is_404_outside_the_users_villages(coop_book, other_village):
    stranger = FacilitatorAssignmentFactory(village=other_village, user__username="lain").user
    response = logged_in(stranger).get(reverse("finance:group_savings", args=[coop_book.pk]))
    assert response.status_code == 404


# --- SHU ----------------------------------------------------------------------------------------


def _plan(client, book, year, **values):
    # The worked example's figures are those of the rules its meeting chose (AS_BEFORE).
    data = {"decided_date": "2018-02-15", "transactions_pct": "60", **AS_BEFORE.as_dict()}
    data.update({name: str(value) for name, value in values.items()})
    return client.post(reverse("finance:distribution_plan", args=[book.pk, year]), data)


def test_percentages_not_adding_up_are_shown_and_nothing_is_saved(worked_year, staff_user):
    client = logged_in(staff_user)
    response = _plan(client, worked_year, 2017, **{**SHU_2017, "social_pct": 10})
    assert response.status_code == 200
    assert non_field_errors(response) == [
        translated("The percentages must add up to 100%%; now they add up to %(total)s%%.")
        % {"total": "105"}
    ]
    assert not SurplusDistribution.objects.exists()
    assert not JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).exists()


def test_the_shu_goes_from_form_to_preview_to_posting(worked_year, ksm_a, ksm_b, staff_user):
    client = logged_in(staff_user)
    listing = client.get(reverse("finance:distributions", args=[worked_year.pk]))
    assert "Rp 10.000.001,50" in element(listing, "distribution-years").text
    response = _plan(client, worked_year, 2017, **SHU_2017)
    draft = SurplusDistribution.objects.get()
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert draft.status == SurplusDistribution.Status.DRAFT
    preview = client.get(draft.get_absolute_url())
    shares = element(preview, "preview-shares").rows()
    assert shares[1] == [
        "KSM Anggrek",
        "Rp 11.000",
        "Rp 1.000.000",
        "Rp 643.902",
        "Rp 1.066.667",
        "Rp 1.710.569",
    ]
    assert shares[2][-1] == "Rp 2.289.431"
    parts = element(preview, "preview-parts").rows()
    assert [translated("Reserve"), "40", "Rp 4.000.001,50"] in parts
    assert not JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).exists()
    digest = preview.context["allocation"].digest
    token = preview.context["token"]
    response = client.post(draft.get_absolute_url(), {"token": token, "digest": digest})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SurplusDistribution.Status.POSTED
    # A double tap posts nothing more.
    client.post(draft.get_absolute_url(), {"token": token, "digest": digest})
    assert JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).count() == 1
    posted = client.get(draft.get_absolute_url())
    assert element(posted, "distribution-shares").rows()[1:3] == [row[:6] for row in shares[1:3]]
    share = client.get(
        reverse("finance:distribution_share", args=[worked_year.pk, draft.pk, ksm_a.pk])
    )
    assert element(share, "share-total").text == "Rp 1.710.569"
    assert element(share, "share-owed").text == "Rp 1.710.569"
    pdf = client.get(
        reverse("finance:distribution_share", args=[worked_year.pk, draft.pk, ksm_a.pk])
        + "?format=pdf"
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_ksm_officer_reads_their_own_ksms_shu_share_only(worked_year, ksm_a, ksm_b, staff_user):
    staff = logged_in(staff_user)
    _plan(staff, worked_year, 2017, **SHU_2017)
    draft = SurplusDistribution.objects.get()
    account = UserFactory(username="ketua.anggrek")
    MembershipFactory(group=ksm_a, member=MemberFactory(village=ksm_a.village, user=account))
    Membership.objects.filter(member__user=account).update(role=Membership.Role.CHAIR)
    officer = logged_in(account)
    preview = element(officer.get(draft.get_absolute_url()), "preview-shares").rows()
    assert [row[0] for row in preview[1:-1]] == ["KSM Anggrek"]
    preview = staff.get(draft.get_absolute_url())
    staff.post(
        draft.get_absolute_url(),
        {"token": preview.context["token"], "digest": preview.context["allocation"].digest},
    )
    posted = element(officer.get(draft.get_absolute_url()), "distribution-shares").rows()
    names = [row[0] for row in posted]
    assert "KSM Anggrek" in names and "KSM Bougenville" not in names

    def share(group):
        url = reverse("finance:distribution_share", args=[worked_year.pk, draft.pk, group.pk])
        return officer.get(url).status_code

    assert (share(ksm_a), share(ksm_b)) == (200, 404)


def test_paying_a_share_through_the_form(worked_year, ksm_b, staff_user):
    allocation = surplus_allocate(worked_year, 2017, SHU_2017, D(60), AS_BEFORE)
    client = logged_in(staff_user)
    _plan(client, worked_year, 2017, **SHU_2017)
    draft = SurplusDistribution.objects.get()
    client.post(
        draft.get_absolute_url(),
        {"token": tokens.token_new(worked_year), "digest": allocation.digest},
    )
    url = reverse("finance:surplus_pay", args=[worked_year.pk])
    response, token = _form_page(client, url)
    data = {
        "token": token,
        "group": ksm_b.pk,
        "source": "cash",
        "entry_date": "2018-02-20",
        "amount": "2.289.432",
    }
    response = client.post(url, data)
    assert field_errors(response, "amount") == [
        translated("%(group)s is owed only %(owed)s of SHU.")
        % {"group": "KSM Bougenville", "owed": "Rp\u00a02.289.431"}
    ]
    response = client.post(url, {**data, "amount": "2.289.431"})
    assert response.status_code == 302
    entry = JournalEntry.objects.get(kind=EntryKind.SURPLUS_PAYMENT)
    assert entry.description == translated("SHU paid to %(group)s") % {"group": "KSM Bougenville"}


def test_a_stale_preview_posts_nothing(worked_year, ksm_b, staff_user):
    client = logged_in(staff_user)
    _plan(client, worked_year, 2017, **SHU_2017)
    draft = SurplusDistribution.objects.get()
    preview = client.get(draft.get_absolute_url())
    # Meanwhile the meeting's decision is changed in another tab.
    _plan(client, worked_year, 2017, **{**SHU_2017, "reserve_pct": 30, "members_pct": 50})
    response = client.post(
        draft.get_absolute_url(),
        {"token": preview.context["token"], "digest": preview.context["allocation"].digest},
        follow=True,
    )
    assert translated(
        "The figures changed since the preview (an entry was posted meanwhile). "
        "Nothing was posted; check the new preview and post again."
    ) in [str(m) for m in response.context["messages"]]
    assert not JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).exists()


def test_only_those_who_post_may_distribute(worked_year, facilitator, staff_user):
    _plan(logged_in(staff_user), worked_year, 2017, **SHU_2017)
    draft = SurplusDistribution.objects.get()
    client = logged_in(facilitator)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert _plan(client, worked_year, 2017, **SHU_2017).status_code == 403
    response = client.post(draft.get_absolute_url(), {"token": "x", "digest": "y"})
    assert response.status_code == 403
    assert not JournalEntry.objects.filter(kind=EntryKind.SURPLUS_DISTRIBUTION).exists()


def test_a_ksm_book_shares_its_shu_but_has_no_member_ksm_pages(ksm, staff_user):
    from finance.services import book_open

    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(staff_user)
    assert client.get(reverse("finance:distributions", args=[book.pk])).status_code == 200
    assert client.get(reverse("finance:group_savings", args=[book.pk])).status_code == 404
    assert client.get(reverse("finance:pades_pay", args=[book.pk])).status_code == 404
    assert client.get(reverse("finance:capital", args=[book.pk])).status_code == 200


# --- BUMDes business units ----------------------------------------------------------------------


def test_a_unit_gets_its_accounts_and_its_own_results(bumdes_book, staff_user):
    client = logged_in(staff_user)
    url = reverse("finance:units", args=[bumdes_book.pk])
    response = client.post(url, {"unit-name": "Air Bersih"})
    assert response.status_code == 302
    unit = BusinessUnit.objects.get()
    assert (unit.income_account.code, unit.income_account.name) == (
        "4.06",
        "Pendapatan Unit Air Bersih",
    )
    assert (unit.expense_account.code, unit.expense_account.name) == (
        "5.10",
        "Beban Unit Air Bersih",
    )
    assert unit.income_account.parent.code == "4" and unit.expense_account.parent.code == "5"
    toko = business_unit_create(book=bumdes_book, name="Toko Desa")
    assert toko.income_account.code == "4.07"
    response = client.post(url, {"unit-name": "air bersih"})
    assert field_errors(response, "name", "unit_form") == [
        translated("This BUMDes already has a unit with this name.")
    ]
    # The cash forms let the treasurer pick the unit.
    record = reverse("finance:record", args=[bumdes_book.pk, "cash-in"])
    _response, token = _form_page(client, record)
    response = client.post(
        record,
        {
            "token": token,
            "source": "income_business",
            "unit": unit.pk,
            "entry_date": "2017-05-02",
            "amount": "750000",
            "description": "Iuran air April",
        },
    )
    assert response.status_code == 302
    cash_receive(
        book=bumdes_book,
        source="income_business",
        amount=300_000,
        entry_date=DAY,
        description="Sewa tenda",
        unit=toko,
    )
    cash_receive(
        book=bumdes_book, source="income_other", amount=20_000, entry_date=DAY, description="Bunga"
    )
    cash_pay(
        book=bumdes_book,
        category="expense_other",
        amount=100_000,
        entry_date=DAY,
        description="Pipa",
        unit=unit,
    )
    cash_pay(
        book=bumdes_book, category="expense_admin", amount=5_000, entry_date=DAY, description="ATK"
    )
    response = client.get(url + "?period=year&year=2017&month=1")
    rows = element(response, "units").rows()
    assert rows[1] == ["Air Bersih", "Rp 750.000", "Rp 100.000", "Rp 650.000"]
    assert rows[2] == ["Toko Desa", "Rp 300.000", "Rp 0", "Rp 300.000"]
    assert rows[3] == [translated("Not in a unit"), "Rp 20.000", "Rp 5.000", "Rp 15.000"]
    assert rows[4] == [translated("The whole BUMDes"), "Rp 1.070.000", "Rp 105.000", "Rp 965.000"]
    statement = income_statement(bumdes_book, Period.of("year", 2017))
    assert statement.surplus[0] == D(965_000)


def test_a_grant_cannot_be_a_units_income(bumdes_book):
    from django.core.exceptions import ValidationError

    unit = business_unit_create(book=bumdes_book, name="Wisata")
    with pytest.raises(ValidationError) as error:
        cash_receive(
            book=bumdes_book,
            source="grant",
            amount=1000,
            entry_date=DAY,
            description="x",
            unit=unit,
        )
    assert error.value.message_dict["unit"] == [
        translated("A grant is the BUMDes's capital, not a unit's income.")
    ]
    assert not JournalEntry.objects.filter(book=bumdes_book).exists()


def test_units_are_only_for_a_bumdes(coop_book):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        business_unit_create(book=coop_book, name="Toko")
    assert not BusinessUnit.objects.exists()


# --- Capital structure --------------------------------------------------------------------------


def test_the_capital_structure_is_the_balance_sheet_regrouped(worked_year, ksm_a, staff_user):
    borrowing_record(
        book=worked_year,
        lender_kind="bank",
        lender_name="BRI Unit Bandar",
        principal=2_000_000,
        monthly_rate=D("1"),
        interest_method="declining",
        term_months=12,
        received_date=datetime.date(2018, 1, 15),
        purpose="Modal",
    )
    as_of = datetime.date(2018, 1, 31)
    structure = capital_structure(worked_year, as_of)
    sheet = balance_sheet(worked_year, Period("month", as_of.replace(day=1), as_of))
    assert structure.uses_total == sheet.assets.current
    assert structure.sources_total == sum(sheet.liabilities_and_equity[:1])
    assert structure.sources_total == structure.uses_total
    sections = {section.key: section for section in structure.sources}
    # Savings on 31 January 2018: pokok 600.000, wajib 400.000, sukarela 500.000 + 1.000.000.
    assert [row.amount for row in sections["savings"].rows] == [
        D(600_000),
        D(400_000),
        D(1_500_000),
    ]
    assert [(row.loan.lender_name, row.amount) for row in sections["borrowed"].rows] == [
        ("BRI Unit Bandar", D(2_000_000))
    ]
    response = logged_in(staff_user).get(
        reverse("finance:capital", args=[worked_year.pk]) + "?date=2018-01-31"
    )
    # Cash 23.600.001,50 and loans 900.000 = savings 2.500.000 + grant 10.000.000 +
    # retained surplus 10.000.001,50 + borrowed 2.000.000.
    assert structure.uses_total == D("24500001.50")
    assert element(response, "uses-total").text.endswith("Rp 24.500.001,50 100")
    assert element(response, "sources-total").text.endswith("Rp 24.500.001,50 100")
    assert "BRI Unit Bandar" in element(response, "borrowings").text
    shares = [row.share for section in structure.uses for row in section.rows]
    assert sum(shares) == pytest.approx(100, abs=0.3)


def test_the_capital_page_lists_nothing_borrowed_when_nothing_is(coop_book, staff_user):
    response = logged_in(staff_user).get(reverse("finance:capital", args=[coop_book.pk]))
    assert response.status_code == 200
    assert translated("Nothing borrowed on this date.") in element(response, "borrowings").text


def test_the_plan_form_offers_only_the_parts_the_books_have(worked_year, bumdes_book, staff_user):
    client = logged_in(staff_user)
    response = client.get(reverse("finance:distribution_plan", args=[worked_year.pk, 2017]))
    assert "Rp 10.000.001,50" in element(response, "year-surplus").text
    assert list(response.context["form"].fields) == [
        "decided_date",
        "reserve_pct",
        "members_pct",
        "board_pct",
        "staff_pct",
        "education_pct",
        "social_pct",
        "other_pct",
        "transactions_pct",
        "jua_basis",
        "non_member_to",
        "jma_basis",
        "jma_balance",
        "leavers",
    ]
    response = client.get(reverse("finance:distribution_plan", args=[bumdes_book.pk, 2017]))
    assert list(response.context["form"].fields) == [
        "decided_date",
        "reserve_pct",
        "village_pct",
        "other_pct",
    ]
    book_page = client.get(bumdes_book.get_absolute_url())
    assert (
        reverse("finance:units", args=[bumdes_book.pk])
        in element(book_page, "capital-links").hrefs()
    )
