"""Plain `<input>` boxes written without the template engine.

Django renders every widget through its template (`django/forms/widgets/input.html` and the
attribute loop it includes): about half a millisecond a box, which a page of a hundred boxes
(the meeting sheet of a 25-member KSM) pays a hundred times. A form whose `bound_field_class`
is `LightBoundField` writes the same `<input>` in Python: the attributes Django would give it
(`id`, `aria-invalid`, `aria-describedby`, `required`, `checked`, ...) in the same order, the
value formatted by the widget, everything escaped as the template escapes it. Any other widget
(selects, textareas, multi-widgets) and the hidden initial of a changed-data field go through
Django as before.
"""

import html

from django.forms.boundfield import BoundField
from django.forms.widgets import Input
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


def input_html(widget: dict) -> SafeString:
    """The `<input>` of a widget context (`Widget.get_context(...)["widget"]`), as
    django/forms/widgets/input.html writes it."""
    parts = [f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_text(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')
    parts.append(">")
    return mark_safe("".join(parts))


def is_plain_input(widget) -> bool:
    return isinstance(widget, Input) and widget.template_name in INPUT_TEMPLATES


class LightBoundField(BoundField):
    """A bound field whose plain `<input>` is written in Python (see the module docstring)."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        if only_initial or not is_plain_input(widget):
            return super().as_widget(widget, attrs, only_initial)
        if self.field.localize:
            widget.is_localized = True
        attrs = self.build_widget_attrs(attrs or {}, widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        return input_html(widget.get_context(self.html_name, self.value(), attrs)["widget"])
