"""The bank's own entries, in plain words: interest it paid in, charges it took, the tax it
withheld on the interest. Each names the bank account; the service writes the entry."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Account, EntryKind
from .records import RecordForm


class BankAccountField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("Choose a bank account of these books.")}

    def label_from_instance(self, obj):
        return obj.name


class BankRecordForm(RecordForm):
    """Which bank account, then what every record form asks; the description may be left
    empty (the service writes one)."""

    kind = EntryKind.BANK_TRANSFER
    service = None

    bank_account = BankAccountField(
        label=_("Bank account"),
        queryset=Account.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    field_order = ["bank_account", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = services.bank_accounts(self.book)
        self.fields["bank_account"].queryset = accounts
        if accounts[:2].count() == 1:
            self.fields["bank_account"].initial = accounts.first()
        self.fields["description"].required = False
        self.fields["description"].help_text = _("Leave empty to write the kind and the account.")


class BankInterestForm(BankRecordForm):
    title = _("Bank interest")
    intro = _(
        "Interest the bank paid into the group's account, as the bank book or statement "
        "shows it. It is the group's income; it stays in the bank."
    )
    service = staticmethod(services.bank_interest_record)


class BankChargeForm(BankRecordForm):
    title = _("Bank charges")
    intro = _("Fees the bank took from the group's account: monthly administration, cards.")
    service = staticmethod(services.bank_charge_record)


class BankTaxForm(BankRecordForm):
    title = _("Tax on bank interest")
    intro = _("The tax the bank withheld from the interest it paid (shown on the statement).")
    service = staticmethod(services.bank_tax_record)


# The bank forms by the slug in their address (finance:record).
BANK_FORMS = {
    "bank-interest": BankInterestForm,
    "bank-charges": BankChargeForm,
    "bank-tax": BankTaxForm,
}
