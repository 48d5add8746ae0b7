from django import template

from finance.money import rupiah as format_rupiah

register = template.Library()


@register.filter
def rupiah(value):
    """{{ amount|rupiah }} → Rp 1.250.000"""
    return format_rupiah(value)


@register.filter
def amount(value):
    """{{ amount|amount }} → 1.250.000 (for table columns headed Rp); blank for zero."""
    if not value:
        return ""
    return format_rupiah(value, sign=False)


@register.filter
def statement_amount(value):
    """{{ amount|statement_amount }} → 1.250.000, a negative in parentheses as SAK EMKM
    statements show it: (75.000); zero as 0."""
    if value is None or value == "":
        return ""
    if value < 0:
        return f"({format_rupiah(-value, sign=False)})"
    return format_rupiah(value, sign=False)
