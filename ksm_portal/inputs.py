"""Plain `<input>` boxes written without the template engine.

Django renders every widget through its template (`django/forms/widgets/input.html` and the
attribute loop it includes): about half a millisecond a box, which a page of a hundred boxes
(the meeting sheet of a 25-member KSM) pays a hundred times. A form whose `bound_field_class`
is `LightBoundField` writes the same `<input>` in Python: the attributes Django would give it
(`id`, `aria-invalid`, `aria-describedby`, `required`, `checked`, ...) in the same order, the
value formatted by the widget, everything escaped as the template escapes it. Selects (a filter
form's regions, statuses and kinds, on every list page) are written the same way, as
django/forms/widgets/select.html writes them. Any other widget (textareas, multi-widgets) and
the hidden initial of a changed-data field go through Django as before.
"""

import html

from django.forms.boundfield import BoundField
from django.forms.widgets import Input, Select
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

# The stock widget templates that are nothing but django/forms/widgets/input.html.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


def escape(value) -> str:
    """What `conditional_escape` returns (safe text as it is, anything else escaped), without
    the lazy-argument wrapper that makes it cost several times as much; for HTML written in
    Python a thousand values a page."""
    if type(value) is str:
        return html.escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


_text = escape  # as {{ value|stringformat:"s" }} in a template


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(parts: list, attrs: dict) -> None:
    """django/forms/widgets/attrs.html"""
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')


def input_html(widget: dict) -> SafeString:
    """The `<input>` of a widget context (`Widget.get_context(...)["widget"]`), as
    django/forms/widgets/input.html writes it."""
    parts = [f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_text(widget["value"])}"')
    _attrs(parts, widget["attrs"])
    parts.append(">")
    return mark_safe("".join(parts))


def select_html(widget: dict) -> SafeString:
    """The `<select>` of a Select widget context, as django/forms/widgets/select.html and
    select_option.html write it (their whitespace included)."""
    parts = [f'<select name="{_text(widget["name"])}"']
    _attrs(parts, widget["attrs"])
    parts.append(">")
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(f'\n  <option value="{_text(option["value"])}"')
            _attrs(parts, option["attrs"])
            parts.append(f">{_text(option['label'])}</option>\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


def is_plain_input(widget) -> bool:
    return isinstance(widget, Input) and widget.template_name in INPUT_TEMPLATES


def is_plain_select(widget) -> bool:
    return (
        isinstance(widget, Select)
        and widget.template_name == SELECT_TEMPLATE
        and widget.option_template_name == OPTION_TEMPLATE
    )


class LightBoundField(BoundField):
    """A bound field whose plain `<input>` or `<select>` is written in Python (see the module
    docstring)."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        write = input_html if is_plain_input(widget) else select_html
        if only_initial or not (is_plain_input(widget) or is_plain_select(widget)):
            return super().as_widget(widget, attrs, only_initial)
        if self.field.localize:
            widget.is_localized = True
        attrs = self.build_widget_attrs(attrs or {}, widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        return write(widget.get_context(self.html_name, self.value(), attrs)["widget"])


def light_widget(field: BoundField, attrs: dict) -> SafeString:
    """`field.as_widget(attrs=attrs)` for a bound field of any form, written as
    `LightBoundField` writes it."""
    if type(field) is BoundField:
        field = LightBoundField(field.form, field.field, field.name)
    return field.as_widget(attrs=attrs)
