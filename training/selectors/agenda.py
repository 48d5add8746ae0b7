"""The facilitator's start of the day: what needs them in the villages assigned to them.

Every list is limited to those villages and cut at AGENDA_LINES lines (with the full count),
so the page does the same few queries whatever the size of the national tables.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import DateField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from groups.models import SelfHelpGroup
from villages.models import FacilitatorAssignment

from ..models import Assessment, FollowUpAction, Invitation, TrainingEvent, Visit

AGENDA_LINES = 20
VISIT_EVERY_DAYS = 60
BOOKS_CURRENT_DAYS = 35  # an entry or a meeting within this many days (the finance rule)
ASSESS_EVERY_DAYS = 182
ACTIONS_AHEAD_DAYS = 14


@dataclass
class Section:
    items: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Agenda:
    today: datetime.date
    village_ids: list
    not_visited: Section
    actions: Section
    overdue_actions: int
    stale_books: Section
    due_assessment: Section
    trainings: Section

    @property
    def is_empty(self) -> bool:
        return not self.village_ids


def _section(queryset) -> Section:
    items = list(queryset[:AGENDA_LINES])
    total = len(items) if len(items) < AGENDA_LINES else queryset.count()
    return Section(items=items, total=total)


def facilitator_village_ids(user, today: datetime.date) -> list[int]:
    return list(
        FacilitatorAssignment.objects.current(today)
        .filter(user=user)
        .order_by()
        .values_list("village_id", flat=True)
        .distinct()
    )


def _meeting_model():
    """The finance app's monthly meeting sheet, once it exists (the loans issue)."""
    try:
        return apps.get_model("finance", "Meeting")
    except LookupError:
        return None


def stale_books(groups, today: datetime.date):
    """KSM whose books show no entry (and no meeting) in the last 35 days, oldest first.
    One index probe per KSM on (book, entry_date): never a scan of the journal.

    Each KSM carries `last_entry`, `last_meeting` (None without the finance meetings) and
    `last_activity`, the later of the two: what the page shows and sorts by."""
    from finance.models import JournalEntry

    cutoff = today - datetime.timedelta(days=BOOKS_CURRENT_DAYS)
    last_entry = Subquery(
        JournalEntry.objects.filter(book_id=OuterRef("book"), entry_date__lte=today)
        .order_by("-entry_date", "-id")
        .values("entry_date")[:1]
    )
    groups = groups.annotate(last_entry=last_entry)
    Meeting = _meeting_model()
    if Meeting is None:
        groups = groups.annotate(
            last_meeting=Value(None, output_field=DateField()), last_activity=F("last_entry")
        )
    else:
        groups = groups.annotate(
            last_meeting=Subquery(
                Meeting.objects.filter(group=OuterRef("pk"), meeting_date__lte=today)
                .order_by("-meeting_date")
                .values("meeting_date")[:1]
            )
        ).annotate(
            # GREATEST is NULL on SQLite when either side is: coalesce each with the other.
            last_activity=Greatest(
                Coalesce("last_entry", "last_meeting"), Coalesce("last_meeting", "last_entry")
            )
        )
    return groups.filter(Q(last_activity__lt=cutoff) | Q(last_activity__isnull=True)).order_by(
        F("last_activity").asc(nulls_first=True), "name", "pk"
    )


def facilitator_agenda(*, user, today: datetime.date) -> Agenda:
    village_ids = facilitator_village_ids(user, today)
    groups = (
        SelfHelpGroup.objects.filter(village_id__in=village_ids)
        .exclude(status=SelfHelpGroup.Status.DISSOLVED)
        .select_related("village")
    )

    visit_cutoff = today - datetime.timedelta(days=VISIT_EVERY_DAYS)
    not_visited = (
        groups.annotate(
            last_visit=Subquery(
                Visit.objects.filter(group=OuterRef("pk"), visit_date__lte=today)
                .order_by("-visit_date")
                .values("visit_date")[:1]
            )
        )
        .filter(Q(last_visit__lte=visit_cutoff) | Q(last_visit__isnull=True))
        .order_by(Coalesce("last_visit", "formed_date").asc(), "name", "pk")
    )

    open_actions = FollowUpAction.objects.open().filter(group__village_id__in=village_ids)
    actions = (
        open_actions.filter(due_date__lte=today + datetime.timedelta(days=ACTIONS_AHEAD_DAYS))
        .select_related("group", "visit")
        .order_by("due_date", "pk")
    )
    overdue = open_actions.filter(due_date__lt=today).count()

    assess_cutoff = today - datetime.timedelta(days=ASSESS_EVERY_DAYS)
    due_assessment = (
        groups.annotate(
            last_assessed=Subquery(
                Assessment.objects.filter(group=OuterRef("pk"), is_current=True).values(
                    "assessment_date"
                )[:1]
            ),
            started=Coalesce("reactivated_date", "formed_date"),
            has_draft=Exists(Assessment.objects.filter(group=OuterRef("pk"), status="draft")),
        )
        .filter(
            Q(last_assessed__lte=assess_cutoff)
            | Q(last_assessed__isnull=True, started__lte=assess_cutoff)
        )
        .order_by(Coalesce("last_assessed", "started").asc(), "name", "pk")
    )

    trainings = (
        TrainingEvent.objects.filter(
            Q(village_id__in=village_ids)
            | Exists(
                Invitation.objects.filter(event=OuterRef("pk"), group__village_id__in=village_ids)
            ),
            end_date__gte=today,
        )
        .select_related("village")
        .order_by("start_date", "pk")
    )

    return Agenda(
        today=today,
        village_ids=village_ids,
        not_visited=_section(not_visited),
        actions=_section(actions),
        overdue_actions=overdue,
        stale_books=_section(stale_books(groups, today)),
        due_assessment=_section(due_assessment),
        trainings=_section(trainings),
    )
