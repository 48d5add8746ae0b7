"""A form field in Bootstrap 5 markup without crispy's per-field template overhead.

`{{ form.q|compact_field }}` gives what `|as_crispy_field` gives for the plain fields of a
filter form (wrapper, label, widget with Bootstrap's class, help text, errors; the same ids
and aria attributes), built in Python, its inputs and selects written as `ksm_portal.inputs`
writes them: a filter form is on many list pages, rendered on every request.
"""

from django import forms, template
from django.utils.html import format_html, format_html_join

from ksm_portal.inputs import light_widget

register = template.Library()


def _widget_class(widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


@register.filter
def compact_field(field):
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    if _widget_class(widget) not in classes:
        classes.append(_widget_class(widget))
    attrs = {}
    if field.errors:
        classes.append("is-invalid")
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_helptext"
    attrs["class"] = " ".join(classes)
    label = ""
    if field.label:
        required = ""
        if field.field.required:
            required = format_html('<span class="asteriskField">{}</span>', "*")
        label = format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            field.id_for_label,
            " requiredField" if field.field.required else "",
            field.label,
            required,
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
        )
    errors = format_html_join(
        "",
        '<p id="error_{}_{}" class="invalid-feedback"><strong>{}</strong></p>',
        ((index, field.auto_id, error) for index, error in enumerate(field.errors, start=1)),
    )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        field.auto_id,
        label,
        light_widget(field, attrs),
        errors,
        help_text,
    )
