"""The monthly meeting sheet: one line per member with attendance and amounts.

The fields are named by member id (`m<id>-mandatory`, ...), so a sheet sent back is read
against the members it was filled in for whatever their order. Amounts read as the treasurer
forms read them ("25000", "25.000", "Rp 25.000"); an empty box or 0 is nothing. The boxes show
amounts with Indonesian thousands dots ("25.000"), as static/js/meeting_sheet.js writes them
while the treasurer types.

An absent member pays no wajib and no instalment unless the "titip" box says someone paid it
for them (`m<id>-paid_for`); the page clears those two boxes when attendance is unticked, and
the service refuses them otherwise, so the sheet works the same without JavaScript.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ksm_portal.forms import DateField
from ksm_portal.inputs import LightBoundField
from ksm_portal.once import OneTimeTokenForm

from .. import tokens
from ..models import ZERO, Book
from ..selectors.meetings import Sheet, SheetRow
from ..services.meetings import ABSENT_REFUSED, AMOUNT_FIELDS, SheetLine
from .records import AMOUNT_MAX_CHARS, parse_amount

LINE_FIELD = re.compile(r"^m\d+-")
ON_SHEET = re.compile(r"^m(\d+)-on_sheet$")
ZERO_TEXT = re.compile(r"^(?:rp\.?\s*)?0+(?:,0{1,2}|,-{1,2})?$", re.IGNORECASE)

LABELS = {
    "mandatory": _("Wajib"),
    "voluntary_in": _("Sukarela in"),
    "voluntary_out": _("Sukarela out"),
    "repayment": _("Instalment"),
    "fine": _("Other fines"),
}
# Which way each amount moves the cash box (for the running total on the page).
CASH_SIGN = {
    "mandatory": "in",
    "voluntary_in": "in",
    "voluntary_out": "out",
    "repayment": "in",
    "fine": "in",
}


class SheetAmountField(forms.CharField):
    """An amount box of the sheet: empty or 0 means nothing."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=AMOUNT_MAX_CHARS, **kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "inputmode": "numeric",
            "autocomplete": "off",
            "class": "form-control",
        }

    def clean(self, value):
        value = super().clean(value)
        text = " ".join(str(value or "").split())
        if not text or ZERO_TEXT.match(text):
            return ZERO
        return parse_amount(text)


def plain(amount) -> str:
    """An amount as the box shows it: 25.000, or 1.250,50 with cents."""
    if not amount:
        return ""
    whole = f"{int(amount):,}".replace(",", ".")
    if amount == amount.to_integral_value():
        return whole
    return f"{whole},{f'{amount:.2f}'.split('.')[1]}"


class MeetingSheetForm(OneTimeTokenForm, forms.Form):
    # A hundred boxes for 25 members: written without Django's widget templates.
    bound_field_class = LightBoundField

    meeting_date = DateField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, data=None, *, book: Book, sheet: Sheet, token: str | None = None):
        super().__init__(data, initial={"meeting_date": sheet.on_date})
        self.book, self.sheet = book, sheet
        self.row_errors: dict[int, list[str]] = {}
        self.init_token(
            lambda: tokens.token_new(book), lambda signed: tokens.token_key(book, signed), token
        )
        for row in sheet.rows:
            prefix = f"m{row.member.pk}-"
            self.fields[prefix + "on_sheet"] = forms.BooleanField(
                required=False, initial=True, widget=forms.HiddenInput
            )
            self.fields[prefix + "present"] = forms.BooleanField(
                label=_("Present"),
                required=False,
                initial=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[prefix + "paid_for"] = forms.BooleanField(
                label=_("Titip"),
                required=False,
                help_text=_("Absent, but someone paid for the member."),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            initial = {"mandatory": row.wajib, "repayment": row.instalment_due}
            for name in AMOUNT_FIELDS:
                if name == "repayment" and row.loan is None:
                    continue
                field = SheetAmountField(label=LABELS[name], initial=plain(initial.get(name)))
                field.widget.attrs["data-cash"] = CASH_SIGN[name]
                if name in ABSENT_REFUSED:
                    field.widget.attrs["data-prefill"] = plain(initial.get(name))
                    field.widget.attrs["data-absent"] = "clear"
                self.fields[prefix + name] = field

    def clean(self):
        super().clean()  # the token first: a sheet without a genuine one says so
        sent = {int(match[1]) for match in map(ON_SHEET.match, self.data) if match}
        if sent != {row.member.pk for row in self.sheet.rows}:
            raise ValidationError(
                _(
                    "The member list changed since this sheet was opened (someone joined or "
                    "left). Nothing was recorded: check the sheet below and send it again."
                ),
                code="members_changed",
            )
        return super().clean()

    def sheet_lines(self) -> list[SheetLine]:
        data = self.cleaned_data
        lines = []
        for row in self.sheet.rows:
            prefix = f"m{row.member.pk}-"
            amounts = {name: data.get(prefix + name) or ZERO for name in AMOUNT_FIELDS}
            lines.append(
                SheetLine(
                    member=row.member,
                    present=bool(data.get(prefix + "present")),
                    paid_for=bool(data.get(prefix + "paid_for")),
                    **amounts,
                )
            )
        return lines

    def only_lines_wrong(self) -> bool:
        """Bound and invalid only in amount boxes: the rest of the sheet can be checked."""
        return bool(self.errors) and all(LINE_FIELD.match(name) for name in self.errors)

    def mark_problems(self, problems: dict[int, list[tuple[str | None, str]]]) -> None:
        """Mark each bad line: on its box when the problem is one amount, on the card else
        (a box the form could not read keeps that message)."""
        for member_id, found in problems.items():
            for field, message in found:
                name = f"m{member_id}-{field}"
                if field and name in self.fields:
                    if name not in self.errors:
                        self.add_error(name, message)
                else:
                    self.row_errors.setdefault(member_id, []).append(message)
        count = sum(1 for item in self.rows() if item["invalid"])
        if count:
            self.add_error(
                None,
                ngettext(
                    "Nothing was recorded: %(count)s line needs attention (marked below).",
                    "Nothing was recorded: %(count)s lines need attention (marked below).",
                    count,
                )
                % {"count": count},
            )

    def rows(self) -> list[dict]:
        """For the template: each sheet row with its bound fields and errors."""
        return [self._row(row) for row in self.sheet.rows]

    def _row(self, row: SheetRow) -> dict:
        prefix = f"m{row.member.pk}-"
        boxes = {}
        for name in AMOUNT_FIELDS:
            if prefix + name not in self.fields:
                continue
            bound = self[prefix + name]
            if bound.errors:
                bound.field.widget.attrs["class"] = "form-control is-invalid"
            boxes[name] = bound
        errors = list(self.row_errors.get(row.member.pk, []))
        invalid = bool(errors) or any(bound.errors for bound in boxes.values())
        extra = [(name, bound) for name, bound in boxes.items() if name not in ABSENT_REFUSED]
        extra_open = any(bound.errors or bound.value() for _name, bound in extra)
        present = self[prefix + "present"]
        return {
            "row": row,
            "present": present,
            "is_present": bool(present.value()),
            "paid_for": self[prefix + "paid_for"],
            "on_sheet": self[prefix + "on_sheet"],
            "mandatory": boxes.get("mandatory"),
            "repayment": boxes.get("repayment"),
            "extra": extra,
            "errors": errors,
            "invalid": invalid,
            "extra_open": extra_open,
        }
