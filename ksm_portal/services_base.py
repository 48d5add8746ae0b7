"""Helpers every service uses to write one validated row."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _


def reject_future_dates(instance: models.Model, *field_names: str) -> None:
    """Raise a field error for any of the given dates that lies after today (Asia/Jakarta)."""
    today = timezone.localdate()
    errors = {}
    for name in field_names:
        value = getattr(instance, name, None)
        if isinstance(value, datetime.date) and value > today:
            errors[name] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)


def validated_save(instance: models.Model, *, actor=None, exclude: list[str] | None = None):
    """Validate the row as a form would (fields, clean, constraints) and save it.

    The database constraints stay the last word: if a concurrent write wins the race, the
    IntegrityError is turned back into the constraint's own message.
    """
    if actor is not None and getattr(actor, "is_authenticated", False):
        if hasattr(instance, "created_by_id") and instance._state.adding:
            instance.created_by = actor
        if hasattr(instance, "updated_by_id"):
            instance.updated_by = actor
    instance.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise integrity_to_validation(instance, error) from error
    return instance


def integrity_to_validation(instance: models.Model, error: IntegrityError) -> ValidationError:
    text = str(error)
    for constraint in instance._meta.constraints:
        if constraint.name in text:
            return ValidationError(constraint.get_violation_error_message())
    return ValidationError(_("The data conflicts with data already saved. Please check it again."))
