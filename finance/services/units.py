"""A BUMDes's business units (unit usaha): each one an income and an expense account of the
BUMDes's own books, so a unit's results are reported apart and still add up to the whole."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ksm_portal.services_base import validated_save

from ..models import Account, AccountType, Book, BusinessUnit
from .accounts import account_create
from .posting import _lock_book

NAME_MAX = 80


def _heading(book: Book, type_: str, code: str) -> Account | None:
    """The chart's top heading of a type ("4 Pendapatan", "5 Beban")."""
    headings = book.accounts.filter(type=type_, is_header=True, parent__isnull=True)
    return headings.filter(code=code).first() or headings.order_by("code").first()


def _next_code(book: Book, heading: Account | None, prefix: str) -> str:
    """The next free code under a heading: 4.06, 4.07, ... (two digits, more when needed)."""
    base = heading.code if heading is not None else prefix
    pattern = re.compile(rf"^{re.escape(base)}\.(\d+)$")
    used = [
        int(match[1])
        for code in book.accounts.filter(code__startswith=f"{base}.").values_list("code", flat=True)
        if (match := pattern.match(code))
    ]
    return f"{base}.{max(used, default=0) + 1:02d}"


@transaction.atomic
def business_unit_create(*, book: Book, name: str, actor=None) -> BusinessUnit:
    """Add a business unit to a BUMDes's books, with its accounts "Pendapatan Unit <name>"
    under the income heading and "Beban Unit <name>" under the expense heading. Those who may
    edit the chart of accounts (staff, the village's facilitators) add units."""
    book = _lock_book(book)  # the next account codes are read and used under the book's lock
    if book.kind != Book.Kind.BUMDES:
        raise ValidationError(_("Business units belong to a BUMDes's books."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the unit a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("A unit's name has at most %(count)s characters.") % {"count": NAME_MAX}}
        )
    if BusinessUnit.objects.filter(book=book, name__iexact=name).exists():
        raise ValidationError({"name": _("This BUMDes already has a unit with this name.")})
    accounts = []
    for type_, prefix, label in (
        (AccountType.INCOME, "4", "Pendapatan Unit"),
        (AccountType.EXPENSE, "5", "Beban Unit"),
    ):
        heading = _heading(book, type_, prefix)
        accounts.append(
            account_create(
                book=book,
                code=_next_code(book, heading, prefix),
                name=f"{label} {name}",  # the book's data, in Bahasa Indonesia like its chart
                type=type_,
                parent=heading,
                actor=actor,
            )
        )
    unit = BusinessUnit(
        book=book, name=name, income_account=accounts[0], expense_account=accounts[1]
    )
    return validated_save(unit)
