"""What range, date or period a report covers (GET forms, on every report page: their boxes
and selects are written by `ksm_portal.inputs`, without Django's widget templates)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksm_portal.forms import DateField, DateInput
from ksm_portal.inputs import LightBoundField

from ..selectors import Period


class DateRangeForm(forms.Form):
    bound_field_class = LightBoundField

    date_from = DateField(label=gettext_lazy("From"), widget=DateInput())
    date_to = DateField(label=gettext_lazy("To"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        for field in self.fields.values():
            field.widget.attrs.update({"max": today, "class": "form-control form-control-sm"})

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


class AsOfForm(forms.Form):
    bound_field_class = LightBoundField

    date = DateField(label=gettext_lazy("As of"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs.update(
            {"max": timezone.localdate().isoformat(), "class": "form-control form-control-sm"}
        )


class PeriodForm(forms.Form):
    bound_field_class = LightBoundField

    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[("year", gettext_lazy("Year")), ("month", gettext_lazy("Month"))],
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=9999)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"), choices=list(MONTHS.items()), coerce=int
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["month"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["year"].widget.attrs.update(
            {"class": "form-control form-control-sm", "inputmode": "numeric"}
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start = datetime.date(data["year"], data["month"] if data["period"] == "month" else 1, 1)
        if start > timezone.localdate():
            self.add_error(None, _("This period has not started yet."))
        else:
            data["report_period"] = Period.of(data["period"], data["year"], data["month"])
        return data
