from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Logins and staff roles")

    def ready(self):
        from . import receivers  # noqa: F401  (logins into the audit trail)
        from .receivers import connect_roles_receivers
        from .roles import staff_roles_sync

        connect_roles_receivers()

        # After every migrate: the staff role groups hold exactly the permissions in roles.py,
        # new models' permissions included.
        post_migrate.connect(staff_roles_sync, dispatch_uid="accounts.staff_roles_sync")
