"""The member exit form: the date the member leaves and how the rest of their savings is paid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .records import TokenForm

PAYOUT_LABELS = {"cash": _("In cash"), "bank": _("From the bank account")}


class MemberExitForm(TokenForm):
    """The date is the one previewed (changed with the page's date box, so what is posted is
    what the preview showed)."""

    payout_to = forms.ChoiceField(label=_("Pay the member"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].widget = forms.HiddenInput()
        roles = set(
            self.book.accounts.filter(role__in=PAYOUT_LABELS).values_list("role", flat=True)
        )
        self.fields["payout_to"].choices = [
            (role, label) for role, label in PAYOUT_LABELS.items() if role in roles
        ]
        self.fields["payout_to"].initial = "cash"

    def service_kwargs(self) -> dict:
        return {
            "left_date": self.cleaned_data["entry_date"],
            "payout_to": self.cleaned_data["payout_to"],
        }
