from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "villages"
    verbose_name = _("Regions and BUMDes")

    def ready(self):
        from ksm_portal.scope import register_scope_provider

        from . import receivers
        from .models import facilitator_scope

        register_scope_provider(facilitator_scope)
        receivers.connect()
