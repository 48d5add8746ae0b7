"""Loan products."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ksm_portal.services_base import row_clean

from ...models import Book, LoanProduct


@transaction.atomic
def loan_product_save(*, book: Book, product: LoanProduct | None = None, **fields) -> LoanProduct:
    """Create a loan product for a book, or change one (loans already made keep their terms)."""
    product = product or LoanProduct(book=book)
    if product.book_id != book.pk:
        raise ValidationError(_("This loan product belongs to other books."))
    for name, value in fields.items():
        setattr(product, name, value)
    row_clean(product)
    product.save()
    return product
