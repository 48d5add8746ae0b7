"""The rollups stay equal to the journal and the register: whatever a treasurer posts and
reverses, loans lent and repaid, months and years closed, surplus shared; KSM registered,
moved and made dormant; members joining and leaving; assessments confirmed."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashboard.models import RegionGrade, RegionMonth
from dashboard.selectors.figures import months_between, region_series
from dashboard.services.rebuild import rollups_differences, rollups_rebuild
from dashboard.services.rollups import rollups_drain
from finance.models import BookMonth, EntryKind, Loan
from finance.services import (
    book_open,
    entry_reverse,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    savings_deposit,
)
from finance.services.figures import book_risk_refresh
from finance.services.surplus import surplus_allocate, surplus_distribute, surplus_pay
from groups.models import SelfHelpGroup
from groups.services import group_update, membership_end

# The fixtures are imported, then named as test arguments: ruff takes that for a redefinition.
# ruff: noqa: F811
from tests.finance.capital_support import (  # noqa: F401  (fixtures)
    AS_BEFORE,
    SHU_2017,
    close_year,
    coop_book,
    ksm_a,
    ksm_b,
    worked_year,
)
from tests.finance.test_properties import OPENED, Treasurer, operations
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.villages.factories import VillageFactory

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = datetime.date(2017, 3, 1)


def figures(code: str, month: datetime.date) -> dict:
    rollups_drain()  # what the dashboard does before it reads
    return region_series([code], [month])[month]


class Lender(Treasurer):
    """The property test's treasurer, who also lends to members and takes repayments."""

    def __init__(self, book, people, chair):
        super().__init__(book, people)
        self.chair = chair
        self.product = loan_product_save(
            book=book,
            name="Pinjaman",
            interest_method="flat",
            monthly_rate=D("2"),
            max_term_months=12,
            admin_fee_percent=D("0"),
            max_savings_multiple=D("100"),
        )

    def lend(self, day, who, amount):
        """Apply, approve and pay out; a refusal (savings too small for the loan, not enough
        cash on the day) is a fine outcome too, and leaves nothing behind."""
        try:
            loan = loan_apply(
                book=self.book,
                product=self.product,
                principal=amount,
                term_months=6,
                purpose="Modal",
                applied_date=day,
                member=self.people[who],
            )
            loan_approve(loan=loan, decided_date=day, approved_by_member=self.chair)
            return loan_disburse(loan=loan, disbursed_date=day)
        except ValidationError:
            return None

    def repay(self, day, pick, amount):
        loans = list(Loan.objects.filter(book=self.book, balance__gt=0, disbursed_date__lte=day))
        if not loans:
            return None
        loan = loans[pick % len(loans)]
        # A loan's entries go in date order: a repayment is dated on its latest or after.
        last = loan.lines.aggregate(last=Max("entry_date"))["last"]
        day = max(day, last) if last is not None else day
        return loan_repay(loan=loan, amount=min(amount, loan.balance), paid_date=day)

    def reverse(self, day, pick):
        """As the treasurer's, except that a loan's disbursement is reversed only once no
        repayment of it stands (the loan rules refuse it before, as they should)."""
        stands = [entry for entry in self.reversible if not self._repaid_disbursement(entry)]
        if not stands:
            return None
        entry = stands[pick % len(stands)]
        self.reversible.remove(entry)
        entry_reverse(entry=entry, entry_date=max(day, entry.entry_date), reason="koreksi")
        return None

    @staticmethod
    def _repaid_disbursement(entry) -> bool:
        if entry.kind != EntryKind.LOAN_DISBURSEMENT:
            return False
        loans = Loan.objects.filter(lines__entry=entry).distinct()
        return any(
            loan.lines.exclude(entry=entry)
            .filter(entry__reversal_of__isnull=True, entry__reversed_by__isnull=True)
            .exists()
            for loan in loans
        )


