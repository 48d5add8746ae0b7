"""An amount in Indonesian words, as a receipt writes it ("terbilang"):
1.250.000 → "satu juta dua ratus lima puluh ribu rupiah"."""

from decimal import Decimal

ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
SCALES = [
    (10**12, "triliun"),
    (10**9, "miliar"),
    (10**6, "juta"),
    (10**3, "ribu"),
]


def _below_thousand(n: int) -> list[str]:
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [ONES[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words += [ONES[rest - 10], "belas"]
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        words += [ONES[tens], "puluh"]
        if ones:
            words.append(ONES[ones])
    elif rest:
        words.append(ONES[rest])
    return words


def number_words(n: int) -> str:
    """A whole number from 0 up in words: 1000 → "seribu", 2500 → "dua ribu lima ratus"."""
    if n < 0:
        return "minus " + number_words(-n)
    if n == 0:
        return "nol"
    words = []
    for size, name in SCALES:
        count, n = divmod(n, size)
        if not count:
            continue
        if size == 1000 and count == 1:
            words.append("seribu")
        else:
            words += [number_words(count), name]
    words += _below_thousand(n)
    return " ".join(words)


def terbilang(amount) -> str:
    """Rupiah in words, with its sen when there are any: "dua puluh lima ribu rupiah"."""
    value = Decimal(amount).quantize(Decimal("0.01"))
    whole = int(abs(value))
    cents = int((abs(value) - whole) * 100)
    text = f"{number_words(whole)} rupiah"
    if cents:
        text += f" {number_words(cents)} sen"
    return f"minus {text}" if value < 0 else text
