"""Sharing a closed year's surplus: a cooperative's SHU among its member KSM, a KSM's SHU
among its members at the RAT, a BUMDes's profit with the village's share (PADes), and paying
the shares out.

The members' meeting (RAT) or the village meeting sets the percentages. `surplus_allocate`
works every part and every member's share out to the rupiah; the preview page shows it and
`surplus_distribute` posts exactly that (it recomputes under the book's lock, and a
preview's digest that no longer matches is refused instead of posting other figures).

Rounding, to whole rupiah:
1. Each part except the reserve is the surplus * its percentage / 100, rounded down to a
   whole rupiah. The reserve takes the rest: its own percentage and every part's remainder,
   cents of the surplus included. With a 0% reserve the rest goes to the largest part
   instead (the first in the order of the form on a tie).
2. A cooperative's members' part splits into a pool by transactions (JUA): the part * the
   JUA percentage / 100, rounded down; and a pool by savings (JMA): the rest of the part.
   When no KSM has any transactions (or any savings) the whole members' part goes by the
   other figure; when neither, the distribution is refused. A KSM's meeting sets the two
   pools itself: the part by participation (jasa usaha) and the part by savings (jasa
   modal); a pool nobody has a figure for is refused.
3. In each pool a member's share is the pool * their figure / all members' figures, by
   largest remainder: rounded down, then the rupiahs left one each to the shares that lost
   the most in rounding (the first by name on a tie), so the shares add up to the pool.

In a cooperative's books the members' part follows the rules kept per year on the
distribution (`Rules`; docs/rat-rules.md states each with its source). By default: a member
KSM's transactions (JUA) are the interest and loan admin fees it paid in the year plus
business income lines naming it, never fines; the surplus in proportion to the income that
names no member goes to the reserve (rounded down; the percentages share the rest); its
savings (JMA) are its pokok and wajib, the average of the twelve month-end balances of the
year; and every KSM that was a member during the year shares, one that has left through an
SHU payable line naming it (a journal rule of `journal.py` allows it). A KSM member's
participation is the interest and admin fees paid on their loans in the year (not fines);
their savings are their pokok and wajib on 31 December. Members who have left get no share.
"""

from . import journal  # noqa: F401  (registers the rule for former members' SHU lines)
from .allocation import (  # noqa: F401
    CAPITAL_SAVINGS_ROLES,
    HUNDRED,
    KSM_PARTS,
    MEMBER_PARTS,
    PART_LABELS,
    PARTICIPATION_ROLES,
    PERCENT_FIELDS,
    SOURCES,
    TRANSACTION_ROLES,
    Allocation,
    PartAmount,
    Rules,
    ShareAmount,
    _split,
    available_parts,
    check_percentages,
    member_figures,
    part_roles,
    surplus_allocate,
)
from .distribute import (  # noqa: F401
    distribution_percentages,
    distribution_rules,
    surplus_distribute,
    surplus_plan_save,
)
from .payment import pades_pay, surplus_pay  # noqa: F401
from .years import closed_years_surplus, year_closed, year_end_date, year_surplus  # noqa: F401
