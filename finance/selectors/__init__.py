"""Reads over the books. Balances come from the monthly totals the posting service keeps
(AccountMonth), topped up with the journal lines of a partial month at either end of a
range, so a report's cost grows with the months and accounts, not with the book's lines."""

from .balances import *  # noqa: F403
from .ledgers import *  # noqa: F403
from .notes import *  # noqa: F403
from .statements import *  # noqa: F403
from .statements import _totals_of_ranges  # noqa: F401  (tests tie it to the lines)
