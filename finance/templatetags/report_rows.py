"""The rows of the long report tables, written in Python.

A cash book page has a hundred lines and the template engine spends about a tenth of a
millisecond on each (a dozen variables, a date and four amount filters): most of the page's
work. These tags write the same `<tr>` a template would, every value escaped, so the templates
keep the table's frame (headings, opening and closing lines) and these only the repeated rows.
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from finance.money import rupiah
from finance.selectors.member_ksm import sees_every_member_ksm
from ksm_portal.inputs import escape as esc

register = template.Library()

ANY_ID = 2147483647


def _amount(value) -> str:
    """As the `amount` filter: 1.250.000, blank for zero."""
    return rupiah(value, sign=False) if value else ""


class _Dates:
    """SHORT_DATE_FORMAT of each date, formatted once per page (a page has few distinct days)."""

    def __init__(self):
        self.seen = {}

    def __call__(self, value) -> str:
        text = self.seen.get(value)
        if text is None:
            text = self.seen[value] = esc(date_format(value, "SHORT_DATE_FORMAT"))
        return text


@register.simple_tag
def ledger_rows(rows, passbook=False, sign=1):
    """The lines of report_ledger_table.html: date (with the number under it on a phone),
    number, description, the signed change (phone), debit and credit (credit first in the
    passbook of a credit-normal account: deposits first), and the balance."""
    swap = bool(passbook) and sign < 0
    day = _Dates()
    html = []
    for row in rows:
        reference = esc(row.reference)
        url = getattr(row, "url", None)
        if url:
            reference = f'<a href="{esc(url)}">{reference}</a>'
        description = esc(row.description)
        if row.receipt_ref:
            description += f' <span class="text-muted small">({esc(row.receipt_ref)})</span>'
        first, second = (row.credit, row.debit) if swap else (row.debit, row.credit)
        html.append(
            "\n    <tr>\n"
            f'      <td class="text-nowrap">{day(row.entry_date)}'
            f'<div class="d-sm-none small">{reference}</div></td>\n'
            f'      <td class="text-nowrap d-none d-sm-table-cell">{reference}</td>\n'
            f"      <td>{description}</td>\n"
            f'      <td class="amount d-sm-none">{"+" if row.change > 0 else ""}'
            f"{_amount(row.change)}</td>\n"
            f'      <td class="amount d-none d-sm-table-cell">{_amount(first)}</td>'
            f'<td class="amount d-none d-sm-table-cell">{_amount(second)}</td>\n'
            f'      <td class="amount">{_amount(row.balance) or "0"}</td>\n'
            "    </tr>"
        )
    return mark_safe("".join(html))


@register.simple_tag(takes_context=True)
def trial_balance_rows(context, report, book):
    """The accounts of the trial balance, each name linking to its ledger from the books'
    opening to the report's date (for those who may read the ledgers)."""
    request = context.get("request")
    try:
        pattern = reverse("finance:ledger", args=[book.pk, ANY_ID])
    except NoReverseMatch:
        pattern = None
    if request is not None and not sees_every_member_ksm(request.user, book):
        pattern = None
    query = (
        f"?date_from={book.opening_date.strftime('%Y-%m-%d')}"
        f"&amp;date_to={report.as_of.strftime('%Y-%m-%d')}"
    )
    html = []
    for row in report.rows:
        account = row.account
        name = esc(account.name)
        if pattern:
            url = pattern.replace(str(ANY_ID), str(account.pk))
            name = f'<a href="{url}{query}">{name}</a>'
        html.append(
            "\n    <tr>\n"
            f'      <td class="text-nowrap">{esc(account.code)}</td>\n'
            f"      <td>{name}</td>\n"
            f'      <td class="amount">{_amount(row.debit)}</td>'
            f'<td class="amount">{_amount(row.credit)}</td>\n'
            "    </tr>"
        )
    return mark_safe("".join(html))
