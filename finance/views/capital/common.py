"""What the capital pages share: a page as a workbook or a PDF, and which books they serve."""

from django.http import Http404

from ... import exports
from ...models import Book
from ..common import postable_book, visible_book
from ..reports import _format, _page

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT


def _sheet_or_pdf(request, template, context, sheet_builder, name):
    """The page, or with ?format= the same rows as a workbook or a PDF."""
    fmt = _format(request)
    if fmt == "xlsx":
        return exports.xlsx_response(sheet_builder(), name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return _page(request, template, context)


def _cooperative_book(request, book_id, *, post=False) -> Book:
    book = postable_book(request, book_id) if post else visible_book(request, book_id)
    if book.kind != Book.Kind.COOPERATIVE:
        raise Http404
    return book


def _sharing_book(request, book_id, *, post=False) -> Book:
    """Any book shares its closed years' surplus: a cooperative's, a BUMDes's, a KSM's."""
    return postable_book(request, book_id) if post else visible_book(request, book_id)
