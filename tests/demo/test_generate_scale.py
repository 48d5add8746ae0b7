"""generate_scale makes valid national-shaped data fast, appends on a re-run and resets cleanly."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboard.services.rebuild import rollups_differences
from demo.management.commands.generate_scale import PREFIX
from demo.scale_books import BIG_BOOK_KSM_NAME
from finance.models import Book, BookYear, JournalEntry, JournalLine, Loan, Meeting
from finance.selectors.loans import loan_position
from finance.services.loans import loan_repay
from finance.services.treasurer import cash_receive
from groups.models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup
from villages.models import Regency, Village

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    """Without books unless a test asks for them: the register tests stay quick."""
    options.setdefault("book_months", 0)
    options.setdefault("big_book_lines", 0)
    output = io.StringIO()
    call_command("generate_scale", stdout=output, **options)
    return output.getvalue()


def verify_books() -> str:
    output = io.StringIO()
    call_command("verify_books", stdout=output)  # raises CommandError on any violation
    return output.getvalue()


def synthetic_groups():
    return SelfHelpGroup.objects.filter(village__district__regency__name__startswith=PREFIX)


def test_it_makes_the_requested_ksm_each_with_25_members_and_its_officers():
    generate(ksm=30)

    groups = synthetic_groups().annotate(
        active=Count("memberships", filter=Q(memberships__left_date__isnull=True)),
        chairs=Count("memberships", filter=Q(memberships__role="chair")),
        secretaries=Count("memberships", filter=Q(memberships__role="secretary")),
        treasurers=Count("memberships", filter=Q(memberships__role="treasurer")),
    )
    assert groups.count() == 30
    assert Member.objects.count() == Membership.objects.count() == 750
    for group in groups:
        assert group.active == 25
        assert (group.chairs, group.secretaries, group.treasurers) == (1, 1, 1)
    assert Village.objects.filter(groups__in=groups).distinct().count() == 3  # 10 KSM a village


def test_generated_rows_pass_the_same_validation_as_the_services():
    generate(ksm=20)

    for member in Member.objects.order_by("pk")[::7]:
        member.full_clean()  # NIK matches sex and birth date, KK and phone shaped right
    for group in synthetic_groups()[:5]:
        group.full_clean()
    assert not synthetic_groups().filter(origin="reactivated", reactivated_date__isnull=True)
    assert not synthetic_groups().exclude(village__code__regex=r"^\d{2}\.\d{2}\.\d{2}\.2\d{3}$")


def test_it_uses_real_province_codes_and_leaves_jawa_tengah_to_the_demo():
    generate(ksm=12)

    codes = set(Regency.objects.filter(name__startswith=PREFIX).values_list("code", flat=True))
    assert codes
    assert not any(code.startswith("33.") for code in codes)


def test_members_per_ksm_can_be_chosen():
    generate(ksm=4, members_per_ksm=12)

    assert Membership.objects.count() == 48
    assert set(synthetic_groups().annotate(n=Count("memberships")).values_list("n", flat=True)) == {
        12
    }


def test_cooperatives_are_built_on_the_generated_ksm():
    generate(ksm=100)

    assert Cooperative.objects.exists()
    joined = CooperativeMembership.objects.select_related("cooperative", "group")
    assert joined.exists()
    for membership in joined:
        assert membership.joined_date >= membership.cooperative.established_date


def test_a_second_run_appends_in_new_regencies():
    generate(ksm=30)
    first = set(Regency.objects.values_list("code", flat=True))

    generate(ksm=30)

    assert synthetic_groups().count() == 60
    assert Member.objects.count() == 1500
    assert first < set(Regency.objects.values_list("code", flat=True))


def test_reset_deletes_the_synthetic_data_and_nothing_else(ksm):
    generate(ksm=30)

    output = generate(ksm=10, reset=True)

    assert "Reset: deleted" in output
    assert synthetic_groups().count() == 10
    assert SelfHelpGroup.objects.filter(pk=ksm.pk).exists()
    assert SelfHelpGroup.objects.count() == 11


def test_synthetic_facilitators_see_the_ksm_of_their_villages_only():
    generate(ksm=300)

    user = get_user_model().objects.get(username="sintetis_pendamping1")
    visible = SelfHelpGroup.objects.visible_to(user)
    assert 0 < visible.count() < synthetic_groups().count()
    assert set(visible) == set(
        SelfHelpGroup.objects.filter(village__in=Village.objects.assigned_to(user))
    )


# --- Books ------------------------------------------------------------------------------------


def test_every_ksm_gets_a_year_of_books_that_verify_books_accepts():
    generate(ksm=24, book_months=12)

    assert "every invariant holds" in verify_books()
    assert rollups_differences() == []  # the dashboard's rollups were rebuilt from them
    groups = synthetic_groups()
    assert Book.objects.filter(group__in=groups).count() == 24
    months = (
        JournalEntry.objects.filter(book__group__in=groups)
        .annotate(month=TruncMonth("entry_date"))
        .values("book_id")
        .annotate(months=Count("month", distinct=True))
    )
    assert len(months) == 24
    assert all(row["months"] >= 12 for row in months)  # 13 when the last meeting was last month
    assert Meeting.objects.filter(book__group__in=groups).count() == 24 * 12
    # The KSM ran before their books opened, and their officers founded them.
    for book in Book.objects.filter(group__in=groups).select_related("group"):
        group = book.group
        assert (group.reactivated_date or group.formed_date) < book.opening_date
        first_meeting = book.meetings.aggregate(first=Min("meeting_date"))["first"]
        assert first_meeting.replace(day=1) == book.opening_date
        officers = group.memberships.exclude(role="member")
        assert set(officers.values_list("joined_date", flat=True)) == {
            group.reactivated_date or group.formed_date
        }


def test_the_books_hold_savings_loans_cash_and_bank_as_the_services_post_them():
    generate(ksm=30, book_months=12)

    lines = JournalLine.objects.filter(book__group__in=synthetic_groups())
    roles = set(lines.values_list("account__role", flat=True).distinct())
    assert {
        "cash",
        "bank",
        "savings_principal",
        "savings_mandatory",
        "savings_voluntary",
        "loans_receivable",
        "income_interest",
        "income_admin",
        "expense_meeting",
    } <= roles
    kinds = set(JournalEntry.objects.values_list("kind", flat=True).distinct())
    assert {"meeting", "savings_deposit", "loan_disbursement", "cash_out", "bank_transfer"} <= kinds
    # Simpanan pokok once per member, on the member's own sub-ledger.
    pokok = lines.filter(account__role="savings_principal")
    assert pokok.filter(member__isnull=True).count() == 0
    assert pokok.values("member_id").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    loans = Loan.objects.filter(book__group__in=synthetic_groups())
    assert loans.filter(status="active").exists() and loans.filter(status="paid").exists()
    assert not loans.filter(status="paid", balance__gt=0)


def test_the_services_carry_on_where_the_generated_books_end():
    generate(ksm=12, book_months=12)
    loan = Loan.objects.filter(status="active").order_by("pk").first()
    book = loan.book
    today = timezone.localdate()
    last = BookYear.objects.get(book=book, year=today.year).last_number

    posted = cash_receive(
        book=book,
        source="income_business",
        amount="125000",
        entry_date=today,
        description="Hasil usaha",
    )
    due = loan_position(loan, today).interest_current or loan.balance
    loan_repay(loan=loan, amount=due, paid_date=today)

    assert posted.entry.number == last + 1
    assert "every invariant holds" in verify_books()


def test_one_ksm_of_the_run_gets_the_big_book_over_several_years():
    generate(ksm=12, book_months=12, big_book_lines=12_000, big_book_years=2)

    big = Book.objects.get(group__name=BIG_BOOK_KSM_NAME)
    assert 11_999 <= JournalLine.objects.filter(book=big).count() <= 12_000
    assert big.meetings.count() == 24
    assert (timezone.localdate() - big.opening_date).days > 700
    others = Book.objects.exclude(pk=big.pk).annotate(n=Count("entries__lines"))
    assert max(others.values_list("n", flat=True)) < 1_500
    assert "every invariant holds" in verify_books()


def test_reset_deletes_the_synthetic_books_too(ksm):
    generate(ksm=10, book_months=12)
    assert JournalLine.objects.exists()

    generate(ksm=0, reset=True)

    assert not Book.objects.exists()
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()
    assert not Loan.objects.exists()
    assert SelfHelpGroup.objects.filter(pk=ksm.pk).exists()


def test_without_books_ksm_may_have_started_this_year():
    generate(ksm=300)

    assert not Book.objects.exists()
    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    started = Q(formed_date__gt=year_ago) | Q(reactivated_date__gt=year_ago)
    assert synthetic_groups().filter(started).exists()
