"""The demo's early 2018: the cooperatives close 2017 and hold their members' meeting (RAT),
which shares out the year's surplus (SHU); the KSM with a treasurer's login record their
January to March meetings on the meeting sheet, loan instalments included.

Each cooperative's 2017 gets its business income first (its fertiliser and seed sales), so
that the year closes with a surplus. The RAT of each cooperative with a surplus decides
reserve 40%, members' services 40% (60% of it by transactions, JUA, 40% by savings, JMA),
board 5%, staff 5%, education 5%, social 5%, on 24 February 2018; a KSM needs savings or
loan transactions in the cooperative to share, so the demo's cooperatives first take in their
member KSM's simpanan pokok and wajib.

The meetings: on each KSM's meeting day, the members who came (about nine in ten) pay their
usual wajib, some add sukarela, and borrowers pay the instalment the sheet prefills.
Deterministic and idempotent like the rest of the demo.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from groups.models import CooperativeMembership

from .demo_loans import groups_with_treasurer_login, treasurer_login
from .models import Book, EntryKind, JournalEntry, Meeting
from .selectors.meetings import meeting_sheet
from .services import cash_receive, period_close, savings_deposit, year_end_close
from .services.meetings import SheetLine, meeting_record
from .services.surplus import surplus_distribute, year_surplus

YEAR = 2017
RAT = datetime.date(2018, 2, 24)
SHARES = {
    "reserve_pct": Decimal(40),
    "members_pct": Decimal(40),
    "board_pct": Decimal(5),
    "staff_pct": Decimal(5),
    "education_pct": Decimal(5),
    "social_pct": Decimal(5),
}


def _cooperative_year_end(book: Book, rng: random.Random, actor) -> Counter:
    created = Counter()
    members = CooperativeMembership.objects.filter(
        cooperative_id=book.cooperative_id, left_date=None
    ).select_related("group")
    for membership in members.order_by("group__registration_number"):
        day = max(book.opening_date, membership.joined_date)
        if day.year > YEAR:
            continue
        for role, amount in (("savings_principal", 100_000), ("savings_mandatory", 60_000)):
            savings_deposit(
                book=book,
                group=membership.group,
                savings_type=role,
                amount=amount,
                entry_date=day,
                description=f"Simpanan {'pokok' if role == 'savings_principal' else 'wajib'} "
                f"{membership.group.name}",
                actor=actor,
            )
            created["journal entry"] += 1
    cash_receive(
        book=book,
        source="income_business",
        amount=rng.randrange(30, 61) * 100_000,
        entry_date=datetime.date(YEAR, 12, 15),
        description="Keuntungan unit usaha pupuk dan benih 2017",
        actor=actor,
    )
    created["journal entry"] += 1
    month = book.opening_date.replace(day=1)
    while month.month < 12 and month.year == YEAR:
        period_close(book=book, month=month, actor=None)
        month = month.replace(month=month.month + 1)
    year_end_close(book=book, year=YEAR, actor=None)
    created["journal entry"] += 2
    if year_surplus(book, YEAR) > 0:
        surplus_distribute(
            book=book, year=YEAR, decided_date=RAT, transactions_pct=Decimal(60), **SHARES
        )
        created["surplus distribution"] += 1
        created["journal entry"] += 1
    return created


def _meetings(book: Book, rng: random.Random, actor) -> Counter:
    created = Counter()
    day_of_month = min(book.group.meeting_day or 10, 28)
    for month in (1, 2, 3):
        day = datetime.date(2018, month, day_of_month)
        sheet = meeting_sheet(book, day)
        lines = []
        for row in sheet.rows:
            present = rng.random() < 0.9
            voluntary = rng.choice((0, 0, 0, 5_000, 10_000, 20_000)) if present else 0
            lines.append(
                SheetLine(
                    member=row.member,
                    present=present,
                    mandatory=row.wajib if present else Decimal(0),
                    voluntary_in=Decimal(voluntary),
                    repayment=row.instalment_due if present and row.loan else Decimal(0),
                )
            )
        recorded = meeting_record(
            book=book,
            meeting_date=day,
            lines=lines,
            token=f"demo-meeting-{book.pk}-{day:%Y%m%d}",
            actor=actor,
            notes="Rapat bulanan di rumah ketua",
        )
        created["meeting"] += 1
        created["journal entry"] += recorded.meeting.lines.filter(entry__isnull=False).count()
    return created


def demo_2018_load(*, actor, seed: int) -> Counter:
    created = Counter()
    done = set(
        JournalEntry.objects.filter(kind=EntryKind.YEAR_END, year=YEAR).values_list(
            "book_id", flat=True
        )
    )
    for book in Book.objects.filter(cooperative__isnull=False).order_by("pk"):
        if book.pk not in done and book.opening_date.year <= YEAR:
            rng = random.Random(f"{seed}:rat:{book.cooperative.name}")
            created.update(_cooperative_year_end(book, rng, actor))
    met = set(Meeting.objects.values_list("group_id", flat=True))
    books = Book.objects.filter(group_id__in=groups_with_treasurer_login()).select_related(
        "group__village"
    )
    for book in books.order_by("group__village__code", "group__registration_number"):
        if book.group_id in met:
            continue
        group = book.group
        rng = random.Random(f"{seed}:meetings:{group.village.code}:{group.registration_number}")
        created.update(_meetings(book, rng, treasurer_login(book) or actor))
    return created
