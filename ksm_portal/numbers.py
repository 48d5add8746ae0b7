"""Numbers as the reader's language writes them: grouped in full (1.250.000), short for chart
axes and tiles (1,2 jt, 3 M), or as a percentage (12,5%).

Neutral on purpose: money is the caller's business (finance.money.rupiah), because ksm_portal
sits below every app and imports none of them.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import pgettext_lazy

# English abbreviations avoid "M", which an Indonesian reads as miliar (10^9), not million.
_SCALES = (
    (Decimal(10) ** 12, pgettext_lazy("short number", "%(number)s tn")),
    (Decimal(10) ** 9, pgettext_lazy("short number", "%(number)s bn")),
    (Decimal(10) ** 6, pgettext_lazy("short number", "%(number)s mn")),
    (Decimal(10) ** 3, pgettext_lazy("short number", "%(number)s k")),
)


def _rounded_text(amount: Decimal, places: int) -> str:
    """`amount` rounded half up to at most `places` decimals, trailing zeros dropped, in the
    active language's separators."""
    rounded = _rounded(amount, places)
    if rounded == 0:
        return "0"
    if rounded == rounded.to_integral_value():
        rounded, places = rounded.quantize(Decimal(1)), 0
    else:
        places = -rounded.normalize().as_tuple().exponent
    return number_format(rounded, decimal_pos=places, force_grouping=True)


def _rounded(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def short_number(value) -> str:
    """A figure in at most three or four characters and a unit: 950 k, 1.2 mn, 3 bn in English;
    950 rb, 1,2 jt, 3 M in Indonesian. Below a thousand the number itself (up to 2 decimals)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for index, (scale, template) in enumerate(_SCALES):
        if amount < scale:
            continue
        scaled = amount / scale
        places = 1 if scaled < 10 else 0
        if _rounded(scaled, places) >= 1000 and index > 0:  # 999,950 is 1 mn, not 1.000 k
            scale, template = _SCALES[index - 1]
            scaled, places = amount / scale, 1
        number = _rounded_text(scaled, places)
        return sign + str(template) % {"number": number}
    number = _rounded_text(amount, 2)
    return number if number == "0" else sign + number


def grouped_number(value) -> str:
    """The whole figure with thousands grouped: 1.250.000 (Indonesian), 1,250,000 (English);
    decimals only when there are any (12,5)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    places = max(0, -amount.normalize().as_tuple().exponent)
    return _rounded_text(amount, min(places, 2))


def percent(value, places: int = 1) -> str:
    """12,5% (Indonesian), 12.5% (English); `value` is already a percentage."""
    if value is None or value == "":
        return ""
    return _rounded_text(Decimal(value), places) + "%"
