"""Loan products: the list and the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ksm_portal.forms import apply_validation_error

from ... import services
from ...forms.loans import LoanProductForm
from ...models import LoanProduct
from ..common import can_post, postable_book, visible_book


@login_required
@require_safe
def products(request, book_id):
    book = visible_book(request, book_id)
    return render(
        request,
        "finance/loan_products.html",
        {
            "book": book,
            "products": book.loan_products.order_by("-is_active", "name"),
            "can_post": can_post(request.user, book),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, book_id, pk=None):
    book = postable_book(request, book_id)
    product = get_object_or_404(book.loan_products, pk=pk) if pk else None
    form = LoanProductForm(
        request.POST if request.method == "POST" else None,
        instance=product or LoanProduct(book=book),
        book=book,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.loan_product_save(book=book, product=product, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan product “%(name)s” saved.") % {"name": saved.name})
            return redirect("finance:loan_products", book.pk)
    return render(
        request, "finance/loan_product_form.html", {"book": book, "form": form, "product": product}
    )
