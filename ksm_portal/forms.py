import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every date a user types lies within these: anything else is a typo (9999-12-31, 0201-03-05),
# and date arithmetic on it (a loan's schedule, a month's end) would fail.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, ValidationError(errors))


def validate_sensible_date(value) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
        self.attrs.setdefault("min", EARLIEST_DATE.isoformat())


class DateField(forms.DateField):
    """A date between 1900 and 2100 (`validate_sensible_date`), for a form that is not a
    CrispyMixin form (those bound every date field they have)."""

    default_validators = [validate_sensible_date]


def bound_dates(form) -> None:
    """Every date field of the form (its own, a model's, one added in __init__) refuses a date
    outside 1900 to 2100."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and validate_sensible_date not in field.validators:
            field.validators.append(validate_sensible_date)


class CrispyMixin:
    """Bootstrap layout without a <form> tag: templates own the form element and buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        today = timezone.localdate().isoformat()
        for field in self.fields.values():
            if isinstance(field.widget, DateInput):
                field.widget.attrs.setdefault("max", today)
        bound_dates(self)

    def full_clean(self):
        bound_dates(self)  # a date field added after __init__ too
        super().full_clean()
