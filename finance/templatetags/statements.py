from django import template

from finance.selectors import portfolio_tie as tie

register = template.Library()


@register.simple_tag
def portfolio_tie(book, report):
    """{% portfolio_tie book report as tie %}: the portfolio's principal outstanding beside
    the loans receivable account on the report's date (one aggregated read; the portfolio
    view belongs to the loan pages)."""
    return tie(book, report)
