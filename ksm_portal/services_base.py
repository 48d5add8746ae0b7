"""Helpers every service uses to write one validated row."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

_trusted = ContextVar("ksm_trusted_rows", default=False)


@contextmanager
def generated_rows():
    """For loaders of rows they generate themselves (the demo): inside, `row_clean` checks
    each row's fields and its model's `clean`, but leaves its foreign keys, unique fields and
    constraints to the database alone instead of first asking the database about each one
    (a query per key and per constraint, for a message nobody reads; about a fifth of the
    demo's loading time). The services' own rules all still run, and the database still
    refuses any row that breaks a constraint: the IntegrityError rolls the load back."""
    token = _trusted.set(True)
    try:
        yield
    finally:
        _trusted.reset(token)


def row_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """`full_clean` as a form would (fields, clean, unique fields and constraints, with their
    messages); inside `generated_rows`, fields and clean only."""
    if not _trusted.get():
        instance.full_clean(exclude=exclude)
        return
    skipped = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    instance.full_clean(
        exclude=[*(exclude or ()), *skipped], validate_unique=False, validate_constraints=False
    )


def validated_save(instance: models.Model, *, actor=None, exclude: list[str] | None = None):
    """Validate the row as a form would (fields, clean, constraints) and save it.

    The database constraints stay the last word: if a concurrent write wins the race, the
    IntegrityError is turned back into the constraint's own message.
    """
    _stamp(instance, actor)
    row_clean(instance, exclude=exclude)
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
