"""Mentoring visits and the follow-up actions they set."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from groups.models import Member, SelfHelpGroup
from ksm_portal.models_base import reject_future_dates
from ksm_portal.services_base import row_clean, validated_save

from ..models import FollowUpAction, FollowUpStatus, Topic, Visit
from .trainings import assigned_on


def _check_attendees(group: SelfHelpGroup, visit_date: datetime.date, attendees) -> None:
    ids = {member.pk for member in attendees}
    if not ids:
        return
    members_then = set(
        group.memberships.filter(member_id__in=ids, joined_date__lte=visit_date)
        .filter(Q(left_date__isnull=True) | Q(left_date__gte=visit_date))
        .values_list("member_id", flat=True)
    )
    strangers = [member.full_name for member in attendees if member.pk not in members_then]
    if strangers:
        raise ValidationError(
            {
                "attendees": _("Not members of %(group)s on that day: %(names)s.")
                % {"group": group.name, "names": ", ".join(sorted(strangers))}
            }
        )


def _new_action(visit: Visit, *, description: str, responsible: str, due_date) -> FollowUpAction:
    return FollowUpAction(
        visit=visit,
        group_id=visit.group_id,
        description=(description or "").strip(),
        responsible=(responsible or "").strip(),
        due_date=due_date,
    )


@transaction.atomic
def visit_record(
    *,
    actor,
    group: SelfHelpGroup,
    facilitator,
    visit_date: datetime.date,
    findings: str,
    attendees: Iterable[Member] = (),
    topics: Iterable[Topic] = (),
    other_attendees: str = "",
    discussion: str = "",
    actions: Iterable[dict] = (),
    once_key: str | None = None,
) -> Visit:
    """Record a facilitator's visit with its follow-up actions, all or nothing.

    Only a facilitator assigned to the KSM's village on the day may have made the visit."""
    attendees, topics, actions = list(attendees), list(topics), list(actions)
    visit = Visit(
        group=group,
        facilitator=facilitator,
        visit_date=visit_date,
        findings=(findings or "").strip(),
        other_attendees=other_attendees.strip(),
        discussion=discussion.strip(),
        once_key=once_key,
    )
    if not isinstance(visit_date, datetime.date):
        row_clean(visit)  # says what is wrong with the date
    reject_future_dates(visit, *visit.past_date_fields)
    if visit_date < group.formed_date:
        raise ValidationError(
            {
                "visit_date": _("The KSM was formed later, on %(date)s.")
                % {"date": group.formed_date.strftime("%d-%m-%Y")}
            }
        )
    if not assigned_on(facilitator, group.village, visit_date):
        raise ValidationError(
            {
                "visit_date": _(
                    "%(name)s was not assigned to the village of %(group)s on %(date)s, so "
                    "cannot have made this visit."
                )
                % {
                    "name": facilitator.get_full_name() or facilitator.username,
                    "group": group.name,
                    "date": visit_date.strftime("%d-%m-%Y"),
                }
            }
        )
    _check_attendees(group, visit_date, attendees)
    validated_save(visit, actor=actor)
    visit.attendees.set(attendees)
    visit.topics.set(topics)
    for number, fields in enumerate(actions, start=1):
        try:
            validated_save(_new_action(visit, **fields), actor=actor)
        except ValidationError as error:
            raise ValidationError(
                [
                    _("Follow-up action %(number)d: %(message)s")
                    % {"number": number, "message": message}
                    for message in error.messages
                ]
            ) from error
    return visit


@transaction.atomic
def followup_add(
    *, actor, visit: Visit, description: str, responsible: str, due_date, once_key=None
) -> FollowUpAction:
    action = _new_action(visit, description=description, responsible=responsible, due_date=due_date)
    action.once_key = once_key
    return validated_save(action, actor=actor)


@transaction.atomic
def followup_close(
    *,
    actor,
    action: FollowUpAction,
    status: str,
    closed_date: datetime.date,
    note: str = "",
) -> FollowUpAction:
    """Mark an open action done or dropped. Re-read under a lock: two taps close it once."""
    if status not in (FollowUpStatus.DONE, FollowUpStatus.DROPPED):
        raise ValidationError({"status": _("An action is closed as done or dropped.")})
    action = FollowUpAction.objects.select_for_update().select_related("visit").get(pk=action.pk)
    if not action.is_open:
        raise ValidationError(
            _("This action was already closed (%(status)s).")
            % {"status": action.get_status_display().lower()}
        )
    action.status = status
    action.closed_date = closed_date
    action.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    action.closing_note = (note or "").strip()
    return validated_save(action, actor=actor)
