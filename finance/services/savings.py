"""A KSM's savings rules, set by its treasurer or facilitator in the book's settings."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ksm_portal.services_base import row_clean

from ..models import ZERO, Book, SavingsRule
from .accounts import chart_editable_by
from .posting import MAX_AMOUNT


def savings_rule_editable_by(user, book: Book) -> bool:
    """The treasurer (who posts to the book), the village's facilitators and staff."""
    if book.kind != Book.Kind.KSM:
        return False
    return book.is_postable_by(user) or chart_editable_by(user, book)


def _amount(value, field: str) -> Decimal:
    amount = Decimal(value if value is not None else ZERO)
    if amount < 0:
        raise ValidationError({field: _("Savings amounts cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount


@transaction.atomic
def savings_rule_set(
    *,
    book: Book,
    valid_from: datetime.date,
    pokok,
    wajib,
    actor=None,
) -> SavingsRule:
    """The group's pokok and wajib from a date on. A rule for the same date is changed (its
    history kept); an earlier rule keeps applying to the dates before."""
    if actor is not None and not savings_rule_editable_by(actor, book):
        raise PermissionDenied(_("You may not change the savings rules of these books."))
    if book.kind != Book.Kind.KSM:
        raise ValidationError(_("Only a KSM's books have savings rules."))
    if valid_from < book.opening_date:
        raise ValidationError(
            {
                "valid_from": _("The books opened on %(date)s; the date cannot be earlier.")
                % {"date": book.opening_date.strftime("%d-%m-%Y")}
            }
        )
    fields = {"pokok": _amount(pokok, "pokok"), "wajib": _amount(wajib, "wajib")}
    if getattr(actor, "is_authenticated", False):
        fields["set_by"] = actor
    rule = SavingsRule.objects.select_for_update().filter(book=book, valid_from=valid_from).first()
    if rule is None:
        rule = SavingsRule(book=book, valid_from=valid_from)
    for name, value in fields.items():
        setattr(rule, name, value)
    row_clean(rule)
    rule.save()
    return rule
