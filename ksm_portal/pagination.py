from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property


class DeferredJoinPaginator(Paginator):
    """Pages of a large table: find the page's primary keys first (an index-only walk of the
    ordering index), then load those rows with their joins. A deep OFFSET then skips index
    entries instead of joined rows.

    `count`, when the caller already knows it (a book's entries from its years' numbers),
    saves the COUNT(*). `from_either_end`: the queryset's ordering is total (it ends with the
    primary key), so a page in the second half is read walking the ordering backwards from
    the end: the last page costs what the first does."""

    def __init__(self, *args, count: int | None = None, from_either_end: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count  # the cached_property's slot
        self.from_either_end = from_either_end

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        keys = self.object_list.values_list("pk", flat=True)
        if self.from_either_end and bottom > self.count - top:
            keys = list(keys.reverse()[self.count - top : self.count - bottom])
            keys.reverse()
        else:
            keys = list(keys[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def paginate(
    request,
    queryset,
    per_page: int | None = None,
    *,
    count: int | None = None,
    from_either_end: bool = False,
) -> tuple[Page, str]:
    """A page of the queryset, plus the request's other GET parameters for the page links
    (so the next page keeps the search and filters). `count` and `from_either_end`: see
    DeferredJoinPaginator."""
    paginator = DeferredJoinPaginator(
        queryset, per_page or settings.PAGE_SIZE, count=count, from_either_end=from_either_end
    )
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
