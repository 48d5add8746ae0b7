"""The demo's lending in 2017, posted through the loan services after the year's savings.

Every third KSM, and every KSM whose treasurer has a demo login, lends to its members on a
product of its own (flat 1.5% a month, 1% admin fee, Rp 2.500 a late instalment after three
days' grace, up to three times the member's savings): one loan paid off, one current, one late
(two instalments paid, then nothing: more than 90 days past due by the end of the year), and
in every ninth KSM one written off against a reserve set aside in November. Amounts stay
within a quarter of the group's year-end cash, and loans go out from July, when the cash box
has filled, so the cash book never runs dry.

Three BUMDes and the cooperatives lend to a member KSM (declining balance, 1% a month, 12
months, from September); the KSM's books show the same loan as their borrowing, and both
sides record the instalments of October to December.

Figures are as the books stood on 31 December 2017: look at the portfolio on that date.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from groups.models import CooperativeMembership, Membership, SelfHelpGroup

from .models import Book, JournalLine, Loan, MemberBalance
from .selectors.loans import loan_position
from .services import (
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_provision,
    loan_repay,
    loan_write_off,
)

YEAR_END = datetime.date(2017, 12, 31)
SAVINGS = ("savings_principal", "savings_mandatory", "savings_voluntary")


def _round_down(value, step=50_000) -> int:
    return int(value) // step * step


def _lowest_from(book: Book, role: str, day: datetime.date) -> int:
    """The lowest the account stands on any day from `day` on: what may still go out on
    `day` without the cash book running dry later."""
    running, lowest = 0, None
    lines = (
        JournalLine.objects.filter(book=book, account__role=role)
        .order_by("entry_date", "entry_id", "id")
        .values_list("entry_date", "debit", "credit")
    )
    for entry_date, debit, credit in lines:
        running += int(debit - credit)
        if entry_date >= day:
            lowest = running if lowest is None else min(lowest, running)
    return running if lowest is None else lowest


def _pay_instalments(loan: Loan, count: int, actor, late_days: int = 0) -> int:
    """Pay the first `count` instalments of the loan's schedule, each on its due date."""
    schedule = loan.schedules.get(version=1)
    posted = 0
    for instalment in schedule.instalments.order_by("number")[:count]:
        day = instalment.due_date + datetime.timedelta(days=late_days)
        if day > YEAR_END:
            break
        loan.refresh_from_db()
        if loan.status != Loan.Status.ACTIVE:
            break
        owed = loan_position(loan, day)
        amount = min(owed.payoff, instalment.amount + owed.fines_due)
        loan_repay(loan=loan, amount=amount, paid_date=day, actor=actor)
        posted += 1
    return posted


def groups_with_treasurer_login() -> set[int]:
    """The KSM whose treasurer has a demo login: a newcomer's first look, so they get the
    loans and meeting sheets."""
    return set(
        Membership.objects.active()
        .filter(role=Membership.Role.TREASURER, member__user__isnull=False)
        .values_list("group_id", flat=True)
    )


def treasurer_login(book: Book):
    """The KSM treasurer's own login posts to their book, where the demo gave them one."""
    treasurer = (
        Membership.objects.active()
        .filter(group_id=book.group_id, role=Membership.Role.TREASURER)
        .select_related("member__user")
        .first()
    )
    user = treasurer.member.user if treasurer else None
    return user if user is not None and user.is_active else None


