"""What every spreadsheet the portal reads or writes shares: a cell a spreadsheet program would
run as a formula is refused on import and written as plain text on export."""

import re

# Starting with = or @, or with + or - followed by more than a plain number (so "+62 812-3456"
# and "-1500" are data, "+cmd|..." and "-2+3" are not).
FORMULA = re.compile(r"^\s*(?:[=@]|[+\-](?![\d\s.,()\-]*$))")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and bool(FORMULA.match(value))
