"""The SHU rules a cooperative shares its members' part by (issue 16, docs/rat-rules.md), on
one year worked out by hand: JUA by loan interest and fees and business with the cooperative
(not fines), the surplus from non-member business to the reserve, JMA by the average of the
month-end pokok and wajib (not sukarela), a KSM that joined in December and one that left in
June, and the pools split by largest remainder."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from finance.models import GroupBalance, SurplusDistribution
from finance.services import (
    book_open,
    cash_receive,
    journal_post,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    savings_deposit,
)
from finance.services.posting import Line, accounts_for
from finance.services.surplus import (
    Rules,
    _split,
    surplus_allocate,
    surplus_distribute,
    surplus_pay,
    surplus_plan_save,
)

# ruff: noqa: F811
from tests.finance.capital_support import (  # noqa: F401  (fixtures)
    SHU_2017,
    close_year,
    ksm_a,
)
from tests.groups.factories import CooperativeMembershipFactory, SelfHelpGroupFactory
from tests.web.support import element, logged_in, translated

D = Decimal
MARCH = datetime.date(2017, 3, 1)
MEETING = datetime.date(2018, 2, 15)


@pytest.fixture
def ksm_c(village):
    return SelfHelpGroupFactory(village=village, name="KSM Cempaka")


@pytest.fixture
def rules_year(cooperative, village, ksm_a, ksm_c):
    """A cooperative's 2017 (books opened 1 March), by hand:

    - KSM Anggrek, a member all year: pokok 100.000 + wajib 200.000 on 1 March, sukarela
      5.000.000 on 20 December; a loan of 1.000.000 (2% flat, 10 months, 1% admin fee
      10.000) and one payment of 125.000 on 1 May: fine 5.000, interest 20.000, principal
      100.000;
    - KSM Cempaka, a member from 1 March: pokok 120.000, business with the cooperative
      10.000 in April, its pokok paid back on 30 June, when it left;
    - KSM Bougenville joined on 10 December: pokok 160.000;
    - bank interest 165.000 (names no member); a grant of 10.000.000 (capital, not income).

    Income 10.000 + 5.000 + 20.000 + 10.000 + 165.000 = 210.000, no expenses: surplus 210.000.
    """
    ksm_b = SelfHelpGroupFactory(village=village, name="KSM Bougenville")
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm_a)
    cempaka = CooperativeMembershipFactory(cooperative=cooperative, group=ksm_c)
    book = book_open(owner=cooperative, opening_date=MARCH)
    cash_receive(
        book=book, source="grant", amount=10_000_000, entry_date=MARCH, description="Hibah"
    )
    for group, kind, amount in (
        (ksm_a, "savings_principal", 100_000),
        (ksm_a, "savings_mandatory", 200_000),
        (ksm_c, "savings_principal", 120_000),
    ):
        savings_deposit(book=book, group=group, savings_type=kind, amount=amount, entry_date=MARCH)
    product = loan_product_save(
        book=book,
        name="Pinjaman KSM",
        interest_method="flat",
        monthly_rate=D("2"),
        max_term_months=12,
        admin_fee_percent=D("1"),
    )
    loan = loan_apply(
        book=book,
        product=product,
        principal=1_000_000,
        term_months=10,
        purpose="Modal",
        applied_date=datetime.date(2017, 3, 20),
        group=ksm_a,
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 3, 25))
    loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 4, 1))
    loan.refresh_from_db()
    loan_repay(loan=loan, amount=125_000, fine=5_000, paid_date=datetime.date(2017, 5, 1))
    cash, business, principal = accounts_for(book, "cash", "income_business", "savings_principal")
    journal_post(
        book=book,
        entry_date=datetime.date(2017, 4, 10),
        description="Jasa pelatihan KSM Cempaka",
        lines=[
            Line(account=cash, debit=D(10_000)),
            Line(account=business, credit=D(10_000), group=ksm_c),
        ],
    )
    journal_post(
        book=book,
        entry_date=datetime.date(2017, 6, 30),
        description="Simpanan pokok KSM Cempaka dikembalikan",
        lines=[
            Line(account=principal, debit=D(120_000), group=ksm_c),
            Line(account=cash, credit=D(120_000)),
        ],
    )
    cempaka.left_date = datetime.date(2017, 6, 30)
    cempaka.save()
    CooperativeMembershipFactory(
        cooperative=cooperative, group=ksm_b, joined_date=datetime.date(2017, 12, 10)
    )
    savings_deposit(
        book=book,
        group=ksm_b,
        savings_type="savings_principal",
        amount=160_000,
        entry_date=datetime.date(2017, 12, 10),
    )
    savings_deposit(
        book=book,
        group=ksm_a,
        savings_type="savings_voluntary",
        amount=5_000_000,
        entry_date=datetime.date(2017, 12, 20),
    )
    cash_receive(
        book=book,
        source="income_other",
        amount=165_000,
        entry_date=datetime.date(2017, 11, 30),
        description="Bunga bank",
    )
    close_year(book)
    return book


def test_the_surplus_from_non_members_goes_to_reserve_and_the_rest_by_the_percentages(
    rules_year,
):
    """Member income 10.000 + 5.000 + 20.000 (Anggrek's loan) + 10.000 (Cempaka) = 45.000 of
    210.000; the non-member surplus is 210.000 * 165.000 / 210.000 = 165.000, to the reserve.
    The percentages share the other 45.000: members 40% = 18.000; board, staff, education,
    social 5% = 2.250 each; reserve 45.000 - 18.000 - 9.000 = 18.000, plus 165.000 = 183.000."""
    allocation = surplus_allocate(rules_year, 2017, SHU_2017, D(60))
    assert (allocation.income, allocation.member_income) == (D(210_000), D(45_000))
    assert allocation.non_member_surplus == D(165_000) and allocation.mostly_non_member
    assert {p.field: p.amount for p in allocation.parts} == {
        "reserve_pct": D(183_000),
        "members_pct": D(18_000),
        "board_pct": D(2_250),
        "staff_pct": D(2_250),
        "education_pct": D(2_250),
        "social_pct": D(2_250),
    }
    # Shared as before (the AD/ART may say so): members 40% of 210.000 = 84.000.
    shared = surplus_allocate(rules_year, 2017, SHU_2017, D(60), Rules(non_member_to="shared"))
    assert shared.non_member_surplus == 0 and shared.members_part == D(84_000)


def test_jua_counts_loan_interest_fees_and_business_but_not_fines(rules_year):
    """JUA pool 60% of 18.000 = 10.800. Anggrek 10.000 admin + 20.000 interest = 30.000 (its
    fine of 5.000 does not count); Cempaka 10.000 of business; Bougenville none: 40.000.
    Anggrek 10.800 * 30.000 / 40.000 = 8.100, Cempaka 2.700, no remainder."""
    allocation = surplus_allocate(rules_year, 2017, SHU_2017, D(60))
    shares = {s.group.name: s for s in allocation.shares}
    assert allocation.by_transactions == D(10_800)
    assert {name: s.transactions for name, s in shares.items()} == {
        "KSM Anggrek": D(30_000),
        "KSM Bougenville": D(0),
        "KSM Cempaka": D(10_000),
    }
    assert {name: s.by_transactions for name, s in shares.items()} == {
        "KSM Anggrek": D(8_100),
        "KSM Bougenville": D(0),
        "KSM Cempaka": D(2_700),
    }
    with_fines = surplus_allocate(rules_year, 2017, SHU_2017, D(60), Rules(jua_basis="with_fines"))
    assert {s.group.name: s.transactions for s in with_fines.shares}["KSM Anggrek"] == D(35_000)


def test_jma_is_the_average_month_end_pokok_and_wajib_split_by_largest_remainder(rules_year):
    """Month-end pokok + wajib over the 12 months of 2017 (none before the books opened):
    Anggrek 300.000 at the end of March to December = 3.000.000 / 12 = 250.000 (its sukarela
    of 5.000.000 does not count); Bougenville, joined in December, 160.000 / 12 = 13.333,33;
    Cempaka 120.000 at the end of March, April, May (paid back on 30 June) = 360.000 / 12 =
    30.000. All 293.333,33.

    JMA pool 40% of 18.000 = 7.200: Anggrek 6.136,3637, Bougenville 327,2726, Cempaka
    736,3636; rounded down 6.136 + 327 + 736 = 7.199, the rupiah left goes to the largest
    remainder, Anggrek's (,3637 against Cempaka's ,3636): 6.137, 327, 736."""
    allocation = surplus_allocate(rules_year, 2017, SHU_2017, D(60))
    shares = {s.group.name: s for s in allocation.shares}
    assert {name: s.savings for name, s in shares.items()} == {
        "KSM Anggrek": D("250000.00"),
        "KSM Bougenville": D("13333.33"),
        "KSM Cempaka": D("30000.00"),
    }
    assert {name: s.by_savings for name, s in shares.items()} == {
        "KSM Anggrek": D(6_137),
        "KSM Bougenville": D(327),
        "KSM Cempaka": D(736),
    }
    assert sum(s.total for s in allocation.shares) == allocation.members_part == D(18_000)
    # On 31 December with sukarela, as before: Anggrek 5.300.000, Bougenville 160.000,
    # Cempaka nothing.
    before = surplus_allocate(
        rules_year, 2017, SHU_2017, D(60), Rules(jma_basis="all_savings", jma_balance="year_end")
    )
    assert {s.group.name: s.savings for s in before.shares} == {
        "KSM Anggrek": D(5_300_000),
        "KSM Bougenville": D(160_000),
        "KSM Cempaka": D(0),
    }


def test_a_ksm_that_left_in_june_has_its_share_held_on_shu_payable_and_paid_out(rules_year, ksm_c):
    """Cempaka: JUA 2.700 + JMA 736 = 3.436, credited to SHU payable naming it, then paid."""
    distribution = surplus_distribute(
        book=rules_year, year=2017, decided_date=MEETING, transactions_pct=60, **SHU_2017
    )
    assert distribution.leavers == "receive" and distribution.non_member_surplus == D(165_000)
    line = distribution.entry.lines.get(party_group=ksm_c)
    assert line.account.role == "surplus_payable" and line.credit == D(3_436)
    assert "30-06-2017" in line.memo
    surplus_pay(book=rules_year, group=ksm_c, amount=3_436, entry_date=MEETING)
    owed = GroupBalance.objects.get(group=ksm_c, account__role="surplus_payable")
    assert owed.balance == 0
    # The kept balances still tie to the journal (a former member's sub-ledger included).
    out = io.StringIO()
    call_command("verify_books", stdout=out)
    assert "every invariant holds" in out.getvalue()
    # The old rule leaves it out; its share goes to the others.
    forfeit = surplus_allocate(rules_year, 2017, SHU_2017, D(60), Rules(leavers="forfeit"))
    assert "KSM Cempaka" not in [s.group.name for s in forfeit.shares]


def test_a_former_member_ksm_may_be_named_only_on_shu_payable(rules_year, ksm_c):
    cash, principal = accounts_for(rules_year, "cash", "savings_principal")
    with pytest.raises(ValidationError) as error:
        journal_post(
            book=rules_year,
            entry_date=datetime.date(2018, 1, 5),
            description="Setoran",
            lines=[
                Line(account=cash, debit=D(1_000)),
                Line(account=principal, credit=D(1_000), group=ksm_c),
            ],
        )
    assert error.value.messages == [translated("The KSM is not a member of this cooperative.")]


def test_largest_remainder_gives_a_tie_to_the_first_in_order():
    """10 by 1:1:1 = 3,33 each: 3 + 3 + 3, the rupiah left to the first (by name)."""
    assert _split(D(10), [D(1), D(1), D(1)]) == [D(4), D(3), D(3)]
    # 100 by 1:2:4 = 14,28 / 28,57 / 57,14: 14 + 28 + 57 = 99; the largest remainder ,57
    # (the second) takes the rupiah.
    assert _split(D(100), [D(1), D(2), D(4)]) == [D(14), D(29), D(57)]


def test_the_preview_shows_the_warning_the_split_and_the_basis_of_every_figure(
    rules_year, staff_user
):
    draft = surplus_plan_save(
        book=rules_year, year=2017, decided_date=MEETING, transactions_pct=60, **SHU_2017
    )
    assert isinstance(draft, SurplusDistribution)
    page = logged_in(staff_user).get(draft.get_absolute_url())
    assert element(page, "preview-non-member-warning") is not None
    assert "Rp 165.000" in element(page, "preview-income").text
    assert element(page, "distribution-split").text == translated(
        "Members' part: %(jua)s%% by transactions (JUA), %(jma)s%% by savings (JMA)."
    ).replace("%(jua)s", "60").replace("%(jma)s", "40").replace("%%", "%")
    rows = element(page, "preview-shares").rows()
    assert rows[1][:3] == ["KSM Anggrek", "Rp 30.000", "Rp 250.000"]
    assert rows[2][2] == "Rp 13.333,33"


def test_the_meeting_chooses_the_rules_on_the_plan_form_and_a_former_ksm_is_paid_by_form(
    rules_year, ksm_c, staff_user
):
    """The plan form keeps the chosen rules on the year's distribution; after posting, the
    pay form offers KSM Cempaka (left in June) with the 3.436 held for it."""
    client = logged_in(staff_user)
    data = {
        "decided_date": "2018-02-15",
        "transactions_pct": "60",
        **{name: str(value) for name, value in SHU_2017.items()},
        "jua_basis": "services",
        "non_member_to": "reserve",
        "jma_basis": "capital",
        "jma_balance": "average",
        "leavers": "receive",
    }
    client.post(reverse("finance:distribution_plan", args=[rules_year.pk, 2017]), data)
    draft = SurplusDistribution.objects.get()
    assert (draft.jma_balance, draft.non_member_surplus) == ("average", D(165_000))
    preview = client.get(draft.get_absolute_url())
    client.post(
        draft.get_absolute_url(),
        {"token": preview.context["token"], "digest": preview.context["allocation"].digest},
    )
    share = client.get(
        reverse("finance:distribution_share", args=[rules_year.pk, draft.pk, ksm_c.pk])
    )
    assert element(share, "share-total").text == "Rp 3.436"
    assert element(share, "distribution-split") is not None
    url = reverse("finance:surplus_pay", args=[rules_year.pk])

    response = client.get(url, follow=True)
    form = response.context["form"]
    owed = {group.name: group.owed for group in form.fields["group"].queryset}
    assert owed["KSM Cempaka"] == D(3_436)
    response = client.post(
        response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"],
        {
            "token": form.token,
            "group": ksm_c.pk,
            "source": "cash",
            "entry_date": "2018-02-20",
            "amount": "3.436",
        },
    )
    assert response.status_code == 302
    assert GroupBalance.objects.get(group=ksm_c, account__role="surplus_payable").balance == 0
