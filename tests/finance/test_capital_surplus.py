"""SHU: a cooperative's surplus shared by the meeting's percentages, the members' part by
transactions (JUA) and savings (JMA), against a worked example to the rupiah; a BUMDes's
village share (PADes); paying shares out; and every refusal leaving nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from finance.models import (
    EntryKind,
    GroupBalance,
    JournalEntry,
    SurplusDistribution,
    SurplusShare,
)
from finance.services import cash_receive, journal_post
from finance.services.posting import Line, accounts_for
from finance.services.surplus import (
    Rules,
    pades_pay,
    surplus_allocate,
    surplus_distribute,
    surplus_pay,
    surplus_plan_save,
    year_surplus,
)

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
from tests.web.support import translated

D = Decimal
MEETING = datetime.date(2018, 2, 15)


def _distributed(book):
    return JournalEntry.objects.filter(book=book, kind=EntryKind.SURPLUS_DISTRIBUTION)


def test_the_worked_example_is_shared_to_the_rupiah(worked_year, ksm_a, ksm_b):
    """Surplus Rp 10.000.001,50: board, staff, education and social 5% each = Rp 500.000
    (500.000,075 rounded down); members' services 40% = Rp 4.000.000 (4.000.000,60 rounded
    down); the reserve takes the rest, Rp 4.000.001,50.

    Members' part 60% JUA = Rp 2.400.000 by transactions (Anggrek 11.000, Bougenville
    30.000 of 41.000): 643.902,43 → 643.902 and 1.756.097,56 → 1.756.097, the rupiah left
    over to the larger, Bougenville: 1.756.098. 40% JMA = Rp 1.600.000 by savings on
    31 December (Anggrek 1.000.000, Bougenville 500.000 of 1.500.000): 1.066.666,66 →
    1.066.666 and 533.333,33 → 533.333, the rupiah left over to Anggrek: 1.066.667.

    Under the rules the meeting chose here (AS_BEFORE): the non-member surplus shared, all
    savings on 31 December (tests/finance/test_surplus_rules.py has the defaults)."""
    assert year_surplus(worked_year, 2017) == D("10000001.50")
    allocation = surplus_allocate(worked_year, 2017, SHU_2017, D(60), AS_BEFORE)
    assert {p.field: p.amount for p in allocation.parts} == {
        "reserve_pct": D("4000001.50"),
        "members_pct": D(4_000_000),
        "board_pct": D(500_000),
        "staff_pct": D(500_000),
        "education_pct": D(500_000),
        "social_pct": D(500_000),
    }
    assert (allocation.by_transactions, allocation.by_savings) == (D(2_400_000), D(1_600_000))
    shares = {s.group.name: s for s in allocation.shares}
    anggrek, bougenville = shares["KSM Anggrek"], shares["KSM Bougenville"]
    assert (anggrek.transactions, anggrek.savings) == (D(11_000), D(1_000_000))
    assert (bougenville.transactions, bougenville.savings) == (D(30_000), D(500_000))
    assert (anggrek.by_transactions, anggrek.by_savings) == (D(643_902), D(1_066_667))
    assert (bougenville.by_transactions, bougenville.by_savings) == (D(1_756_098), D(533_333))
    assert anggrek.total + bougenville.total == D(4_000_000)


def test_posting_posts_exactly_the_preview(worked_year, ksm_a, ksm_b):
    preview = surplus_allocate(worked_year, 2017, SHU_2017, D(60), AS_BEFORE)
    distribution = surplus_distribute(
        book=worked_year,
        year=2017,
        decided_date=MEETING,
        transactions_pct=D(60),
        rules=AS_BEFORE,
        expected=preview.digest,
        **SHU_2017,
    )
    assert distribution.status == SurplusDistribution.Status.POSTED
    entry = distribution.entry
    assert entry.kind == EntryKind.SURPLUS_DISTRIBUTION and entry.entry_date == MEETING
    lines = list(entry.lines.select_related("account", "party_group"))
    debits = [(ln.account.role, ln.debit) for ln in lines if ln.debit]
    assert debits == [("retained_surplus", D("10000001.50"))]
    credits = {
        (ln.account.role, ln.party_group.name if ln.party_group else None): ln.credit
        for ln in lines
        if ln.credit
    }
    assert credits == {
        ("reserve", None): D("4000001.50"),
        ("surplus_payable", "KSM Anggrek"): D(643_902 + 1_066_667),
        ("surplus_payable", "KSM Bougenville"): D(1_756_098 + 533_333),
        ("fund_board", None): D(500_000),
        ("fund_staff", None): D(500_000),
        ("fund_education", None): D(500_000),
        ("fund_social", None): D(500_000),
    }
    saved = {
        s.group.name: (s.transactions, s.savings, s.by_transactions, s.by_savings)
        for s in distribution.shares.select_related("group")
    }
    assert saved == {
        s.group.name: (s.transactions, s.savings, s.by_transactions, s.by_savings)
        for s in preview.shares
    }
    payable = GroupBalance.objects.get(
        account__book=worked_year, group=ksm_a, account__role="surplus_payable"
    )
    assert payable.balance == D(1_710_569)


def test_percentages_not_adding_up_to_100_are_refused_and_nothing_is_written(worked_year):
    wrong = {**SHU_2017, "reserve_pct": D(35)}
    with pytest.raises(ValidationError) as error:
        surplus_distribute(book=worked_year, year=2017, decided_date=MEETING, **wrong)
    expected = translated(
        "The percentages must add up to 100%%; now they add up to %(total)s%%."
    ) % {"total": "95"}
    assert expected in error.value.messages
    with pytest.raises(ValidationError):
        surplus_plan_save(book=worked_year, year=2017, decided_date=MEETING, **wrong)
    assert not _distributed(worked_year).exists()
    assert not SurplusDistribution.objects.exists()
    assert not SurplusShare.objects.exists()


def test_the_database_refuses_percentages_not_adding_up_to_100(worked_year):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurplusDistribution.objects.bulk_create(
            [
                SurplusDistribution(
                    book=worked_year,
                    year=2017,
                    decided_date=MEETING,
                    reserve_pct=50,
                    members_pct=40,
                )
            ]
        )


def test_a_year_not_closed_is_refused(coop_book):
    with pytest.raises(ValidationError) as error:
        surplus_distribute(book=coop_book, year=2017, decided_date=MEETING, **SHU_2017)
    assert error.value.message_dict["year"] == [
        translated("The year %(year)s is not closed yet; close it first (Periods).")
        % {"year": 2017}
    ]
    assert not _distributed(coop_book).exists()


def test_a_year_closed_without_surplus_is_refused(coop_book):
    cash_receive(
        book=coop_book,
        source="grant",
        amount=1_000_000,
        entry_date=coop_book.opening_date,
        description="Hibah",
    )
    close_year(coop_book)
    with pytest.raises(ValidationError) as error:
        surplus_distribute(book=coop_book, year=2017, decided_date=MEETING, **SHU_2017)
    assert error.value.messages == [
        translated(
            "The year %(year)s closed without a surplus (%(amount)s); there is nothing to share."
        )
        % {"year": 2017, "amount": "Rp\u00a00"}
    ]
    assert not SurplusDistribution.objects.exists()


def test_a_year_is_distributed_once(worked_year):
    surplus_distribute(
        book=worked_year, year=2017, decided_date=MEETING, transactions_pct=60, **SHU_2017
    )
    with pytest.raises(ValidationError) as error:
        surplus_distribute(book=worked_year, year=2017, decided_date=MEETING, **SHU_2017)
    assert error.value.messages == [
        translated("The surplus of %(year)s has already been distributed.") % {"year": 2017}
    ]
    assert _distributed(worked_year).count() == 1


def test_a_stale_preview_is_refused(worked_year, ksm_a):
    preview = surplus_allocate(worked_year, 2017, SHU_2017, D(60))
    surplus_plan_save(
        book=worked_year, year=2017, decided_date=MEETING, transactions_pct=D(50), **SHU_2017
    )
    with pytest.raises(ValidationError) as error:
        surplus_distribute(
            book=worked_year,
            year=2017,
            decided_date=MEETING,
            transactions_pct=D(50),
            expected=preview.digest,
            **SHU_2017,
        )
    assert error.value.messages == [
        translated(
            "The figures changed since the preview (an entry was posted meanwhile). "
            "Nothing was posted; check the new preview and post again."
        )
    ]
    assert not _distributed(worked_year).exists()
    assert SurplusDistribution.objects.get().status == SurplusDistribution.Status.DRAFT


def test_the_same_token_posts_once(worked_year):
    kwargs = dict(book=worked_year, year=2017, decided_date=MEETING, token="a" * 32, **SHU_2017)
    first = surplus_distribute(**kwargs)
    again = surplus_distribute(**kwargs)
    assert first.pk == again.pk and _distributed(worked_year).count() == 1


def test_a_member_ksm_is_paid_its_share_and_never_more(worked_year, ksm_b):
    surplus_distribute(
        book=worked_year,
        year=2017,
        decided_date=MEETING,
        transactions_pct=60,
        rules=AS_BEFORE,
        **SHU_2017,
    )
    with pytest.raises(ValidationError) as error:
        surplus_pay(book=worked_year, group=ksm_b, amount=2_289_432, entry_date=MEETING)
    assert error.value.message_dict["amount"] == [
        translated("%(group)s is owed only %(owed)s of SHU.")
        % {"group": "KSM Bougenville", "owed": "Rp\u00a02.289.431"}
    ]
    posted = surplus_pay(book=worked_year, group=ksm_b, amount=2_289_431, entry_date=MEETING)
    assert posted.entry.kind == EntryKind.SURPLUS_PAYMENT
    balance = GroupBalance.objects.get(
        group=ksm_b, account__book=worked_year, account__role="surplus_payable"
    )
    assert balance.balance == 0


def test_a_bumdes_shares_its_profit_with_the_village(bumdes_book):
    cash_receive(
        book=bumdes_book,
        source="income_business",
        amount=2_000_000,
        entry_date=datetime.date(2017, 5, 1),
        description="Penjualan air",
    )
    close_year(bumdes_book)
    with pytest.raises(ValidationError) as error:
        surplus_distribute(book=bumdes_book, year=2017, decided_date=MEETING, **SHU_2017)
    assert error.value.message_dict["members_pct"] == [
        translated("These books have no account for this part; leave it at 0.")
    ]
    distribution = surplus_distribute(
        book=bumdes_book,
        year=2017,
        decided_date=MEETING,
        village_pct=D("33.33"),
        reserve_pct=D("66.67"),
    )
    credits = {ln.account.role: ln.credit for ln in distribution.entry.lines.all() if ln.credit}
    # 33,33% of 2.000.000 = 666.600; the reserve takes the rest.
    assert credits == {"pades_payable": D(666_600), "reserve": D(1_333_400)}
    with pytest.raises(ValidationError) as error:
        pades_pay(book=bumdes_book, amount=666_601, entry_date=MEETING)
    assert error.value.message_dict["amount"] == [
        translated("The village is owed only %(owed)s.") % {"owed": "Rp\u00a0666.600"}
    ]
    pades_pay(book=bumdes_book, amount=666_600, entry_date=MEETING)
    (pades,) = accounts_for(bumdes_book, "pades_payable")
    assert sum(ln.credit - ln.debit for ln in pades.lines.all()) == 0


def test_a_ksm_that_left_after_the_year_gets_its_share_unless_the_meeting_rules_otherwise(
    worked_year, ksm_a, cooperative
):
    """Changed by design (issue 16): a KSM that was a member in 2017 and left in January 2018
    receives its share for 2017; only the old rule (leavers: forfeit) leaves it out."""
    membership = ksm_a.cooperative_memberships.get()
    membership.left_date = datetime.date(2018, 1, 31)
    membership.save()
    allocation = surplus_allocate(worked_year, 2017, SHU_2017, D(60), AS_BEFORE)
    assert [s.group.name for s in allocation.shares] == ["KSM Bougenville"]
    assert allocation.shares[0].total == D(4_000_000)
    allocation = surplus_allocate(
        worked_year, 2017, SHU_2017, D(60), Rules.of({**AS_BEFORE.as_dict(), "leavers": "receive"})
    )
    shares = {s.group.name: s for s in allocation.shares}
    assert shares["KSM Anggrek"].left_date == datetime.date(2018, 1, 31)
    assert shares["KSM Anggrek"].total == D(1_710_569)


def test_business_income_naming_a_ksm_counts_as_its_transactions(worked_year, ksm_a):
    """Only the year's lines count: income in 2018 does not change 2017's figures."""
    cash, business = accounts_for(worked_year, "cash", "income_business")
    journal_post(
        book=worked_year,
        entry_date=datetime.date(2018, 1, 5),
        description="Jasa 2018",
        lines=[
            Line(account=cash, debit=D(5_000)),
            Line(account=business, credit=D(5_000), group=ksm_a),
        ],
    )
    allocation = surplus_allocate(worked_year, 2017, SHU_2017, D(60), AS_BEFORE)
    assert {s.group.name: s.transactions for s in allocation.shares}["KSM Anggrek"] == D(11_000)
