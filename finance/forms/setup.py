"""Forms for setting up a book: the opening-balances wizard and the chart of accounts."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksm_portal.forms import CrispyMixin, DateField, DateInput

from .. import tokens
from ..models import Account, AccountType, Book, InterestMethod, NormalBalance
from ..services.opening import OpeningLoan, opening_loan_clean, other_accounts
from .records import AmountField, active_members


class OpeningForm(CrispyMixin, forms.Form):
    cutoff_date = forms.DateField(
        label=gettext_lazy("Cut-off date"),
        widget=DateInput(),
        help_text=gettext_lazy("The day the balances below were counted."),
    )
    cash = AmountField(label=gettext_lazy("Cash in hand"), required=False)
    bank = AmountField(label=gettext_lazy("Bank balance"), required=False)

    def __init__(self, data=None, *, book: Book, **kwargs):
        self.book = book
        super().__init__(data, **kwargs)
        self.fields["cutoff_date"].initial = book.opening_date
        self.fields["cutoff_date"].widget.attrs["min"] = book.opening_date.isoformat()
        for name in ("cash", "bank"):
            self.fields[name].widget.attrs["placeholder"] = "0"
        self.token_key, self._token_error = None, None
        if self.is_bound:
            try:
                self.token_key = tokens.token_key(book, self.data.get("token"))
            except ValidationError as error:
                self._token_error = error

    def clean(self):
        if self._token_error is not None:
            raise self._token_error
        return super().clean()

    @property
    def token(self) -> str:
        if self.token_key is not None:
            return self.data["token"]
        return tokens.token_new(self.book)


# The member row's inputs, by the savings account role they fill.
MEMBER_SAVINGS = (
    ("savings_principal", gettext_lazy("Principal (pokok)")),
    ("savings_mandatory", gettext_lazy("Compulsory (wajib)")),
    ("savings_voluntary", gettext_lazy("Voluntary (sukarela)")),
)


class RateField(forms.CharField):
    """Interest per month in percent, written "1,5", "1.5" or "1,5%"."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": 8}

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        text = value.replace("%", "").replace(",", ".").strip()
        try:
            rate = Decimal(text) if text.isascii() else None  # 0-9 only, not Arabic-Indic digits
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite():
            raise ValidationError(_("Write the interest per month as a number, e.g. 1,5."))
        return rate


# The loan's inputs on a member's row, by the OpeningLoan field each one fills.
LOAN_INPUTS = {
    "principal_left": "loan",
    "monthly_rate": "loan_rate",
    "interest_method": "loan_method",
    "remaining_months": "loan_months",
    "next_due_date": "loan_next_due",
    "instalment": "loan_instalment",
}
LOAN_TERMS = ("loan_rate", "loan_method", "loan_months", "loan_next_due", "loan_instalment")
LOAN_TERMS_NEEDED = ("loan_rate", "loan_method", "loan_months", "loan_next_due")


