from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The programme at a glance: rollups of every book and register up the region tree, the
    dashboard and the program overview. Above the apps it sums (groups, finance, training)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from . import receivers  # noqa: F401
