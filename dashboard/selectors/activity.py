"""Who changed what, across every audited model: the staff activity page.

Each model with django-simple-history keeps its own history table, and logins are kept as
LoginEvents. A page is read without touching whole tables: every source is asked for at most
`PAGE_SIZE + 1` of its most recent rows older than the cursor, with the filters (user, KSM,
dates) in that query, and the few hundred rows found are merged in Python. The cursor is the
last row shown (its time, source and id), so the next page continues from there at the same
cost however long the history grows. A source that cannot be tied to a KSM is left out when
a KSM is asked for.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from accounts.models import LoginEvent
from groups.models import Membership
from training.models import Invitation

PAGE_SIZE = 25
LOGIN_SOURCE = "accounts.loginevent"

# How a model's history rows name a KSM: a Q for the rows about KSM `pk`. Models missing here
# are not shown when the page is narrowed to one KSM.
GROUP_PATHS: dict[str, Callable[[int], Q]] = {
    "groups.selfhelpgroup": lambda pk: Q(id=pk),
    "groups.membership": lambda pk: Q(group_id=pk),
    "groups.member": lambda pk: Q(
        id__in=Membership.objects.filter(group_id=pk).values("member_id")
    ),
    "groups.cooperativemembership": lambda pk: Q(group_id=pk),
    "finance.book": lambda pk: Q(group_id=pk),
    "finance.account": lambda pk: Q(book__group_id=pk),
    "finance.fiscalperiod": lambda pk: Q(book__group_id=pk),
    "finance.loanproduct": lambda pk: Q(book__group_id=pk),
    "finance.loan": lambda pk: Q(book__group_id=pk) | Q(borrower_group_id=pk),
    "finance.savingsrule": lambda pk: Q(book__group_id=pk),
    "finance.surplusdistribution": lambda pk: Q(book__group_id=pk),
    "training.trainingevent": lambda pk: Q(
        id__in=Invitation.objects.filter(group_id=pk).values("event_id")
    ),
    "training.material": lambda pk: Q(
        event_id__in=Invitation.objects.filter(group_id=pk).values("event_id")
    ),
    "training.invitation": lambda pk: Q(group_id=pk),
    "training.attendance": lambda pk: Q(group_id=pk),
    "training.visit": lambda pk: Q(group_id=pk),
    "training.followupaction": lambda pk: Q(visit__group_id=pk),
    "training.assessment": lambda pk: Q(group_id=pk),
    "training.answer": lambda pk: Q(assessment__group_id=pk),
}


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: the next page holds what is older."""

    at: datetime.datetime
    source: str
    row_id: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}~{self.source}~{self.row_id}"

    @classmethod
    def decode(cls, text: str | None) -> "Cursor | None":
        try:
            at, source, row_id = (text or "").split("~")
            moment = datetime.datetime.fromisoformat(at)
            if timezone.is_naive(moment):
                return None
            return cls(at=moment, source=source, row_id=int(row_id))
        except ValueError:
            return None

    def older(self, source: str, date_field: str, id_field: str) -> Q:
        """The rows of `source` ordered after this cursor (time, source, id; all descending)."""
        before = Q(**{f"{date_field}__lt": self.at})
        if source < self.source:
            return before | Q(**{date_field: self.at})
        if source == self.source:
            return before | Q(**{date_field: self.at, f"{id_field}__lt": self.row_id})
        return before


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Activity:
    at: datetime.datetime
    source: str
    row_id: int
    user: object  # a User or None
    username: str
    what: str  # the model's name
    kind: str  # "+", "~", "-", or a login kind
    object_id: object = None
    object_label: str = ""
    changes: list[Change] = field(default_factory=list)
    record: object = None  # the history row, for the diff

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.at, source=self.source, row_id=self.row_id)


@dataclass
class ActivityPage:
    rows: list[Activity]
    next_cursor: str | None


def audited_models() -> list:
    """Every model with a history (django-simple-history), in a fixed order."""
    found = [
        model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


LABEL_FIELDS = ("full_name", "name", "title", "code", "username")


def _label(record) -> str:
    for name in LABEL_FIELDS:
        value = getattr(record, name, None)
        if value:
            return str(value)
    return ""


def _history_rows(model, *, user, group_id, date_from, date_to, cursor, limit) -> list:
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    source = model._meta.label_lower
    rows = history.objects.all()
    if group_id is not None:
        path = GROUP_PATHS.get(source)
        if path is None:
            return []
        rows = rows.filter(path(group_id))
    if user is not None:
        rows = rows.filter(history_user=user)
    if date_from is not None:
        rows = rows.filter(history_date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(history_date__lt=date_to)
    if cursor is not None:
        rows = rows.filter(cursor.older(source, "history_date", "history_id"))
    rows = rows.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    return [
        Activity(
            at=record.history_date,
            source=source,
            row_id=record.history_id,
            user=record.history_user,
            username=record.history_user.get_username() if record.history_user else "",
            what=str(model._meta.verbose_name),
            kind=record.history_type,
            object_id=getattr(record, model._meta.pk.attname),
            object_label=_label(record),
            record=record,
        )
        for record in rows
    ]


def _login_rows(*, user, group_id, date_from, date_to, cursor, limit) -> list:
    if group_id is not None:
        return []
    rows = LoginEvent.objects.all()
    if user is not None:
        rows = rows.filter(username=user.get_username())
    if date_from is not None:
        rows = rows.filter(at__gte=date_from)
    if date_to is not None:
        rows = rows.filter(at__lt=date_to)
    if cursor is not None:
        rows = rows.filter(cursor.older(LOGIN_SOURCE, "at", "id"))
    return [
        Activity(
            at=event.at,
            source=LOGIN_SOURCE,
            row_id=event.pk,
            user=None,
            username=event.username,
            what=event.get_kind_display(),
            kind=event.kind,
            object_label=event.ip_address or "",
        )
        for event in rows.order_by("-at", "-id")[:limit]
    ]


def _changes(activity: Activity) -> list[Change]:
    """What a change (~) altered, against the version before it (one query per row shown)."""
    record = activity.record
    if record is None or activity.kind != "~":
        return []
    before = record.prev_record
    if before is None:
        return []
    delta = record.diff_against(before, foreign_keys_are_objs=False)
    fields = {f.name: f for f in record.instance_type._meta.fields}
    return [
        Change(
            field=str(getattr(fields.get(change.field), "verbose_name", change.field)),
            old="" if change.old is None else str(change.old),
            new="" if change.new is None else str(change.new),
        )
        for change in delta.changes
    ]


def _day_start(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def recent_activity(
    *,
    user=None,
    group_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    cursor: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> ActivityPage:
    """A page of what was done, newest first, with the filters given (`date_to` included)."""
    end = _day_start(date_to + datetime.timedelta(days=1)) if date_to else None
    filters = {
        "user": user,
        "group_id": group_id,
        "date_from": _day_start(date_from),
        "date_to": end,
        "cursor": cursor,
        "limit": page_size + 1,
    }
    found: list[Activity] = []
    for model in audited_models():
        found.extend(_history_rows(model, **filters))
    found.extend(_login_rows(**filters))
    found.sort(key=lambda a: (a.at, a.source, a.row_id), reverse=True)
    rows = found[:page_size]
    for activity in rows:
        activity.changes = _changes(activity)
    more = len(found) > page_size
    return ActivityPage(rows=rows, next_cursor=rows[-1].cursor.encode() if more else None)
