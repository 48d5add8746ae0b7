"""A second look at an unusual amount, before anything is posted.

An amount is unusual when it is more than ten times the most the book has moved through one
account in one month (`largest_month_turnover`, a cheap stand-in for its largest entry so
far, read from the monthly totals), and more than `FLOOR` in any case, so a young book's
first real entries are not questioned. The form then comes back with a warning naming the
amount and why, and a "Ya, jumlahnya benar" box; the entry posts once that box is ticked for
that very amount. The check belongs to the forms, not to posting: imports and services post
what they are given."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ..money import rupiah
from ..selectors.amounts import largest_month_turnover

TIMES = 10
FLOOR = Decimal("10000000")  # Rp 10.000.000: more than most KSM move in a month


@dataclass(frozen=True)
class Unusual:
    amount: Decimal
    message: str

    @property
    def key(self) -> str:
        """What the confirming box sends: the amount it confirms, so changing the amount
        after ticking the box asks again."""
        return f"{self.amount:f}"


def unusual_amount(book, amount: Decimal) -> Unusual | None:
    if amount <= FLOOR:
        return None
    largest = largest_month_turnover(book)
    if amount <= largest * TIMES:
        return None
    if largest * TIMES > FLOOR:
        reason = _(
            "%(amount)s is more than ten times the most these books have moved through one "
            "account in a month so far (%(largest)s)."
        ) % {"amount": rupiah(amount), "largest": rupiah(largest)}
    else:
        reason = _(
            "%(amount)s is more than %(floor)s, and these books have moved at most "
            "%(largest)s through one account in a month so far."
        ) % {"amount": rupiah(amount), "floor": rupiah(FLOOR), "largest": rupiah(largest)}
    return Unusual(
        amount=amount,
        message=reason
        + " "
        + _("Check the amount. If it is right, tick the box below and send the form again."),
    )
