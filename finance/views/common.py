"""What every books page needs: the book, found through the user's scope (404 outside it)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ..models import Book


def visible_book(request, book_id: int) -> Book:
    return get_object_or_404(
        Book.objects.visible_to(request.user).select_related(
            "group__village", "bumdes__village", "cooperative"
        ),
        pk=book_id,
    )


def postable_book(request, book_id: int) -> Book:
    """A book the user may post to: their own KSM's as treasurer, or any as staff.
    Outside their sight: 404; visible but read-only (a facilitator): 403."""
    book = visible_book(request, book_id)
    if not Book.objects.postable_by(request.user).filter(pk=book.pk).exists():
        raise PermissionDenied
    return book


def can_post(user, book: Book) -> bool:
    return Book.objects.postable_by(user).filter(pk=book.pk).exists()