class MemberOpeningForm(forms.Form):
    """One member's savings by type and loan outstanding at the cut-off, with the loan's
    terms: it becomes a loan record with the schedule of the months left."""

    member = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, members: dict, roles: set, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for role, label in MEMBER_SAVINGS:
            if role in roles:
                self.fields[role] = AmountField(label=label, required=False)
        if "loans_receivable" in roles:
            self.fields["loan"] = AmountField(
                label=gettext_lazy("Loan outstanding"), required=False
            )
        for name, field in self.fields.items():
            if name != "member":
                field.widget.attrs["placeholder"] = "0"
        if "loan" in self.fields:
            self._add_loan_terms()

    def _add_loan_terms(self):
        self.fields["loan_rate"] = RateField(
            label=gettext_lazy("Interest per month (%)"), required=False
        )
        self.fields["loan_method"] = forms.ChoiceField(
            label=gettext_lazy("Interest method"),
            required=False,
            choices=[("", "—"), *InterestMethod.choices],
        )
        self.fields["loan_months"] = forms.IntegerField(
            label=gettext_lazy("Months left"), required=False, min_value=1, max_value=120
        )
        self.fields["loan_next_due"] = DateField(
            label=gettext_lazy("Next instalment due on"), required=False, widget=DateInput()
        )
        self.fields["loan_instalment"] = AmountField(
            label=gettext_lazy("Monthly instalment (optional)"),
            required=False,
            help_text=gettext_lazy("As the old ledger states it; checked against the schedule."),
        )
        self.fields["loan_rate"].widget.attrs["placeholder"] = "1,5"
        self.fields["loan_months"].widget.attrs.update({"inputmode": "numeric", "placeholder": ""})
        self.fields["loan_instalment"].widget.attrs["placeholder"] = ""
        for name in LOAN_TERMS:
            widget = self.fields[name].widget
            css = "form-select" if name == "loan_method" else "form-control"
            widget.attrs["class"] = f"{css} {css}-sm"
            widget.attrs["autocomplete"] = "off"

    def clean_member(self):
        member = self.members.get(self.cleaned_data["member"])
        if member is None:
            raise ValidationError(_("Choose an active member of this KSM."))
        return member

    def clean(self):
        cleaned = super().clean()
        if "loan" not in self.fields or "loan" in self.errors:
            return cleaned
        if cleaned.get("loan"):
            for name in LOAN_TERMS_NEEDED:
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("The loan needs this too."))
        elif any(cleaned.get(name) not in (None, "") for name in LOAN_TERMS):
            self.add_error("loan", _("Write the loan outstanding, or leave its terms empty."))
        return cleaned

    def opening_loan(self) -> OpeningLoan | None:
        """The row's loan brought forward (after is_valid), or None."""
        data = self.cleaned_data
        if not data.get("loan"):
            return None
        return OpeningLoan(
            member=data["member"],
            principal_left=data["loan"],
            monthly_rate=data["loan_rate"],
            interest_method=data["loan_method"],
            remaining_months=data["loan_months"],
            next_due_date=data["loan_next_due"],
            instalment=data.get("loan_instalment"),
        )

    @property
    def amount_fields(self):
        """The savings and the loan outstanding, for the template."""
        return [self[name] for name in self.fields if name != "member" and name not in LOAN_TERMS]

    @property
    def loan_terms(self):
        """The loan's terms, for the template."""
        return [self[name] for name in LOAN_TERMS if name in self.fields]

    @property
    def loan_open(self) -> bool:
        """Show the terms unfolded: something was typed in them or they need correcting."""
        if "loan" not in self.fields or not self.is_bound:
            return False
        names = ("loan", *LOAN_TERMS)
        typed = any((self.data.get(self.add_prefix(name)) or "").strip() for name in names)
        return typed or any(name in self.errors for name in names)

    @property
    def person(self):
        """The member this row is for (from the submitted or the initial id)."""
        key = self.data.get(self.add_prefix("member")) if self.is_bound else None
        return self.members.get(key or str(self.initial.get("member", "")))


class OtherBalanceForm(forms.Form):
    account = forms.ChoiceField(label=gettext_lazy("Account"), required=False)
    amount = AmountField(required=False)
    side = forms.ChoiceField(
        label=gettext_lazy("Side"),
        required=False,
        choices=[
            ("", gettext_lazy("Usual side")),
            ("debit", gettext_lazy("Debit")),
            ("credit", gettext_lazy("Credit")),
        ],
    )

    def __init__(self, *args, accounts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        self.fields["amount"].widget.attrs["placeholder"] = "0"
        self.fields["account"].choices = [("", "—"), *((k, str(a)) for k, a in accounts.items())]

    def clean(self):
        cleaned = super().clean()
        account = self.accounts.get(cleaned.get("account") or "")
        if cleaned.get("amount") and account is None:
            self.add_error("account", _("Choose the account."))
        cleaned["account_obj"] = account
        return cleaned


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            member = form.cleaned_data.get("member")
            if member is not None and member.pk in seen:
                raise ValidationError(_("A member is listed twice."))
            if member is not None:
                seen.add(member.pk)


OTHER_ROWS = 3


class OpeningWizard:
    """The page's three parts, validated together: the header, one row per active member,
    and a few other balances."""

    def __init__(self, data, *, book: Book):
        self.book = book
        self.form = OpeningForm(data, book=book)
        roles = set(
            book.accounts.filter(is_active=True, is_header=False)
            .exclude(role="")
            .values_list("role", flat=True)
        )
        members = {}
        if book.kind == Book.Kind.KSM:
            members = {str(member.pk): member for member in active_members(book)}
        # One row per active member and no more, whatever TOTAL_FORMS the post claims.
        rows = len(members) or 1
        member_formset = forms.formset_factory(
            MemberOpeningForm,
            formset=BaseMemberFormSet,
            extra=0,
            max_num=rows,
            absolute_max=rows,
            validate_max=True,
        )
        self.members = member_formset(
            data,
            prefix="members",
            initial=[{"member": key} for key in members],
            form_kwargs={"members": members, "roles": roles},
        )
        accounts = {str(account.pk): account for account in other_accounts(book)}
        other_formset = forms.formset_factory(
            OtherBalanceForm,
            extra=OTHER_ROWS,
            max_num=OTHER_ROWS,
            absolute_max=OTHER_ROWS,
            validate_max=True,
        )
        self.other = other_formset(data, prefix="other", form_kwargs={"accounts": accounts})

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.members.is_valid(), self.other.is_valid()]
        return all(results) and self._loans_valid()

    def _loans_valid(self) -> bool:
        """Each loan's terms against the cut-off and its schedule, shown on the row's inputs
        (the service checks them again when posting)."""
        cutoff, valid = self.form.cleaned_data["cutoff_date"], True
        for row in self.members.forms:
            item = row.opening_loan()
            if item is None:
                continue
            try:
                opening_loan_clean(item, book=self.book, cutoff_date=cutoff)
            except ValidationError as error:
                valid = False
                for key, messages in error.message_dict.items():
                    row.add_error(LOAN_INPUTS.get(key, "loan"), messages)
        return valid

    def service_kwargs(self) -> dict:
        savings, loans, other = [], [], []
        for row in self.members.forms:
            data = row.cleaned_data
            member = data["member"]
            for role, _label in MEMBER_SAVINGS:
                if data.get(role):
                    savings.append((member, role, data[role]))
            loan = row.opening_loan()
            if loan is not None:
                loans.append(loan)
        for row in self.other.forms:
            data = row.cleaned_data
            if data.get("amount") and data.get("account_obj") is not None:
                other.append((data["account_obj"], data.get("side") or None, data["amount"]))
        return {
            "cutoff_date": self.form.cleaned_data["cutoff_date"],
            "cash": self.form.cleaned_data.get("cash"),
            "bank": self.form.cleaned_data.get("bank"),
            "member_savings": savings,
            "member_loans": loans,
            "other": other,
            "token": self.form.token_key,
        }


