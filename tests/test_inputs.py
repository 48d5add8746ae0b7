"""Boxes written without Django's widget templates (`ksm_portal.inputs`) are the very HTML
Django writes: same attributes, same order, same escaping, errors and help text wired up."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from ksm_portal.forms import DateInput
from ksm_portal.inputs import LightBoundField


class Boxes(forms.Form):
    amount = forms.CharField(
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "data-cash": "in"}),
    )
    name = forms.CharField(label="Name", help_text="As on the KTP.")
    count = forms.IntegerField(min_value=0, disabled=True, initial=3)
    present = forms.BooleanField(required=False, initial=True)
    absent = forms.BooleanField(required=False)
    on_sheet = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
    day = forms.DateField(widget=DateInput(attrs={"max": "2026-12-31"}))
    note = forms.CharField(required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(choices=[("a", "A <b>"), ("b", "B")], required=False)


class LightBoxes(Boxes):
    bound_field_class = LightBoundField


def both(data=None, initial=None):
    django, light = Boxes(data, initial=initial), LightBoxes(data, initial=initial)
    if data is not None:
        django.is_valid(), light.is_valid()
    return django, light


def test_unbound_boxes_are_written_as_django_writes_them():
    django, light = both(initial={"day": datetime.date(2017, 2, 10), "amount": 'a"<&>'})
    for name in django.fields:
        assert str(light[name]) == str(django[name]), name


def test_bound_boxes_with_errors_and_typed_values_are_written_as_django_writes_them():
    data = {"amount": "x" * 40 + '"><script>', "name": "", "present": "on", "day": "10-02-2017"}
    django, light = both(data)
    assert light.errors == django.errors and light.errors["name"] and light.errors["amount"]
    for name in django.fields:
        assert str(light[name]) == str(django[name]), name
    box = str(light["amount"])
    assert 'aria-invalid="true"' in box and 'aria-describedby="id_amount_error"' in box
    assert "<script>" not in box and "&lt;script&gt;" in box
    assert 'aria-describedby="id_name_helptext id_name_error"' in str(light["name"])


def test_a_box_in_a_form_without_ids_and_with_extra_attributes_matches_django():
    django, light = Boxes(auto_id=False), LightBoxes(auto_id=False)
    for name in django.fields:
        assert str(light[name]) == str(django[name]), name
    attrs = {"class": "form-control is-invalid", "autofocus": True, "hidden": False}
    assert light["amount"].as_widget(attrs=attrs) == django["amount"].as_widget(attrs=attrs)
    assert light["amount"].as_hidden() == django["amount"].as_hidden()


def test_plain_boxes_and_selects_skip_the_widget_templates_other_widgets_keep_them(monkeypatch):
    def through_a_template(*args, **kwargs):
        raise AssertionError("rendered through a widget template")

    monkeypatch.setattr(forms.Widget, "_render", through_a_template)
    light = LightBoxes({"amount": "25.000", "present": "on"})
    for name in ("amount", "name", "count", "present", "absent", "on_sheet", "day"):
        assert str(light[name]).startswith("<input ")
    assert str(light["kind"]).startswith("<select ")
    for name in ("note",):
        try:
            str(light[name])
        except AssertionError:
            continue
        raise AssertionError(f"{name} skipped its template")


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", 'A "<b>" & co'), ("b", "B")])
    grouped = forms.ChoiceField(
        choices=[("Jawa", [("33", "Jawa Tengah"), ("35", "Jawa Timur")]), ("x", "Lain")],
        required=False,
        help_text="Provinsi",
    )
    many = forms.MultipleChoiceField(choices=[("1", "Satu"), ("2", "Dua")], required=False)
    maybe = forms.NullBooleanField(required=False)
    user = forms.ModelChoiceField(queryset=None, required=False)
    lazy = forms.ChoiceField(choices=[("id", _lazy("Indonesian"))], required=False)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("pk")


class LightChoices(Choices):
    bound_field_class = LightBoundField


def test_selects_are_written_as_django_writes_them(db):
    from tests.groups.factories import UserFactory

    users = [UserFactory(first_name='Tono "<x>"'), UserFactory()]
    for data in (
        None,
        {"plain": "a", "grouped": "35", "many": ["1", "2"], "maybe": "true", "user": users[1].pk},
        {"plain": "zz", "grouped": "nope", "user": "999999"},  # refused: errors on the boxes
    ):
        django, light = Choices(data), LightChoices(data)
        if data is not None:
            assert django.is_valid() == light.is_valid()
        for name in django.fields:
            assert str(light[name]) == str(django[name]), name
    assert "<select" in str(light["grouped"]) and "<optgroup" in str(light["grouped"])


def test_the_compact_filter_field_writes_the_select_django_writes(db):
    from ksm_portal.templatetags.ksm_forms import compact_field

    form = Choices({"plain": "b"})
    light = str(compact_field(form["plain"]))
    assert '<option value="b" selected>B</option>' in light
    django = str(form["plain"].as_widget(attrs={"class": "form-select"}))
    assert django in light


def test_the_report_forms_boxes_and_selects_are_the_ones_django_writes():
    from django.forms.boundfield import BoundField

    from finance.forms.loans import LoanFilterForm
    from finance.forms.reports import AsOfForm, DateRangeForm, PeriodForm

    for form in (
        DateRangeForm(),
        DateRangeForm({"date_from": "2017-03-01", "date_to": "2017-01-01"}),
        AsOfForm({"date": "not a date"}),
        PeriodForm({"period": "month", "month": "3", "year": "2017"}),
        PeriodForm({"period": "decade", "year": "-5"}),
        LoanFilterForm({"status": "active"}),
    ):
        form.is_bound and form.is_valid()
        for name, field in form.fields.items():
            assert isinstance(form[name], LightBoundField)
            assert str(form[name]) == str(BoundField(form, field, name)), (type(form), name)