loan_days = st.integers(min_value=0, max_value=300)
money = st.integers(min_value=10_000, max_value=2_000_000).map(D)
lending = st.one_of(
    operations,
    st.tuples(st.just("lend"), loan_days, st.integers(0, 2), money),
    st.tuples(st.just("repay"), loan_days, st.integers(0, 10), money),
)


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(lending, min_size=1, max_size=12), close=st.booleans())
@example(  # queued, not yet drained: SQLite's floating-point sums of the books are off by 1e-12
    steps=[
        ("cash_out", 360, "expense_admin", D("33080.30")),
        ("deposit", 334, 0, "savings_principal", D("32080.52")),
    ],
    close=False,
)
def test_any_sequence_of_postings_keeps_the_rollups_equal_to_the_journal(db, steps, close):
    with transaction.atomic():
        ksm = SelfHelpGroupFactory()
        people = [
            MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
            for _ in range(3)
        ]
        book = book_open(owner=ksm, opening_date=OPENED)
        savings_deposit(
            book=book,
            member=people[0],
            savings_type="savings_voluntary",
            amount=50_000_000,
            entry_date=OPENED,
        )
        chair = MembershipFactory(
            group=ksm, role="chair", joined_date=datetime.date(2016, 6, 1)
        ).member
        treasurer = Lender(book, people, chair)
        for step in steps:
            treasurer.do(step)
        if close:
            close_year(book)
        book_risk_refresh(book, OPENED)  # what the commit of each loan posting runs
        assert rollups_differences() == []
        # The nation adds up to the book, month by month.
        months = months_between(OPENED, datetime.date(2018, 1, 1))
        book_rows = {row.month: row for row in BookMonth.objects.filter(book=book)}
        rollups_drain()
        assert rollups_differences() == []
        nation = region_series([""], months)
        running = D(0)
        for month in months:
            row = book_rows.get(month)
            running += row.savings_voluntary if row else 0
            assert nation[month]["savings_voluntary"] == running
            assert nation[month]["at_risk30"] == (row.at_risk30 if row else 0)
        transaction.set_rollback(True)


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))


def test_a_deposit_and_its_reversal_reach_every_level_of_the_tree(book, ksm):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    posted = savings_deposit(
        book=book,
        member=member,
        savings_type="savings_mandatory",
        amount=25_000,
        entry_date=datetime.date(2017, 3, 10),
    )
    village = ksm.village
    for code in ("", village.district.regency.province.code, village.district.regency.code):
        assert figures(code, MARCH)["savings_mandatory"] == 25_000
    assert figures(village.code, MARCH)["cash"] == 25_000
    assert figures(village.code, MARCH)["books_current"] == 1
    entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 4, 2), reason="salah")
    april = datetime.date(2017, 4, 1)
    assert figures(village.district.code, april)["savings_mandatory"] == 0
    assert figures(village.district.code, MARCH)["savings_mandatory"] == 25_000  # as it was
    assert rollups_differences() == []


def test_books_are_current_for_45_days_after_their_last_entry(book, ksm):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    savings_deposit(
        book=book,
        member=member,
        savings_type="savings_voluntary",
        amount=10_000,
        entry_date=datetime.date(2017, 3, 20),
    )
    code = ksm.village.code
    assert figures(code, MARCH)["books_current"] == 1
    # 20 March is within 45 days of 30 April, not of 31 May.
    assert figures(code, datetime.date(2017, 4, 1))["books_current"] == 1
    assert figures(code, datetime.date(2017, 5, 1))["books_current"] == 0


def test_a_loans_risk_is_read_once_the_posting_commits(
    book, ksm, django_capture_on_commit_callbacks
):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    savings_deposit(
        book=book,
        member=member,
        savings_type="savings_voluntary",
        amount=5_000_000,
        entry_date=datetime.date(2017, 1, 2),
    )
    product = loan_product_save(
        book=book,
        name="Usaha",
        interest_method="flat",
        monthly_rate=D("2"),
        max_term_months=12,
        max_savings_multiple=D("10"),
    )
    loan = loan_apply(
        book=book,
        product=product,
        principal=1_200_000,
        term_months=12,
        purpose="Warung",
        applied_date=datetime.date(2017, 1, 5),
        member=member,
    )
    chair = MembershipFactory(group=ksm, role="chair", joined_date=datetime.date(2016, 6, 1))
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair.member)
    with django_capture_on_commit_callbacks(execute=True):
        loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 1, 10))
    # Nothing paid: by the end of April the February instalment is more than 30 days late.
    april = BookMonth.objects.get(book=book, month=datetime.date(2017, 4, 1))
    assert april.at_risk30 == 1_200_000
    assert figures(ksm.village.code, datetime.date(2017, 4, 1))["at_risk30"] == 1_200_000
    assert figures("", datetime.date(2017, 1, 1))["loans_disbursed"] == 1_200_000
    assert rollups_differences() == []


def test_register_changes_are_counted_where_they_happen(ksm, village):
    joined = datetime.date(2017, 2, 3)
    women = [MembershipFactory(group=ksm, joined_date=joined, member__sex="F") for _ in range(3)]
    MembershipFactory(group=ksm, joined_date=joined, member__sex="M")
    february = datetime.date(2017, 2, 1)
    assert figures(village.code, february)["members_female"] == 3
    assert figures("", february)["members_male"] == 1
    membership_end(actor=None, membership=women[0], left_date=datetime.date(2017, 5, 9))
    assert figures(village.district.code, datetime.date(2017, 5, 1))["members_female"] == 2
    assert figures(village.district.code, datetime.date(2017, 4, 1))["members_female"] == 3
    assert rollups_differences() == []


