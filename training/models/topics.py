"""Training topics: a managed list; the core ones every KSM's chair and treasurer should
attend."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Topic(models.Model):
    """A training topic. Core topics are those every KSM's chair and treasurer should attend."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_core = models.BooleanField(
        _("core topic"),
        default=False,
        help_text=_("Every KSM's chair and treasurer should attend a training on it."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training topic")
        verbose_name_plural = _("training topics")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="topic_name_not_blank",
                violation_error_message=_("A topic needs a name."),
            ),
        ]

    def __str__(self):
        return self.name
