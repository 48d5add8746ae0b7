"""A BUMDes's business units."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error

from ... import exports
from ...forms.capital import UnitForm
from ...models import Book
from ...selectors import capital as capital_selectors
from ...services.accounts import chart_editable_by
from ...services.units import business_unit_create
from ..common import visible_book
from ..reports import _page, _period_form, _period_label
from .common import _sheet_or_pdf

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT

# --- Business units (BUMDes) --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def units(request, book_id):
    """A BUMDes's business units with each one's income, expenses and result for a period,
    adding up to the BUMDes's income statement; those who edit the chart add units here."""
    book = visible_book(request, book_id)
    if book.kind != Book.Kind.BUMDES:
        raise Http404
    editor = chart_editable_by(request.user, book)
    unit_form = UnitForm(request.POST if request.method == "POST" else None, prefix="unit")
    if request.method == "POST":
        if not editor:
            raise PermissionDenied
        if unit_form.is_valid():
            try:
                unit = business_unit_create(
                    book=book, name=unit_form.cleaned_data["name"], actor=request.user
                )
            except ValidationError as error:
                apply_validation_error(unit_form, error)
            else:
                messages.success(
                    request,
                    _("Unit %(name)s added, with the accounts %(income)s and %(expense)s.")
                    % {
                        "name": unit.name,
                        "income": unit.income_account,
                        "expense": unit.expense_account,
                    },
                )
                return redirect("finance:units", book.pk)
    form = _period_form(request)
    template = "finance/capital_units.html"
    context = {"book": book, "form": form, "unit_form": unit_form, "can_edit": editor}
    if not form.is_valid():
        return _page(request, template, context)
    period = form.cleaned_data["report_period"]
    report = capital_selectors.unit_report(book, period)
    context.update(report=report, period_label=_period_label(period))

    def sheet():
        columns = [
            exports.Column(_("Unit")),
            exports.Column(_("Income"), AMOUNT),
            exports.Column(_("Expenses"), AMOUNT),
            exports.Column(_("Result"), AMOUNT),
        ]

        def lines():
            for row in [*report.units, report.rest]:
                yield [row.name, row.income, row.expense, row.result], ""
            total = report.total
            yield [total.name, total.income, total.expense, total.result], "bold"

        title = _("Business units")
        return exports.Sheet(title, [title, str(book), context["period_label"]], columns, lines())

    name = exports.filename("unit-usaha", book.pk, period.start, period.end)
    return _sheet_or_pdf(request, template, context, sheet, name)
