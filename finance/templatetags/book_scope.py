"""Whether a page links to what the user may open in an entity's books: `book|every_ksm:user`
is true when they see every member KSM's figures (finance.selectors.member_ksm)."""

from django import template

from finance.selectors.member_ksm import sees_every_member_ksm

register = template.Library()


@register.filter
def every_ksm(book, user) -> bool:
    return sees_every_member_ksm(user, book)
