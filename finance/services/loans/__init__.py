"""Loans, from application to payoff or write-off, and the group's own borrowings.

Every money movement is one balanced entry through `journal_post`, with the loan on its lines;
this module registers with the journal the rules that keep each loan's running totals (and
its status after a reversal), so the journal itself knows nothing of loans. A repayment is
split fine → interest → principal by `finance.schedule.allocate` against the loan's position,
worked out under the book's row lock so two repayments of one loan cannot both take the same
instalment.
"""

from . import journal  # noqa: F401  (registers the loans' rules with the journal)
from .applications import (  # noqa: F401
    _check_borrower,
    _next_loan_number,
    loan_apply,
    loan_approve,
    loan_check_date_order,
    loan_reject,
    party_savings,
)
from .arrears import (  # noqa: F401
    loan_provision,
    loan_reschedule,
    loan_write_off,
)
from .disbursement import (  # noqa: F401
    FIRST_DUE_WITHIN_MONTHS,
    _schedule_create,
    account_balance,
    borrowing_record,
    loan_disburse,
)
from .helpers import (  # noqa: F401
    SAVINGS_ROLES,
    SOURCES,
)
from .products import (  # noqa: F401
    loan_product_save,
)
from .repayment import (  # noqa: F401
    Allocation,
    loan_after_repayment,
    loan_close_if_paid,
    loan_repay,
    repayment_allocate,
    repayment_lines,
)
from .reversals import (  # noqa: F401
    LOAN_STARTS,
    loan_reversal_check,
    loan_status_after_reversal,
)
