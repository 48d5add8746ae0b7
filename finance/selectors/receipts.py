"""What a receipt for a savings deposit, a withdrawal or cash received shows: who paid or was
paid, the amount, and for savings the saver's balance on that account right after the entry.

Read for one entry: its lines, and the saver's lines on one account up to it (the member or
party-group line indexes), never a whole book."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from ..models import ZERO, Account, EntryKind, JournalEntry, JournalLine
from ..terbilang import terbilang

RECEIPT_KINDS = (EntryKind.SAVINGS_DEPOSIT, EntryKind.SAVINGS_WITHDRAWAL, EntryKind.CASH_IN)


@dataclass(frozen=True)
class Receipt:
    entry: JournalEntry
    amount: Decimal
    words: str
    saver: str  # the member's or member KSM's name; blank for cash received
    account: Account | None  # the savings account, for a deposit or withdrawal
    balance_after: Decimal | None
    treasurer: str
    paid_in: bool  # money came in (a deposit, cash received) rather than went out


def has_receipt(entry: JournalEntry) -> bool:
    return entry.kind in RECEIPT_KINDS


def _balance_after(entry: JournalEntry, line: JournalLine) -> Decimal:
    """The saver's balance on the line's account after this entry: entries are in date order,
    and on one day in the order they were made."""
    lines = JournalLine.objects.filter(account=line.account).filter(
        Q(entry_date__lt=entry.entry_date) | Q(entry_date=entry.entry_date, entry_id__lte=entry.pk)
    )
    if line.member_id:
        lines = lines.filter(member_id=line.member_id)
    else:
        lines = lines.filter(party_group_id=line.party_group_id)
    totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return ((totals["debit"] or ZERO) - (totals["credit"] or ZERO)) * line.account.sign


def receipt_for(entry: JournalEntry) -> Receipt | None:
    """The receipt of an entry, or None for kinds that have none."""
    if not has_receipt(entry):
        return None
    lines = list(entry.lines.select_related("account", "member", "party_group").order_by("id"))
    amount = sum((line.debit for line in lines), ZERO)
    saver_line = next((line for line in lines if line.member_id or line.party_group_id), None)
    saver, account, balance = "", None, None
    if saver_line is not None:
        saver = saver_line.member.full_name if saver_line.member_id else saver_line.party_group.name
        if entry.kind != EntryKind.CASH_IN:
            account = saver_line.account
            balance = _balance_after(entry, saver_line)
    poster = entry.posted_by
    treasurer = (poster.get_full_name() or poster.username) if poster else ""
    return Receipt(
        entry=entry,
        amount=amount,
        words=terbilang(amount),
        saver=saver,
        account=account,
        balance_after=balance,
        treasurer=treasurer,
        paid_in=entry.kind != EntryKind.SAVINGS_WITHDRAWAL,
    )
