"""Paying shares out of surplus payable (a member's SHU, the village's PADes)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Member, SelfHelpGroup

from ...models import (
    Book,
    EntryKind,
    JournalEntry,
)
from ...money import rupiah
from ...selectors.balances import account_balance_now
from ..posting import (
    Line,
    Posted,
    _lock_book,
    accounts_for,
    clean_amount,
    journal_post,
    member_balance,
)
from ..treasurer import group_balance
from .allocation import SOURCES

# --- Paying shares out -------------------------------------------------------------------------


def _pay(
    *,
    book: Book,
    role: str,
    amount,
    entry_date: datetime.date,
    source: str,
    description: str,
    receipt_ref: str,
    actor,
    token: str | None,
    group: SelfHelpGroup | None = None,
    member: Member | None = None,
    owed_message,
) -> Posted:
    book = _lock_book(book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    if source not in SOURCES:
        raise ValidationError({"source": _("Choose cash or bank.")})
    amount = clean_amount(amount)
    payable, money = accounts_for(book, role, source)
    if member is not None:
        owed = member_balance(book, member, payable)
    elif group is not None:
        owed = group_balance(book, group, payable)
    else:
        owed = account_balance_now(payable)
    if amount > owed:
        raise ValidationError({"amount": owed_message(rupiah(owed))})
    available = account_balance_now(money)
    if amount > available:
        raise ValidationError(
            {
                "source": _("There is only %(available)s to pay with.")
                % {"available": rupiah(available)}
            }
        )
    return journal_post(
        book=book,
        entry_date=entry_date,
        description=description,
        receipt_ref=receipt_ref,
        lines=[
            Line(account=payable, debit=amount, group=group, member=member),
            Line(account=money, credit=amount),
        ],
        kind=EntryKind.SURPLUS_PAYMENT,
        actor=actor,
        token=token,
    )


@transaction.atomic
def surplus_pay(
    *,
    book: Book,
    group: SelfHelpGroup | None = None,
    member: Member | None = None,
    amount,
    entry_date: datetime.date,
    source: str = "cash",
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Pay a member (some of) their SHU share, from cash or the bank: a cooperative's member
    KSM (`group`) or a KSM's member (`member`); never more than is owed."""
    if (group is None) == (member is None):
        raise ValidationError(_("Choose who is paid."))
    name = member.full_name if member is not None else group.name
    return _pay(
        book=book,
        role="surplus_payable",
        group=group,
        member=member,
        amount=amount,
        entry_date=entry_date,
        source=source,
        description=description or _("SHU paid to %(group)s") % {"group": name},
        receipt_ref=receipt_ref,
        actor=actor,
        token=token,
        owed_message=lambda owed: (
            _("%(group)s is owed only %(owed)s of SHU.") % {"group": name, "owed": owed}
        ),
    )


@transaction.atomic
def pades_pay(
    *,
    book: Book,
    amount,
    entry_date: datetime.date,
    source: str = "cash",
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Pay the village its share of the BUMDes's profit (PADes): never more than is owed."""
    return _pay(
        book=book,
        role="pades_payable",
        amount=amount,
        entry_date=entry_date,
        source=source,
        description=description or _("Village's share of profit (PADes) paid to the village"),
        receipt_ref=receipt_ref,
        actor=actor,
        token=token,
        owed_message=lambda owed: _("The village is owed only %(owed)s.") % {"owed": owed},
    )
