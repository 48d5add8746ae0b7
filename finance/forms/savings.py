"""The savings rules form of a KSM's book settings."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ksm_portal.forms import CrispyMixin, DateInput

from ..models import Book
from .meetings import SheetAmountField


class SavingsRuleForm(CrispyMixin, forms.Form):
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=DateInput(),
        help_text=_("The first day the amounts apply; earlier dates keep the earlier rule."),
    )
    pokok = SheetAmountField(
        label=_("Simpanan pokok (once per member)"),
        help_text=_("Paid once when joining; 0 or empty when the group asks none."),
    )
    wajib = SheetAmountField(
        label=_("Simpanan wajib per meeting"),
        help_text=_("Prefilled on the meeting sheet for every member present."),
    )

    def __init__(self, data=None, *, book: Book, **kwargs):
        self.book = book
        super().__init__(data, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["valid_from"].widget.attrs["min"] = book.opening_date.isoformat()
        for name in ("pokok", "wajib"):
            self.fields[name].widget.attrs["placeholder"] = "25.000"
