"""What the loan services share: the money's source, a date not in the future."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

SAVINGS_ROLES = ("savings_principal", "savings_mandatory", "savings_voluntary")
SOURCES = ("cash", "bank")


def _source(source: str) -> str:
    if source not in SOURCES:
        raise ValidationError({"source": _("Choose cash or bank.")})
    return source


def _today_or_past(value: datetime.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
