"""Rupiah as Indonesians write it: Rp 1.250.000 (dot thousands, comma decimals).

On a page "Rp" and its figure stay on one line: a no-break space (U+00A0) joins them, and a
word joiner (U+2060) keeps a negative's sign with the "Rp" (a browser may break a line after a
hyphen). Plain text read by people with other tools (CSV and spreadsheet cells, a command's
output) asks for `plain=True`: an ordinary space, which a spreadsheet's search or a grep finds.
"""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
WORD_JOINER = "\u2060"


def rupiah(value, *, sign: bool = True, plain: bool = False) -> str:
    """Rp 1.250.000; cents only when there are any (Rp 1.250,50); negatives as -Rp 5.000.
    Unless `plain`, the space after Rp is a no-break space and the minus is joined to Rp."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    negative = amount < 0
    whole, cents = divmod(abs(amount), 1)
    text = f"{int(whole):,}".replace(",", ".")
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    if sign:
        text = f"Rp {text}" if plain else f"Rp{NBSP}{text}"
    if not negative:
        return text
    return f"-{text}" if plain or not sign else f"-{WORD_JOINER}{text}"
