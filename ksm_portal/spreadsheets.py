"""What every spreadsheet the portal reads or writes shares: a cell a spreadsheet program would
run as a formula is refused on import and written as plain text on export."""

import re

# Import: starting with = or @, or with + or - followed by more than a plain number (so
# "+62 812-3456" and "-1500" are data, "+cmd|..." and "-2+3" are not).
FORMULA = re.compile(r"^\s*(?:[=@]|[+\-](?![\d\s.,()\-]*$))")

# Export: every text that a spreadsheet program could start reading as a formula (OWASP's
# list): =, +, -, @, and a tab or carriage return before one; leading spaces do not hide it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    """An imported cell to refuse: a formula, not a value."""
    return isinstance(value, str) and bool(FORMULA.match(value))


def needs_quote(value) -> bool:
    """Text an export writes behind an apostrophe. Numbers (a negative amount) are never text
    and never quoted."""
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START)


def safe_cell(value):
    """A value for a text file (csv): text a spreadsheet would run gets a leading apostrophe,
    as a user types it to keep text; anything else as it is. In an xlsx the same cells are
    typed text with Excel's quote prefix (see `ksm_portal.exports`), so the value reads back
    unchanged."""
    return f"'{value}" if needs_quote(value) else value
