from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training and mentoring of groups. Its models arrive with the training issue;
    the app is registered now so the project layout and URL space are settled."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("Training and mentoring")
