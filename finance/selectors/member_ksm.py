"""Who sees which member KSM inside a BUMDes's or a cooperative's books: the one rule
(`Scope.sees_every_member_ksm`, shared with the cooperative's member list), applied.

The entity's books are shared: a KSM officer or a facilitator who may open them (because a KSM
they see is a member) must still see only the member KSM in their own sight, that is their own
KSM or the KSM of their villages, in every line, statement, total and export that names a
KSM. The entity's own officers and staff who see all regions see every member KSM.

Every page of an entity's books that shows per-KSM figures narrows through these functions,
and answers 404 for a KSM out of sight (as the KSM's own pages do). The journal shows such a
user the entries of their KSM only; the cash book and the ledgers, whose running balances
cannot leave lines out, are the entity's own (404 for them).
"""

from django.db.models import Exists, OuterRef, Q

from groups.models import Member, SelfHelpGroup
from ksm_portal.scope import user_scope

from ..models import Book, JournalLine


def sees_every_member_ksm(user, book: Book) -> bool:
    """Whether the user sees every member KSM's figures in the book (no query: the scope)."""
    if book.kind == Book.Kind.KSM:
        return True  # a KSM's own books name no member KSM
    return user_scope(user).sees_every_member_ksm(
        cooperative_id=book.cooperative_id, bumdes_id=book.bumdes_id
    )


def member_ksm_visible_to(user, book: Book):
    """The KSM whose figures the user may read in the book: every KSM for those who see them
    all, otherwise the KSM the user sees anywhere (their own, their villages')."""
    if sees_every_member_ksm(user, book):
        return SelfHelpGroup.objects.all()
    return SelfHelpGroup.objects.visible_to(user)


def member_ksm_rows(rows, user, book: Book, through: str = "group"):
    """`rows` (balances, loans, shares: anything naming a KSM by `through`) narrowed to the
    member KSM the user may read in the book; unchanged for those who see them all."""
    if sees_every_member_ksm(user, book):
        return rows.all()
    return rows.filter(**{f"{through}__in": SelfHelpGroup.objects.visible_to(user)})


def member_ksm_loans(loans, user, book: Book):
    """A book's loans narrowed to what the user may read: the entity's own borrowings stay;
    of what it lent, only the loans to a member KSM (or a KSM's member) in the user's sight."""
    if sees_every_member_ksm(user, book):
        return loans.all()
    return loans.filter(
        Q(direction="payable")
        | Q(borrower_group__in=SelfHelpGroup.objects.visible_to(user))
        | Q(member__in=Member.objects.visible_to(user))
    )


def member_ksm_people(members, user, book: Book):
    """`members` (people holding balances in the book) narrowed to the members of the KSM in
    the user's sight, for those who do not see every member KSM."""
    if sees_every_member_ksm(user, book):
        return members.all()
    return members.filter(pk__in=Member.objects.visible_to(user).values("pk"))


def member_ksm_entries(entries, user, book: Book):
    """A book's journal entries narrowed for those who do not see every member KSM: the
    entries naming a KSM (or a KSM's member) in their sight and none out of it."""
    if sees_every_member_ksm(user, book):
        return entries.all()
    groups = SelfHelpGroup.objects.visible_to(user)
    members = Member.objects.visible_to(user)
    lines = JournalLine.objects.filter(entry_id=OuterRef("pk"))
    named = lines.filter(
        Q(party_group__in=groups) | Q(loan__borrower_group__in=groups) | Q(member__in=members)
    )
    foreign = lines.filter(
        (Q(party_group__isnull=False) & ~Q(party_group__in=groups))
        | (Q(loan__borrower_group__isnull=False) & ~Q(loan__borrower_group__in=groups))
        | (Q(member__isnull=False) & ~Q(member__in=members))
    )
    return entries.filter(Exists(named)).exclude(Exists(foreign))
