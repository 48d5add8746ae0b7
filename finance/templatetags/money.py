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
