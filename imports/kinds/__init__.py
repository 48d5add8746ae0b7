"""The kinds of file that can be imported, by slug."""

from django.http import Http404

from .base import ImportKind
from .cashbook import CashBookKind
from .ksm import KsmKind
from .members import MembersKind
from .opening import OpeningKind

KINDS: dict[str, ImportKind] = {
    kind.slug: kind for kind in (KsmKind(), MembersKind(), OpeningKind(), CashBookKind())
}


def kind_of(slug: str) -> ImportKind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None
