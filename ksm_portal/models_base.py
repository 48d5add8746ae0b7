"""Abstract model pieces shared by every app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        abstract = True


AUDIT_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")
