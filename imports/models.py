"""Spreadsheet imports: one batch per uploaded file, one staged row per line of it.

A file is read into staged rows, checked in chunks (each a short request, so a 50,000-row file
never holds a request for long) and shown as a preview; nothing of it reaches the register
until the user confirms, and then the whole file is written in one transaction or not at all.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.scope import user_scope


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    READY = "ready", _("Ready to import")
    PROBLEMS = "problems", _("Has problems")
    DONE = "done", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")


class RowAction(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CREATE = "create", _("New")
    UPDATE = "update", _("Joins a KSM")
    UNCHANGED = "unchanged", _("Already there")
    PROBLEM = "problem", _("Problem")


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A batch is its uploader's; staff who see every region see every batch."""
        if user_scope(user).sees_all:
            return self.all()
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(created_by=user)


class ImportBatch(models.Model):
    Status = ImportStatus

    kind = models.CharField(_("kind"), max_length=20)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_problem = models.PositiveIntegerField(_("rows with problems"), default=0)
    rows_new = models.PositiveIntegerField(_("new rows"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows already there"), default=0)
    # Remarks about the file as a whole (a KSM left without a treasurer...): shown, not blocking.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()
    # Who uploaded, checked, imported or cancelled a file, and when; the progress of the
    # check (a save per chunk) is not history (see imports.services._recount).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rows_checked__lte=F("rows_total")), name="import_checked_le_total"
            ),
            models.CheckConstraint(
                condition=Q(status="done", finished_at__isnull=False)
                | (~Q(status="done") & Q(finished_at__isnull=True)),
                name="import_finished_iff_done",
            ),
        ]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="import_user_recent_idx"),
            models.Index(fields=["kind", "file_sha256"], name="import_file_idx"),
        ]

    def __str__(self):
        return f"{self.file_name} ({timezone.localtime(self.created_at):%d-%m-%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def kind_spec(self):
        from .kinds import kind_of

        return kind_of(self.kind)

    @property
    def percent_checked(self) -> int:
        return 100 if not self.rows_total else int(100 * self.rows_checked / self.rows_total)

    @property
    def is_open(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.READY, ImportStatus.PROBLEMS)


class ImportRow(models.Model):
    """One line of the file: what it said (as read), what it means (as checked), and its
    problems in plain Indonesian."""

    Action = RowAction

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    raw = models.JSONField(_("as written"), default=dict)
    data = models.JSONField(_("as read"), default=dict)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    action = models.CharField(
        _("result"), max_length=10, choices=RowAction.choices, default=RowAction.PENDING
    )

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="import_row_line_unique"),
            models.CheckConstraint(
                condition=Q(action__in=RowAction.values), name="import_row_action_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "action", "line"], name="import_row_action_idx"),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"
