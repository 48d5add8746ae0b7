"""The bank's own entries on a group's account: the interest it pays in, the charges it takes
out, and the tax it withholds on the interest. Each debits or credits the bank account the
treasurer chose; the other side is the account the chart keeps for it (by role)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Account, Book, EntryKind
from .posting import Line, Posted, account_for, clean_amount, journal_post

INTEREST, CHARGE, TAX = "interest", "charge", "tax"
# kind: (the account role on the other side, whether the bank receives the money)
KINDS = {
    INTEREST: ("income_other", True),
    CHARGE: ("expense_bank_charges", False),
    TAX: ("expense_tax", False),
}


def bank_accounts(book: Book):
    """The book's bank account: the chart's, the one the journal keeps from going below zero
    (or below its overdraft limit) on any date. An account the treasurer added by hand has no
    role, so the journal cannot tell a second bank from any other asset: it is not offered."""
    return Account.objects.filter(role="bank", book=book, is_active=True, is_header=False).order_by(
        "code"
    )


def _descriptions() -> dict:
    return {
        INTEREST: _("Bank interest, %(account)s"),
        CHARGE: _("Bank charges, %(account)s"),
        TAX: _("Tax on bank interest, %(account)s"),
    }


@transaction.atomic
def bank_record(
    *,
    book: Book,
    kind: str,
    bank_account: Account,
    amount,
    entry_date: datetime.date,
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """One of the bank's entries (`kind`: interest, charge, tax) on the chosen bank account."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of bank entry."))
    if bank_account is None or not bank_accounts(book).filter(pk=bank_account.pk).exists():
        raise ValidationError({"bank_account": _("Choose a bank account of these books.")})
    amount = clean_amount(amount)
    role, into_bank = KINDS[kind]
    other = account_for(book, role)
    bank_line = Line(
        account=bank_account, **({"debit": amount} if into_bank else {"credit": amount})
    )
    other_line = Line(account=other, **({"credit": amount} if into_bank else {"debit": amount}))
    description = " ".join((description or "").split()) or _descriptions()[kind] % {
        "account": bank_account.name
    }
    return journal_post(
        book=book,
        entry_date=entry_date,
        description=description,
        receipt_ref=receipt_ref,
        lines=[bank_line, other_line] if into_bank else [other_line, bank_line],
        kind=EntryKind.BANK_TRANSFER,
        actor=actor,
        token=token,
    )


def bank_interest_record(**kwargs) -> Posted:
    """Interest the bank paid into the account: debit the bank, credit other income."""
    return bank_record(kind=INTEREST, **kwargs)


def bank_charge_record(**kwargs) -> Posted:
    """Charges the bank took from the account: debit bank charges, credit the bank."""
    return bank_record(kind=CHARGE, **kwargs)


def bank_tax_record(**kwargs) -> Posted:
    """Tax the bank withheld on the interest: debit tax expense, credit the bank."""
    return bank_record(kind=TAX, **kwargs)
