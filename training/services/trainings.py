"""Trainings: the event, the KSM invited to it, its materials and who attended."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Member, Membership, SelfHelpGroup
from ksm_portal.scope import user_scope
from ksm_portal.services_base import validated_save
from villages.models import FacilitatorAssignment, Village

from ..models import Attendance, Invitation, Material, Topic, TrainingEvent
from ..uploads import material_check

EVENT_FIELDS = ("title", "start_date", "end_date", "village", "venue", "trainer", "notes")


def assigned_on(user, village: Village, on_date: datetime.date) -> bool:
    """Was the user assigned to the village on that day?"""
    return (
        FacilitatorAssignment.objects.current(on_date).filter(user=user, village=village).exists()
    )


def _check_organiser(event: TrainingEvent, *, chosen: bool = False) -> None:
    """The organiser is a facilitator of the training's village. Staff organising a training
    themselves need no assignment; someone *chosen* as organiser (by staff) always does, and
    the message then belongs to the organiser field."""
    organiser, village = event.organiser, event.village
    if (user_scope(organiser).manages_register and not chosen) or not event.start_date:
        return
    today = timezone.localdate()
    if not (
        assigned_on(organiser, village, min(event.start_date, today))
        or assigned_on(organiser, village, today)
    ):
        raise ValidationError(
            {
                "organiser" if chosen else "village": _(
                    "%(name)s is not a facilitator of %(village)s."
                )
                % {"name": organiser.get_full_name() or organiser.username, "village": village.name}
            }
        )


def _check_may_choose_organiser(actor) -> None:
    if not user_scope(actor).manages_register:
        raise ValidationError(
            {
                "organiser": _(
                    "A facilitator organises their own trainings; staff may choose another."
                )
            }
        )


def _set_topics(event: TrainingEvent, topics: Iterable[Topic]) -> None:
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": _("Choose at least one topic.")})
    event.topics.set(topics)


@transaction.atomic
def training_create(
    *, actor, topics: Iterable[Topic], organiser=None, once_key=None, **fields
) -> TrainingEvent:
    """Plan a training. Its organiser is the actor, or, when staff plan it, the facilitator of
    the village they choose (`organiser`)."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    chosen = organiser is not None and organiser != actor
    if chosen:
        _check_may_choose_organiser(actor)
    event = TrainingEvent(organiser=organiser or actor, once_key=once_key, **fields)
    if event.village_id:
        _check_organiser(event, chosen=chosen)
    validated_save(event, actor=actor)
    _set_topics(event, topics)
    return event


@transaction.atomic
def training_update(
    *, actor, event: TrainingEvent, topics=None, organiser=None, **fields
) -> TrainingEvent:
    """Change a training; staff may hand it to another organiser (`organiser`)."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    chosen = organiser is not None and organiser.pk != event.organiser_id and organiser != actor
    if organiser is not None and organiser.pk != event.organiser_id:
        _check_may_choose_organiser(actor)
        event.organiser = organiser
    for key, value in fields.items():
        setattr(event, key, value)
    if event.start_date and event.start_date > timezone.localdate() and event.attendances.exists():
        raise ValidationError(
            {"start_date": _("Attendance is recorded, so the training cannot lie ahead.")}
        )
    _check_organiser(event, chosen=chosen)
    validated_save(event, actor=actor)
    if topics is not None:
        _set_topics(event, topics)
    return event


@transaction.atomic
def training_invite(*, actor, event: TrainingEvent, groups: Iterable[SelfHelpGroup]) -> int:
    """Invite KSM to the training; those already invited stay as they are. Returns how many
    were newly invited."""
    already = set(event.invitations.values_list("group_id", flat=True))
    added = 0
    for group in groups:
        if group.pk in already:
            continue
        if group.status == SelfHelpGroup.Status.DISSOLVED:
            raise ValidationError(
                _("%(group)s has been dissolved and cannot be invited.") % {"group": group.name}
            )
        validated_save(Invitation(event=event, group=group), actor=actor)
        already.add(group.pk)
        added += 1
    return added


def _membership_at(member: Member, group: SelfHelpGroup, event: TrainingEvent):
    """The member's membership of the group during the training, if any (latest first)."""
    return (
        Membership.objects.filter(member=member, group=group, joined_date__lte=event.end_date)
        .filter(Q(left_date__isnull=True) | Q(left_date__gte=event.start_date))
        .order_by("-joined_date", "-pk")
        .first()
    )