class AccountForm(CrispyMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=12)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=AccountType.choices)
    normal_balance = forms.ChoiceField(
        label=gettext_lazy("Normal balance"),
        required=False,
        choices=[("", gettext_lazy("As usual for the type")), *NormalBalance.choices],
    )
    parent = forms.ChoiceField(label=gettext_lazy("Under heading"), required=False)
    is_header = forms.BooleanField(
        label=gettext_lazy("Heading only (groups other accounts, not posted to)"),
        required=False,
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    overdraft_limit = AmountField(
        label=gettext_lazy("Overdraft limit"),
        required=False,
        help_text=gettext_lazy(
            "Only if the bank gives an overdraft facility: how far below zero the balance may "
            "go. Leave empty for none."
        ),
    )

    def __init__(self, data=None, *, book: Book, account: Account | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.book, self.account = book, account
        headers = book.accounts.filter(is_header=True).order_by("code")
        if account is not None:
            headers = headers.exclude(pk=account.pk)
        self.headers = {str(header.pk): header for header in headers}
        self.fields["parent"].choices = [
            ("", "—"),
            *((key, str(header)) for key, header in self.headers.items()),
        ]
        if account is None or account.role != "bank":
            del self.fields["overdraft_limit"]
        if account is None:
            del self.fields["is_active"]
        else:
            self.initial.update(
                {
                    "code": account.code,
                    "name": account.name,
                    "type": account.type,
                    "normal_balance": account.normal_balance,
                    "parent": str(account.parent_id or ""),
                    "is_header": account.is_header,
                    "is_active": account.is_active,
                    "overdraft_limit": account.overdraft_limit or "",
                }
            )
            if account.role or account.lines.exists():
                # The type is fixed once the forms rely on it or it has entries.
                for name in ("type", "normal_balance", "is_header"):
                    del self.fields[name]
            if account.role:
                self.fields["is_active"].disabled = True
                self.fields["is_active"].help_text = _(
                    "Used by the treasurer's forms: it stays active."
                )

    def clean_parent(self):
        key = self.cleaned_data.get("parent") or ""
        if key and key not in self.headers:
            raise ValidationError(_("Choose a heading of this chart."))
        return self.headers.get(key)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if "normal_balance" in data and not data["normal_balance"]:
            data.pop("normal_balance")
        if self.fields.get("is_active") is not None and self.fields["is_active"].disabled:
            data.pop("is_active", None)
        if "overdraft_limit" in self.fields:
            data["overdraft_limit"] = data.get("overdraft_limit") or Decimal("0")
        return data
