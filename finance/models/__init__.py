"""The finance app's models: the books (journal, accounts, maintained totals), member loans and
the group's borrowings, monthly meetings, business units and surplus (SHU) distribution."""

from .books import (  # noqa: F401
    FLOORED_ROLES,
    MONEY,
    ZERO,
    Account,
    AccountDay,
    AccountMonth,
    AccountType,
    Book,
    BookYear,
    EntryKind,
    FiscalPeriod,
    GroupBalance,
    JournalEntry,
    JournalLine,
    MemberBalance,
    NormalBalance,
)
from .figures import BookMonth  # noqa: F401
from .loans import (  # noqa: F401
    LOAN_TOTAL_FIELDS,
    LOAN_TOTALS,
    FineRule,
    Instalment,
    InterestMethod,
    Loan,
    LoanProduct,
    LoanSchedule,
    loan_deltas,
)
from .meetings import Meeting, MeetingLine  # noqa: F401
from .savings import SavingsRule  # noqa: F401
from .surplus import BusinessUnit, SurplusDistribution, SurplusShare  # noqa: F401
