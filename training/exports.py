"""The training pages' lists as files: trainings, mentoring visits, training coverage and the
grading distribution (see ksm_portal.exports)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.exports import DATE, NUMBER, Column, ListExport, filename

from .selectors.coverage import needs_of


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def events_export(events, filters) -> ListExport:
    columns = [
        Column(_("Title"), value="title"),
        Column(_("Start date"), DATE, value="start_date"),
        Column(_("End date"), DATE, value="end_date"),
        Column(_("Village"), width=24, value="village.name"),
        Column(_("Venue"), width=24, value="venue"),
        Column(_("Trainer"), width=24, value="trainer"),
    ]
    name = filename("pelatihan", timezone.localdate())
    return ListExport(_("Trainings"), columns, events, name, filters=filters)


def visits_export(visits, filters, *, group=None) -> ListExport:
    """All the visits the user may see, or one KSM's visit history (`group`)."""
    columns = [
        Column(_("Visit date"), DATE, value="visit_date"),
        Column(_("Facilitator"), width=24, value=lambda visit: _person(visit.facilitator)),
        Column(_("Findings"), width=60, value="findings"),
    ]
    if group is None:
        columns[:0] = [
            Column(_("KSM"), width=30, value="group.name"),
            Column(_("Village"), width=24, value="group.village.name"),
        ]
        name = filename("kunjungan", timezone.localdate())
        owner = ""
    else:
        name = filename("kunjungan", group.name, timezone.localdate())
        owner = f"{group.name}, {group.village.name}"
    return ListExport(_("Mentoring visits"), columns, visits, name, filters=filters, owner=owner)


def _area_kind(scope) -> str:
    return {"regency": _("District"), "district": _("Village"), "village": _("KSM")}[scope.kind]


def coverage_export(report, scope) -> ListExport:
    """The coverage table: each part of the area, how many KSM are covered per core topic
    and in all, then the area's total."""
    columns = [
        Column(_area_kind(scope), width=30, value=lambda row: getattr(row.label, "name", "")),
        Column(_("KSM"), NUMBER, value="total"),
    ]
    for index, topic in enumerate(report.topics):
        columns.append(
            Column(topic.name, NUMBER, 16, value=lambda row, i=index: row.by_topic[i][1])
        )
    columns.append(Column(_("All core topics"), NUMBER, 16, value="complete"))
    rows = [*report.rows, report.total]
    name = filename("cakupan-pelatihan", scope.region.code, timezone.localdate())
    return ListExport(
        _("Training coverage"),
        columns,
        rows,
        name,
        filters=[(_("Area"), scope.region.name)],
    )


def needs_export(groups, report, scope) -> ListExport:
    """Who still needs training: per core topic, the officers not yet trained in it."""

    def missing(group, topic) -> str:
        for needed, chair, treasurer in needs_of(group, report.topics):
            if needed == topic:
                lacking = [] if chair else [_("chair")]
                lacking += [] if treasurer else [_("treasurer")]
                return ", ".join(lacking)
        return ""

    columns = [
        Column(_("KSM"), width=30, value="name"),
        Column(_("Village"), width=24, value="village.name"),
        *(
            Column(topic.name, width=20, value=lambda group, t=topic: missing(group, t))
            for topic in report.topics
        ),
    ]
    name = filename("perlu-pelatihan", scope.region.code, timezone.localdate())
    return ListExport(
        _("Who still needs training"),
        columns,
        groups,
        name,
        filters=[(_("Area"), scope.region.name)],
    )


def grading_export(distribution) -> ListExport:
    """The distribution of levels by district, with the movement, and the regency's total."""
    columns = [
        Column(
            _("District"),
            width=30,
            value=lambda row: row.district.name if row.district else _("Total"),
        ),
        Column(_("KSM"), NUMBER, value="groups"),
        *(
            Column(level.name, NUMBER, 12, value=lambda row, i=index: row.by_level[i])
            for index, level in enumerate(distribution.levels)
        ),
        Column(_("Not assessed"), NUMBER, 14, value="not_assessed"),
        Column(_("Moved up"), NUMBER, 12, value="movement.up"),
        Column(_("Same level"), NUMBER, 12, value="movement.same"),
        Column(_("Moved down"), NUMBER, 12, value="movement.down"),
        Column(_("First"), NUMBER, 12, value="movement.first"),
    ]
    regency = distribution.regency
    rows = [*distribution.rows, distribution.total]
    name = filename("tingkat-ksm", regency.code, timezone.localdate())
    return ListExport(
        _("Group levels"), columns, rows, name, filters=[(_("Regency"), regency.name)]
    )
