"""A KSM's savings rules as the forms and the meeting sheet read them: the rule in force on a
date, and what simpanan pokok a member still owes under it."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from groups.models import Member, SelfHelpGroup

from ..models import ZERO, Account, Book, GroupBalance, MemberBalance, SavingsRule


def rule_in_force(book: Book, on_date: datetime.date) -> SavingsRule | None:
    return SavingsRule.objects.in_force(book, on_date)


def book_rules(book: Book):
    """A book's rules, the latest first (paginate it)."""
    return SavingsRule.objects.filter(book=book).select_related("set_by").order_by("-valid_from")


@dataclass(frozen=True)
class PokokDue:
    held: Decimal  # the pokok the member has paid and not been paid back
    rule: Decimal | None  # the group's pokok on the date, when a rule is set
    # What may still be paid in: the rule's amount less what is held; None when no rule is
    # set and nothing is held (any first pokok is accepted).
    due: Decimal | None

    @property
    def paid_in_full(self) -> bool:
        return self.held > 0 and self.due is not None and self.due <= 0


def pokok_held(account: Account, *, member: Member | None = None, group=None) -> Decimal:
    """The simpanan pokok a saver holds: once paid, it stays until the membership ends and
    the exit settlement pays it back (so a member who rejoins pays it again)."""
    if member is not None:
        rows = MemberBalance.objects.filter(account=account, member=member)
    else:
        rows = GroupBalance.objects.filter(account=account, group=group)
    row = rows.values_list("debit", "credit").first()
    return ZERO if row is None else (row[1] - row[0])


def pokok_due(
    book: Book,
    account: Account,
    on_date: datetime.date,
    *,
    member: Member | None = None,
    group: SelfHelpGroup | None = None,
) -> PokokDue:
    held = pokok_held(account, member=member, group=group)
    rule = rule_in_force(book, on_date)
    if rule is None or not rule.pokok:
        return PokokDue(held=held, rule=None, due=ZERO if held > 0 else None)
    return PokokDue(held=held, rule=rule.pokok, due=max(rule.pokok - held, ZERO))