def _ksm_loans(book: Book, rng: random.Random, actor, write_off: bool) -> Counter:
    created = Counter()
    group = book.group
    memberships = list(Membership.objects.active().filter(group=group).select_related("member"))
    chair = next((m.member for m in memberships if m.role == Membership.Role.CHAIR), None)
    if chair is None:
        return created
    actor = treasurer_login(book) or actor
    savings = Counter()
    for row in MemberBalance.objects.filter(book=book, account__role__in=SAVINGS).values(
        "member_id", "debit", "credit"
    ):
        savings[row["member_id"]] += int(row["credit"] - row["debit"])
    borrowers = [
        m.member for m in memberships if m.member != chair and savings[m.member_id] >= 100_000
    ]
    rng.shuffle(borrowers)
    product = loan_product_save(
        book=book,
        name="Pinjaman Usaha Anggota",
        interest_method="flat",
        monthly_rate=Decimal("1.5"),
        max_term_months=12,
        admin_fee_percent=Decimal("1"),
        fine_rule="fixed",
        fine_value=Decimal(2_500),
        grace_days=3,
        max_savings_multiple=Decimal("3"),
    )
    created["loan product"] += 1
    # (months after July, term, instalments paid, written off)
    plans = [(0, 5, 5, False), (1, 10, 4, False), (0, 10, 2, False)]
    if write_off:
        plans.append((0, 6, 1, True))
    day = min(group.meeting_day or 10, 28)
    for (offset, term, paid, lost), member in zip(plans, borrowers, strict=False):
        applied = datetime.date(2017, 7 + offset, day)
        cash = _lowest_from(book, "cash", applied)
        amount = _round_down(min(3 * savings[member.pk], cash // 4, 2_000_000))
        if amount < 200_000:
            continue
        loan = loan_apply(
            book=book,
            product=product,
            member=member,
            principal=amount,
            term_months=term,
            purpose=rng.choice(
                ("Modal warung", "Beli bibit dan pupuk", "Tambah ternak", "Modal dagang")
            ),
            applied_date=applied,
            actor=actor,
        )
        loan_approve(loan=loan, decided_date=applied, approved_by_member=chair, actor=actor)
        loan_disburse(loan=loan, disbursed_date=applied, actor=actor)
        created["loan"] += 1
        loan.refresh_from_db()
        created["journal entry"] += 1 + _pay_instalments(loan, paid, actor)
        if lost:
            loan.refresh_from_db()
            loan_provision(
                book=book,
                amount=_round_down(loan.balance // 2, 10_000) or 10_000,
                entry_date=datetime.date(2017, 11, 30),
                description="Penyisihan kerugian piutang (hasil rapat anggota)",
                actor=actor,
            )
            loan_write_off(
                loan=loan,
                entry_date=datetime.date(2017, 12, 20),
                reason="Anggota pindah ke luar kota, tidak dapat ditagih",
                actor=actor,
            )
            created["journal entry"] += 2
    return created


def _lend_to_ksm(book: Book, groups: list[SelfHelpGroup], actor, source: str) -> Counter:
    """A cooperative or BUMDes lends to member KSM that keep books; both sides repay."""
    created = Counter()
    product = loan_product_save(
        book=book,
        name="Pinjaman Modal KSM",
        interest_method="declining",
        monthly_rate=Decimal("1"),
        max_term_months=24,
    )
    created["loan product"] += 1
    for group in groups:
        applied = max(datetime.date(2017, 9, 15), book.opening_date + datetime.timedelta(days=14))
        available = _lowest_from(book, source, applied)
        amount = _round_down(min(available // 3, 5_000_000), 500_000)
        if amount < 500_000:
            break
        borrower_book = Book.objects.get(group=group)
        if applied > datetime.date(2017, 11, 30) or applied < borrower_book.opening_date:
            break
        loan = loan_apply(
            book=book,
            product=product,
            group=group,
            principal=amount,
            term_months=12,
            purpose="Tambahan modal simpan pinjam anggota",
            applied_date=applied,
            actor=actor,
        )
        loan_approve(loan=loan, decided_date=applied, note="Keputusan rapat pengurus", actor=actor)
        loan_disburse(loan=loan, disbursed_date=applied, source=source, actor=actor)
        loan.refresh_from_db()
        created["loan"] += 1
        created["journal entry"] += 2 if loan.counterpart_id else 1
        instalments = loan.schedules.get().instalments.filter(due_date__lte=YEAR_END)
        for instalment in instalments.order_by("number")[:3]:
            for side in (loan.counterpart, loan):
                if side is None:
                    continue
                side.refresh_from_db()
                borrower_side = side.direction == Loan.Direction.PAYABLE
                loan_repay(
                    loan=side,
                    amount=instalment.amount,
                    paid_date=instalment.due_date,
                    source="cash" if borrower_side else source,
                    actor=(treasurer_login(side.book) or actor) if borrower_side else actor,
                )
                created["journal entry"] += 1
    return created


def demo_loans_load(*, actor, seed: int) -> Counter:
    """Lending in the demo's books that offer no loan product yet (idempotent like the
    rest: a second run finds every lending book with its product and writes nothing)."""
    created = Counter()
    ksm_books = (
        Book.objects.filter(group__isnull=False)
        .select_related("group__village")
        .order_by("group__village__code", "group__registration_number")
    )
    done = set(Book.objects.filter(loan_products__isnull=False).values_list("pk", flat=True))
    # The KSM whose treasurers have a demo login lend too, so a newcomer sees loans at once.
    with_login = groups_with_treasurer_login()
    for index, book in enumerate(ksm_books):
        if (index % 3 and book.group_id not in with_login) or book.pk in done:
            continue
        group = book.group
        rng = random.Random(f"{seed}:loans:{group.village.code}:{group.registration_number}")
        created.update(_ksm_loans(book, rng, actor, write_off=index % 9 == 0))
    with_books = set(Book.objects.filter(group__isnull=False).values_list("group_id", flat=True))
    lenders = Book.objects.exclude(pk__in=done)
    for book in lenders.filter(cooperative__isnull=False).order_by("pk"):
        members = (
            CooperativeMembership.objects.filter(cooperative_id=book.cooperative_id, left_date=None)
            .select_related("group")
            .order_by("group__registration_number")
        )
        groups = [m.group for m in members if m.group_id in with_books][:2]
        created.update(_lend_to_ksm(book, groups, actor, "cash"))
    bumdes_books = Book.objects.filter(bumdes__isnull=False).select_related("bumdes__village")
    for book in bumdes_books.order_by("bumdes__village__code")[:3]:
        if book.pk in done:
            continue
        groups = SelfHelpGroup.objects.filter(
            village=book.bumdes.village, pk__in=with_books
        ).order_by("registration_number")[:1]
        created.update(_lend_to_ksm(book, list(groups), actor, "bank"))
    return created
