from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, queryset, per_page: int | None = None) -> tuple[Page, str]:
    """A page of the queryset, plus the request's other GET parameters for the page links
    (so the next page keeps the search and filters)."""
    page = Paginator(queryset, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
