from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Trainings and their attendance, mentoring visits with follow-up actions, group grading
    (a rubric and levels kept as data) and the facilitator's agenda."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("Training and mentoring")
