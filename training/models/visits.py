"""Mentoring visits (pendampingan) and the follow-up actions they set."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Member, SelfHelpGroup
from ksm_portal.models_base import Audited
from ksm_portal.once import OnceKeyed
from ksm_portal.scope import user_scope

from .topics import Topic


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user_scope(user).sees_all:
            return self.all()  # no semi-join against every KSM in the country
        return self.filter(group__in=SelfHelpGroup.objects.visible_to(user))


class Visit(OnceKeyed, Audited):
    """A facilitator's mentoring visit (pendampingan) to one KSM."""

    group = models.ForeignKey(
        SelfHelpGroup, verbose_name=_("KSM"), on_delete=models.PROTECT, related_name="visits"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="mentoring_visits",
    )
    visit_date = models.DateField(_("visit date"))
    attendees = models.ManyToManyField(
        Member, verbose_name=_("members present"), related_name="mentoring_visits", blank=True
    )
    other_attendees = models.CharField(
        _("others present"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the village head or a BUMDes manager."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics discussed"), related_name="visits", blank=True
    )
    discussion = models.TextField(_("what was discussed"), blank=True)
    findings = models.TextField(_("findings"))

    past_date_fields = ("visit_date",)

    objects = VisitQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(findings=""),
                name="visit_findings_not_blank",
                violation_error_message=_("Write down what was found on the visit."),
            ),
        ]
        indexes = [
            models.Index(fields=["group", "visit_date"], name="visit_group_date_idx"),
            models.Index(fields=["facilitator", "visit_date"], name="visit_facilitator_idx"),
        ]

    def __str__(self):
        return f"{self.group} {self.visit_date:%d-%m-%Y}"

    def get_absolute_url(self):
        return reverse("training:visit_detail", args=[self.pk])


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FollowUpActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user_scope(user).sees_all:
            return self.all()  # no semi-join against every KSM in the country
        return self.filter(group__in=SelfHelpGroup.objects.visible_to(user))

    def open(self):
        return self.filter(status=FollowUpStatus.OPEN)


class FollowUpAction(OnceKeyed, Audited):
    """What must follow a visit: what, who, by when, and whether it was done."""

    Status = FollowUpStatus

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="actions"
    )
    # The visit's group, kept here so a KSM's open actions and a facilitator's overdue ones
    # are read from one indexed table.
    group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("KSM"),
        on_delete=models.PROTECT,
        related_name="follow_up_actions",
        editable=False,
    )
    description = models.CharField(_("what"), max_length=250)
    responsible = models.CharField(_("who"), max_length=120)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    closed_date = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closing_note = models.CharField(_("note"), max_length=250, blank=True)

    past_date_fields = ("closed_date",)

    objects = FollowUpActionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values),
                name="followup_status_valid",
                violation_error_message=_("Unknown follow-up status."),
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_date__isnull=True))
                | (~Q(status="open") & Q(closed_date__isnull=False)),
                name="followup_closed_date_iff_closed",
                violation_error_message=_(
                    "A done or dropped action has the date it was closed; an open one has none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="followup_description_not_blank",
                violation_error_message=_("Say what must be done."),
            ),
            models.CheckConstraint(
                condition=~Q(responsible=""),
                name="followup_responsible_not_blank",
                violation_error_message=_("Say who will do it."),
            ),
        ]
        indexes = [
            models.Index(fields=["group", "status", "due_date"], name="followup_group_idx"),
            models.Index(fields=["status", "due_date"], name="followup_due_idx"),
        ]

    def __str__(self):
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    def clean(self):
        super().clean()
        visit = self.visit if self.visit_id else None
        if visit is not None and self.due_date and self.due_date < visit.visit_date:
            raise ValidationError(
                {"due_date": _("The due date cannot be before the visit.")}, code="due_early"
            )
        if visit is not None and self.closed_date and self.closed_date < visit.visit_date:
            raise ValidationError(
                {"closed_date": _("An action cannot be closed before the visit that set it.")}
            )
