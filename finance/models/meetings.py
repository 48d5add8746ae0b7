"""The monthly meeting (rapat bulanan): one sheet per KSM and meeting date, a line per member
with attendance and what they paid, each paying line posted as one journal entry."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groups.models import Member, SelfHelpGroup

from .books import MONEY, ZERO, Book, JournalEntry
from .loans import Loan


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return Book.objects.visible_to_rows(self, user)


class Meeting(models.Model):
    group = models.ForeignKey(
        SelfHelpGroup, verbose_name=_("KSM"), on_delete=models.PROTECT, related_name="meetings"
    )
    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="meetings"
    )
    meeting_date = models.DateField(_("meeting date"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    members_count = models.PositiveSmallIntegerField(_("members"))
    present_count = models.PositiveSmallIntegerField(_("present"))
    total_in = models.DecimalField(_("received"), default=ZERO, **MONEY)
    total_out = models.DecimalField(_("paid out"), default=ZERO, **MONEY)
    cash_before = models.DecimalField(_("cash before"), default=ZERO, **MONEY)
    cash_after = models.DecimalField(_("cash after"), default=ZERO, **MONEY)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly meeting")
        verbose_name_plural = _("monthly meetings")
        ordering = ["group", "-meeting_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "meeting_date"],
                name="meeting_one_per_group_and_date",
                violation_error_message=_("This KSM's meeting on this date is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(present_count__lte=models.F("members_count")),
                name="meeting_present_within_members",
                violation_error_message=_("More members present than on the list."),
            ),
            models.CheckConstraint(
                condition=Q(total_in__gte=0) & Q(total_out__gte=0),
                name="meeting_totals_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["book", "meeting_date"], name="meeting_book_date_idx")]

    def __str__(self):
        return f"{self.group} {self.meeting_date:%d-%m-%Y}"

    def get_absolute_url(self):
        return reverse("finance:meeting", args=[self.book_id, self.pk])

    @property
    def attendance_rate(self):
        if not self.members_count:
            return None
        return self.present_count * 100 / self.members_count


class MeetingLine(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="lines"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(_("present"), default=False)
    paid_for = models.BooleanField(
        _("titip"),
        default=False,
        help_text=_("Absent, but someone paid the wajib or instalment for the member."),
    )
    mandatory = models.DecimalField(_("simpanan wajib"), default=ZERO, **MONEY)
    voluntary_in = models.DecimalField(_("sukarela in"), default=ZERO, **MONEY)
    voluntary_out = models.DecimalField(_("sukarela out"), default=ZERO, **MONEY)
    loan = models.ForeignKey(
        Loan,
        verbose_name=_("loan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    repayment = models.DecimalField(_("loan instalment"), default=ZERO, **MONEY)
    fine = models.DecimalField(
        _("other fines"), default=ZERO, **MONEY, help_text=_("Absence or lateness fines.")
    )
    entry = models.OneToOneField(
        JournalEntry,
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_line",
    )

    class Meta:
        verbose_name = _("meeting line")
        verbose_name_plural = _("meeting lines")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="meeting_line_member_once"),
            models.CheckConstraint(
                condition=(
                    Q(mandatory__gte=0)
                    & Q(voluntary_in__gte=0)
                    & Q(voluntary_out__gte=0)
                    & Q(repayment__gte=0)
                    & Q(fine__gte=0)
                ),
                name="meeting_line_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(repayment=0) | Q(loan__isnull=False),
                name="meeting_line_repayment_has_loan",
                violation_error_message=_("An instalment needs the member's loan."),
            ),
            models.CheckConstraint(
                condition=Q(present=True) | Q(paid_for=True) | (Q(mandatory=0) & Q(repayment=0)),
                name="meeting_line_absent_pays_only_by_titip",
                violation_error_message=_(
                    "An absent member's wajib or instalment needs the titip box ticked."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.meeting} {self.member}"

    @property
    def total_in(self):
        return self.mandatory + self.voluntary_in + self.repayment + self.fine
