"""Logins: the staff permissions, and the one-time activation codes officers receive from
their facilitator instead of an e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffPermission(models.Model):
    """Holds the staff permissions (no table). `ksm_portal.scope` reads them by name; the
    staff role groups in `accounts.roles` grant them."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_all_regions", _("Can see every region, KSM and book")),
            (
                "change_register",
                _("Can register and change KSM, members, BUMDes and cooperatives anywhere"),
            ),
            ("post_entries", _("Can post to and correct any books")),
            ("reopen_periods", _("Can reopen a closed month")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class ActivationCodeQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class ActivationCode(models.Model):
    """A code handed to an officer on a slip: with their username it lets them set their own
    password once. Only a hash is kept; a new code revokes the previous one."""

    MAX_FAILURES = 5

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="activation_codes",
    )
    code_hash = models.CharField(_("code (hashed)"), max_length=128, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("wrong guesses"), default=0)

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="activation_one_open_per_user",
                violation_error_message=_("This login already has an open activation code."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="activation_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class LoginEvent(models.Model):
    """Every activation attempt and every login, successful or not: the record behind the
    activation throttle, and the audit trail of who came in (and who tried) from where."""

    class Kind(models.TextChoices):
        ACTIVATION_OK = "activation_ok", _("Activation")
        ACTIVATION_FAILED = "activation_failed", _("Failed activation")
        LOGIN_OK = "login_ok", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        UNLOCKED = "unlocked", _("Unlocked by staff")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    username = models.CharField(_("username"), max_length=150)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("login event")
        verbose_name_plural = _("login events")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "activation_ok",
                        "activation_failed",
                        "login_ok",
                        "login_failed",
                        "unlocked",
                    ]
                ),
                name="login_event_kind_valid",
            )
        ]
        indexes = [
            models.Index(fields=["ip_address", "kind", "at"], name="login_event_ip_idx"),
            models.Index(fields=["username", "kind", "at"], name="login_event_user_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class RolesVersion(models.Model):
    """A stamp per login that changes whenever what the login may reach changes (its groups
    and permissions, facilitator assignments, KSM offices, BUMDes and cooperative offices).
    It is read with the user row on every request (`accounts.backends`), so a scope kept in
    the session is used only while the stamp it was worked out under still holds."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="roles_version",
        verbose_name=_("user account"),
    )
    stamp = models.BigIntegerField(_("roles stamp"), default=0)

    class Meta:
        verbose_name = _("roles version")
        verbose_name_plural = _("roles versions")
        default_permissions = ()

    def __str__(self):
        return f"{self.user_id}: {self.stamp}"
