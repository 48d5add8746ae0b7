"""Every write to the books goes through these functions."""

from .accounts import account_create, account_deactivate, account_update  # noqa: F401
from .bank import (  # noqa: F401
    bank_accounts,
    bank_charge_record,
    bank_interest_record,
    bank_record,
    bank_tax_record,
)
from .loans import (  # noqa: F401
    Allocation,
    account_balance,
    borrowing_record,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_provision,
    loan_reject,
    loan_repay,
    loan_reschedule,
    loan_write_off,
    party_savings,
    repayment_allocate,
    repayment_lines,
)
from .opening import OpeningLoan, opening_balances_post  # noqa: F401
from .periods import period_close, period_reopen, year_end_close  # noqa: F401
from .posting import (  # noqa: F401
    Line,
    Posted,
    account_for,
    book_open,
    clean_amount,
    entry_reverse,
    journal_post,
    member_balance,
)
from .prepayment import loan_prepayment_replan  # noqa: F401
from .treasurer import (  # noqa: F401
    CASH_IN_SOURCES,
    CASH_OUT_CATEGORIES,
    SAVINGS_TYPES,
    bank_transfer,
    cash_pay,
    cash_receive,
    savings_deposit,
    savings_withdraw,
)