def test_a_ksm_that_moves_takes_its_figures_to_its_new_village(book, ksm, village):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    savings_deposit(
        book=book,
        member=member,
        savings_type="savings_principal",
        amount=100_000,
        entry_date=datetime.date(2017, 3, 1),
    )
    elsewhere = VillageFactory()
    group_update(actor=None, group=ksm, village=elsewhere)
    assert figures(village.code, MARCH)["savings_principal"] == 0
    assert figures(elsewhere.code, MARCH)["savings_principal"] == 100_000
    assert (
        figures(elsewhere.code, MARCH)["members_male"]
        + figures(elsewhere.code, MARCH)["members_female"]
        == 1
    )
    assert rollups_differences() == []


def test_dormant_ksm_are_counted_and_the_origin_of_each(village):
    SelfHelpGroupFactory(village=village, origin="new", formed_date=datetime.date(2017, 1, 5))
    group = SelfHelpGroupFactory(
        village=village,
        origin="reactivated",
        formed_date=datetime.date(2009, 1, 1),
        reactivated_date=datetime.date(2017, 2, 1),
    )
    group_update(actor=None, group=group, status=SelfHelpGroup.Status.DORMANT)
    now = region_series([village.code], [timezone.localdate().replace(day=1)])
    latest = next(iter(now.values()))
    assert (latest["ksm_new"], latest["ksm_reactivated"], latest["ksm_dormant"]) == (1, 1, 1)
    assert rollups_differences() == []


def test_check_finds_a_tampered_rollup_and_rebuild_mends_it(book, ksm):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    savings_deposit(
        book=book,
        member=member,
        savings_type="savings_mandatory",
        amount=25_000,
        entry_date=datetime.date(2017, 3, 10),
    )
    BookMonth.objects.filter(book=book).update(savings_mandatory=1)
    rollups_drain()
    RegionMonth.objects.filter(code="").update(cash=7)
    with pytest.raises(Exception) as failed:
        call_command("rollups", "--check", stdout=(out := io.StringIO()))
    assert "savings_mandatory is 1.00, the journal says 25000.00" in out.getvalue()
    assert "region ID, 03-2017: cash is 7" in out.getvalue()
    assert "rollups --rebuild" in str(failed.value)
    call_command("rollups", "--rebuild", stdout=io.StringIO())
    assert rollups_differences() == []
    assert figures("", MARCH)["cash"] == 25_000
    call_command("rollups", stdout=(out := io.StringIO()))
    assert "every figure agrees" in out.getvalue()


def test_rebuild_from_nothing_gives_what_the_postings_kept(book, ksm):
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    for day in (3, 17):
        savings_deposit(
            book=book,
            member=member,
            savings_type="savings_voluntary",
            amount=10_000,
            entry_date=datetime.date(2017, 3, day),
        )
    rollups_drain()
    kept = list(RegionMonth.objects.order_by("code", "month").values())
    rollups_rebuild()
    rebuilt = list(RegionMonth.objects.order_by("code", "month").values())
    strip = [{k: v for k, v in row.items() if k not in {"id", "slot"}} for row in kept]
    assert strip == [{k: v for k, v in row.items() if k not in {"id", "slot"}} for row in rebuilt]
    assert not RegionGrade.objects.exists()


def test_a_cooperatives_year_closed_and_its_shu_shared_and_paid_keeps_its_months_right(
    worked_year, ksm_a, ksm_b
):
    """The worked year (tests/finance/capital_support.py): a loan to a member KSM, a closed
    year, then the SHU shared at the RAT and part of a share paid out."""
    meeting = datetime.date(2018, 2, 15)
    preview = surplus_allocate(worked_year, 2017, SHU_2017, D(60), AS_BEFORE)
    surplus_distribute(
        book=worked_year,
        year=2017,
        decided_date=meeting,
        transactions_pct=D(60),
        rules=AS_BEFORE,
        expected=preview.digest,
        **SHU_2017,
    )
    surplus_pay(book=worked_year, group=ksm_a, amount=10_000, entry_date=meeting)
    book_risk_refresh(worked_year, worked_year.opening_date)
    december = BookMonth.objects.get(book=worked_year, month=datetime.date(2017, 12, 1))
    assert december.income == 0  # the year-end close is not the month's income
    november = BookMonth.objects.get(book=worked_year, month=datetime.date(2017, 11, 1))
    assert november.income == D("9959001.50")
    assert rollups_differences() == []
