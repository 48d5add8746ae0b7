from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property


class DeferredJoinPaginator(Paginator):
    """Pages of a large table: find the page's primary keys first (an index-only walk of the
    ordering index), then load those rows with their joins. A deep OFFSET then skips index
    entries instead of joined rows."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def paginate(request, queryset, per_page: int | None = None) -> tuple[Page, str]:
    """A page of the queryset, plus the request's other GET parameters for the page links
    (so the next page keeps the search and filters)."""
    paginator = DeferredJoinPaginator(queryset, per_page or settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


class EstimatedCountPaginator(Paginator):
    """For admin changelists of national tables: an unfiltered PostgreSQL table is counted from
    the planner's statistics instead of COUNT(*) over millions of rows."""

    EXACT_BELOW = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] >= self.EXACT_BELOW:
                return row[0]
        return super().count
