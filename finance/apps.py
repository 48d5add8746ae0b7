from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    verbose_name = _("Books")

    def ready(self):
        # The loans and surplus modules register their rules with the journal when imported.
        from . import receivers, services  # noqa: F401
        from .services import surplus  # noqa: F401

        receivers.connect()