def _check_attendance_allowed(event: TrainingEvent, group: SelfHelpGroup) -> None:
    if event.start_date > timezone.localdate():
        raise ValidationError(_("Attendance can be recorded once the training has started."))
    if not event.invitations.filter(group=group).exists():
        raise ValidationError(
            _("%(group)s is not invited to this training.") % {"group": group.name}
        )


def _attendance_row(
    event, group, member, pre_score, post_score, existing: Attendance | None
) -> Attendance:
    membership = _membership_at(member, group, event)
    if membership is None:
        raise ValidationError(
            _("%(name)s is not a member of %(group)s, an invited KSM.")
            % {"name": member.full_name, "group": group.name}
        )
    attendance = existing or Attendance(event=event, member=member, group=group)
    if existing is not None and existing.removed_at is not None:
        attendance.group, attendance.removed_at = group, None  # ticked again: the row is back
    if existing is not None and existing.group_id != group.pk:
        raise ValidationError(
            _("%(name)s is already recorded at this training for another KSM.")
            % {"name": member.full_name}
        )
    attendance.role = membership.role
    attendance.pre_score = pre_score
    attendance.post_score = post_score
    return attendance


@transaction.atomic
def attendance_record(
    *,
    actor,
    event: TrainingEvent,
    group: SelfHelpGroup,
    member: Member,
    pre_score: int | None = None,
    post_score: int | None = None,
) -> Attendance:
    """Record one member at the training, with the role they held in the group then."""
    _check_attendance_allowed(event, group)
    existing = Attendance.all_objects.filter(event=event, member=member).first()
    attendance = _attendance_row(event, group, member, pre_score, post_score, existing)
    return validated_save(attendance, actor=actor)


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    pre_score: int | None = None
    post_score: int | None = None


@transaction.atomic
def attendance_set_for_group(
    *, actor, event: TrainingEvent, group: SelfHelpGroup, rows: Iterable[AttendanceRow]
) -> list[Attendance]:
    """The group's attendance at the training is exactly these members with these scores:
    anyone not listed is taken off. All or nothing: one bad row refuses the whole list."""
    _check_attendance_allowed(event, group)
    rows = list(rows)
    members = Member.objects.in_bulk([row.member_id for row in rows])
    existing = {a.member_id: a for a in Attendance.all_objects.filter(event=event)}
    saved = []
    errors = []
    for row in rows:
        member = members.get(row.member_id)
        if member is None:
            errors.append(_("An unknown person was sent as attending."))
            continue
        try:
            attendance = _attendance_row(
                event, group, member, row.pre_score, row.post_score, existing.get(member.pk)
            )
            saved.append(validated_save(attendance, actor=actor))
        except ValidationError as error:
            errors.extend(
                f"{member.full_name}: {message}" if hasattr(error, "error_dict") else message
                for message in error.messages
            )
    if errors:
        raise ValidationError(errors)
    keep = {row.member_id for row in rows}
    now = timezone.now()
    for taken_off in Attendance.objects.filter(event=event, group=group).exclude(
        member_id__in=keep
    ):
        # Ended, not deleted: the history keeps who took them off and when.
        taken_off.removed_at = now
        validated_save(taken_off, actor=actor)
    return saved


@transaction.atomic
def material_add(*, actor, event: TrainingEvent, title: str, upload, once_key=None) -> Material:
    """Keep a training's material, once its type and size pass."""
    content_type = material_check(upload)
    original = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    material = Material(
        event=event,
        title=title.strip() or original,
        original_name=original[:200],
        size=upload.size,
        content_type=content_type,
        once_key=once_key,
    )
    material.file.save(original, upload, save=False)
    try:
        validated_save(material, actor=actor, exclude=["file"])
    except Exception:
        material.file.delete(save=False)  # no orphan file behind a refused row
        raise
    return material
