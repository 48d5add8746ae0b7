from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "groups"
    verbose_name = _("KSM and cooperatives")

    def ready(self):
        from ksm_portal.scope import register_scope_provider

        from . import receivers
        from .selectors import officer_scope

        register_scope_provider(officer_scope)
        receivers.connect()
