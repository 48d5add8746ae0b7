from django import template

from finance.selectors import ledger_tie

register = template.Library()


@register.simple_tag
def portfolio_tie(book, report):
    """{% portfolio_tie book report as tie %}: the portfolio's principal outstanding beside
    the loans receivable account on the report's date (the portfolio view is not this
    module's to change; the tie is one aggregated read)."""
    return ledger_tie(book, ["loans_receivable"], on_date=report.on_date, total=report.outstanding)
