"""Rupiah as Indonesians write it: Rp 1.250.000 (dot thousands, comma decimals)."""

from decimal import ROUND_HALF_UP, Decimal


def rupiah(value, *, sign: bool = True) -> str:
    """Rp 1.250.000; cents only when there are any (Rp 1.250,50); negatives as -Rp 5.000."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    negative = amount < 0
    whole, cents = divmod(abs(amount), 1)
    text = f"{int(whole):,}".replace(",", ".")
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    text = f"Rp {text}" if sign else text
    return f"-{text}" if negative else text
