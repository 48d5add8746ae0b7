"""Sharing a closed year's surplus: a cooperative's SHU, a BUMDes's profit with the village's
share (PADes), and paying the shares out.

The members' meeting (RAT) or the village meeting sets the percentages. `surplus_allocate`
works every part and every member KSM's share out to the rupiah; the preview page shows it
and `surplus_distribute` posts exactly that (it recomputes under the book's lock, and a
preview's digest that no longer matches is refused instead of posting other figures).

Rounding, to whole rupiah:
1. Each part except the reserve is the surplus * its percentage / 100, rounded down to a
   whole rupiah. The reserve takes the rest: its own percentage and every part's remainder,
   cents of the surplus included. With a 0% reserve the rest goes to the largest part
   instead (the first in the order of the form on a tie).
2. The members' part splits into a pool by transactions (JUA): the part * the JUA
   percentage / 100, rounded down; and a pool by savings (JMA): the rest of the part.
3. In each pool a member KSM's share is the pool * its figure / all member KSM's figures,
   rounded down; the pool's remainder goes to the KSM with the largest share (the first by
   name on a tie). When no KSM has any transactions (or any savings) the whole members' part
   goes by the other figure; when neither, the distribution is refused.

A member KSM's transactions are the interest, fines and loan admin fees it paid in the year
(the lines of its loans on those income accounts) plus business income lines that name it;
its savings are its pokok, wajib and sukarela balances on 31 December. KSM that have left
the cooperative get no share.
"""

from .allocation import (  # noqa: F401
    HUNDRED,
    PART_LABELS,
    PERCENT_FIELDS,
    SOURCES,
    TRANSACTION_ROLES,
    Allocation,
    PartAmount,
    ShareAmount,
    _split,
    available_parts,
    check_percentages,
    member_figures,
    surplus_allocate,
)
from .distribute import distribution_percentages, surplus_distribute, surplus_plan_save  # noqa: F401
from .payment import pades_pay, surplus_pay  # noqa: F401
from .years import closed_years_surplus, year_closed, year_end_date, year_surplus  # noqa: F401
