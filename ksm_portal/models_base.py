"""Abstract model pieces shared by every app."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def reject_future_dates(instance: models.Model, *field_names: str) -> None:
    """Raise a field error for any of the given dates that lies after today (Asia/Jakarta)."""
    today = timezone.localdate()
    errors = {}
    for name in field_names:
        value = getattr(instance, name, None)
        if isinstance(value, datetime.date) and value > today:
            errors[name] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)


class Audited(models.Model):
    """Who made a row and when; set by services, shown read-only in admin."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # Dates that record what happened, so cannot lie ahead; checked by clean() for the
    # services, the forms and admin alike.
    past_date_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        reject_future_dates(self, *self.past_date_fields)


AUDIT_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")
