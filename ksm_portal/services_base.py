"""Helpers every service uses to write one validated row."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


def validated_save(instance: models.Model, *, actor=None, exclude: list[str] | None = None):
    """Validate the row as a form would (fields, clean, constraints) and save it.

    The database constraints stay the last word: if a concurrent write wins the race, the
    IntegrityError is turned back into the constraint's own message.
    """
    _stamp(instance, actor)
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


def _stamp(instance: models.Model, actor) -> None:
    """Who made (on a new row) and last changed the row."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        if hasattr(instance, "created_by_id") and instance._state.adding:
            instance.created_by = actor
        if hasattr(instance, "updated_by_id"):
            instance.updated_by = actor
        # The history row names the actor also when no request is running (imports, commands).
        instance._history_user = actor


def validated_for_bulk(instances, *, actor=None) -> None:
    """Validate new rows as `validated_save` would, for a `bulk_create`, minus the per-row
    queries: the caller has checked uniqueness for the whole batch at once, and the foreign
    keys are the objects themselves (Django's existence query per key would be the whole
    cost of a 50,000-row import). The database constraints stay the last word: an
    IntegrityError rolls the whole batch back."""
    for instance in instances:
        _stamp(instance, actor)
        instance.clean_fields(
            exclude=[f.name for f in instance._meta.concrete_fields if f.is_relation]
        )
        instance.clean()
