"""The treasurer's forms: what happened, in plain words. The services write the balanced
entry; these forms only read and check what the treasurer typed.

Every record form carries a one-time token (finance.tokens), so sending it twice posts once.
"""

import re
from decimal import Decimal

import django_filters
from crispy_forms.bootstrap import PrependedText
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup
from ksm_portal.forms import CrispyMixin, DateInput
from ksm_portal.once import OneTimeTokenForm

from .. import services, tokens
from ..charts import MEMBER_LEDGER_ROLES
from ..models import (
    MONEY,
    ZERO,
    Account,
    Book,
    BusinessUnit,
    EntryKind,
    GroupBalance,
    JournalEntry,
    JournalLine,
    MemberBalance,
)
from ..money import rupiah
from ..selectors.savings import pokok_due, rule_in_force
from ..services import Line

# --- Amounts ----------------------------------------------------------------------------------

# 25000 · 25.000 · Rp 25.000 · Rp. 25.000,- · 1.250,50 (dots group thousands, a comma decimals).
# ASCII digits only (Arabic-Indic or full-width digits are refused, not read), and a grouped
# number starts with 1 to 9: "0.001" or "1.00" is ambiguous (a decimal point?), not Rp 1 or 100.
AMOUNT = re.compile(
    r"^(?:rp\.?\s*)?(?P<whole>[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)"
    r"(?:,(?P<cents>[0-9]{1,2})|,-{1,2})?$",
    re.IGNORECASE | re.ASCII,
)
NEGATIVE = re.compile(r"^(?:rp\.?\s*)?-", re.IGNORECASE)
AMOUNT_MAX_CHARS = 30
AMOUNT_EXAMPLE = _("Write the amount in rupiah, e.g. 25000 or 25.000.")
AMOUNT_DIGITS = _("Write the amount with the digits 0 to 9, e.g. 25000 or 25.000.")


def parse_amount(value) -> Decimal:
    """A positive rupiah amount as Indonesians write it, or a ValidationError that says how."""
    text = " ".join(str(value or "").split())
    if len(text) > AMOUNT_MAX_CHARS:
        raise ValidationError(_("This amount is too large."), code="too_large")
    if NEGATIVE.match(text):
        raise ValidationError(_("The amount must be more than zero."), code="negative")
    if not text.isascii():
        raise ValidationError(AMOUNT_DIGITS, code="digits")
    match = AMOUNT.match(text)
    if match is None:
        raise ValidationError(AMOUNT_EXAMPLE, code="invalid")
    number = match["whole"].replace(".", "")
    if match["cents"]:
        number += "." + match["cents"]
    try:
        return services.clean_amount(number)
    except ValidationError as error:
        raise ValidationError(error.messages) from None


class AmountField(forms.CharField):
    """A text box with the phone's number pad: "25000", "25.000" and "Rp 25.000" all work."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Amount"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "inputmode": "numeric",
            "maxlength": AMOUNT_MAX_CHARS,
            "placeholder": "25.000",
        }

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return parse_amount(value)


# --- Plain-language choices, by the account role they post to ---------------------------------

CASH_IN_LABELS = {
    "income_business": _("Business income (sales, services)"),
    "income_other": _("Other income (paid in cash)"),
    "grant": _("Grant or donation"),
}
CASH_OUT_LABELS = {
    "expense_admin": _("Administration and stationery"),
    "expense_meeting": _("Meetings"),
    "expense_honorarium": _("Officers' honorarium"),
    "expense_interest": _("Interest paid"),
    "expense_other": _("Other expenses"),
}
SAVINGS_LABELS = {
    "savings_principal": _("Principal savings (pokok)"),
    "savings_mandatory": _("Compulsory savings (wajib)"),
    "savings_voluntary": _("Voluntary savings (sukarela)"),
}
DIRECTION_CHOICES = [
    ("to_bank", _("Cash paid into the bank")),
    ("from_bank", _("Cash taken out of the bank")),
]


def _choices(book: Book, labels: dict) -> list[tuple[str, str]]:
    """The choices whose account this book has (a BUMDes has no meetings account, say)."""
    roles = set(
        book.accounts.filter(role__in=list(labels), is_active=True, is_header=False).values_list(
            "role", flat=True
        )
    )
    return [(role, label) for role, label in labels.items() if role in roles]


def active_members(book: Book):
    """The active members of the book's KSM, by name (a KSM has 10-30)."""
    return Member.objects.filter(
        Exists(Membership.objects.active().filter(group_id=book.group_id, member_id=OuterRef("pk")))
    ).order_by("full_name", "pk")


class MemberChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("Choose an active member of this KSM.")}


class VoluntaryMemberField(MemberChoiceField):
    """Each member shown with their voluntary savings balance."""

    def label_from_instance(self, obj):
        return f"{obj.full_name} · {rupiah(obj.voluntary_balance)}"


def member_groups(book: Book):
    """The KSM that are members of the book's cooperative now, by name (a cooperative has a
    few dozen)."""
    return SelfHelpGroup.objects.filter(
        Exists(
            CooperativeMembership.objects.filter(
                cooperative_id=book.cooperative_id, group_id=OuterRef("pk"), left_date__isnull=True
            )
        )
    ).order_by("name", "pk")


class GroupChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("Choose a member KSM of this cooperative.")}


class VoluntaryGroupField(GroupChoiceField):
    """Each member KSM shown with its voluntary savings balance."""

    def label_from_instance(self, obj):
        return f"{obj.name} · {rupiah(obj.voluntary_balance)}"


def _balance_of(model, account: Account | None, owner_field: str):
    """A subquery: the maintained balance of the outer row (member or KSM) on the account, in
    the account's normal direction; zero without one."""
    zero = Value(ZERO, output_field=DecimalField(**MONEY))
    if account is None:
        return zero
    held = F("credit") - F("debit") if account.sign < 0 else F("debit") - F("credit")
    return Coalesce(
        Subquery(
            model.objects.filter(account=account, **{owner_field: OuterRef("pk")})
            .annotate(held=held)
            .values("held")[:1],
            output_field=DecimalField(**MONEY),
        ),
        zero,
    )


class UnitChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("Choose a business unit of this BUMDes.")}


def _add_unit_field(form, help_text) -> None:
    """In a BUMDes's books with business units: which unit the money belongs to (optional)."""
    if form.book.kind != Book.Kind.BUMDES:
        return
    units = BusinessUnit.objects.filter(book=form.book, is_active=True).order_by("name")
    if not units.exists():
        return
    form.fields["unit"] = UnitChoiceField(
        label=_("Business unit"),
        queryset=units,
        required=False,
        empty_label=_("The BUMDes as a whole"),
        help_text=help_text,
    )
    form.order_fields([form.field_order[0], "unit", *form.field_order[1:]])
    form.set_layout()


# --- The one-time token -----------------------------------------------------------------------


class TokenForm(OneTimeTokenForm, CrispyMixin, forms.Form):
    """A form that posts to a book: the date, and the one-time token checked on POST.

    `token` is the signed token the page carries: the one submitted (or, unbound, the one
    given) when it is genuine, otherwise a fresh one. `token_key` is its idempotency key, or
    None when the token was missing, forged or of another book (a bound form is then invalid
    and says so)."""

    entry_date = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, data=None, *, book: Book, token: str | None = None, **kwargs):
        self.book = book
        super().__init__(data, **kwargs)
        self.fields["entry_date"].initial = timezone.localdate()
        self.fields["entry_date"].widget.attrs["min"] = book.opening_date.isoformat()
        self.init_token(
            lambda: tokens.token_new(book), lambda signed: tokens.token_key(book, signed), token
        )
        self.set_layout()

    def set_layout(self):
        """The amount with its "Rp" in front; again after a form adds a field of its own."""
        if "amount" in self.fields:
            self.helper.layout = Layout(
                *(PrependedText(name, "Rp") if name == "amount" else name for name in self.fields)
            )

    def amount_to_confirm(self):
        """The amount an unusual-amount check looks at (finance.forms.unusual), if any."""
        return self.cleaned_data.get("amount")


class RecordForm(TokenForm):
    """What every record form asks: date, amount, description, receipt number."""

    amount = AmountField()
    description = forms.CharField(label=_("Description"), max_length=200)
    receipt_ref = forms.CharField(label=_("Receipt number"), max_length=40, required=False)

    field_order = ["entry_date", "amount", "description", "receipt_ref"]
    kind = ""
    title = ""
    intro = ""

    def service_kwargs(self) -> dict:
        """The cleaned data in the service's own words."""
        return dict(self.cleaned_data)


class CashInForm(RecordForm):
    kind = EntryKind.CASH_IN
    title = _("Cash received")
    intro = _("Money that came into the cash box: sales, a grant, other income.")

    source = forms.ChoiceField(label=_("Where the money came from"), widget=forms.RadioSelect)
    field_order = ["source", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _choices(self.book, CASH_IN_LABELS)
        _add_unit_field(self, _("Income of a unit is reported with the unit."))


class CashOutForm(RecordForm):
    kind = EntryKind.CASH_OUT
    title = _("Cash paid")
    intro = _("Money paid out of the cash box for the group's costs.")

    category = forms.ChoiceField(label=_("What it was spent on"), widget=forms.RadioSelect)
    field_order = ["category", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(self.book, CASH_OUT_LABELS)
        _add_unit_field(self, _("A unit's costs are reported with the unit."))


class DepositForm(RecordForm):
    kind = EntryKind.SAVINGS_DEPOSIT
    title = _("Savings deposit")
    intro = _("A member pays savings into the cash box.")
    needs_members = True

    member = MemberChoiceField(label=_("Member"), queryset=Member.objects.none())
    savings_type = forms.ChoiceField(label=_("Kind of savings"), widget=forms.RadioSelect)
    field_order = ["member", "savings_type", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = active_members(self.book)
        self.fields["savings_type"].choices = _choices(self.book, SAVINGS_LABELS)
        self.fields["description"].required = False
        self.fields["description"].help_text = _("Leave empty to write the kind and the member.")
        self.fields["savings_type"].help_text = pokok_help(self.book, self.initial.get("member"))


def pokok_help(book: Book, member_id=None) -> str:
    """What the deposit form says about simpanan pokok: the group's amount and, for a member
    chosen already (a link from the passbook), what they still owe."""
    rule = rule_in_force(book, timezone.localdate())
    if rule is None or not rule.pokok:
        return _("Simpanan pokok is paid once per membership.")
    text = _("Simpanan pokok is %(amount)s, paid once per membership.") % {
        "amount": rupiah(rule.pokok)
    }
    account = book.accounts.filter(role="savings_principal").first()
    member = active_members(book).filter(pk=member_id).first() if member_id else None
    if account is not None and member is not None:
        due = pokok_due(book, account, timezone.localdate(), member=member)
        text += " " + _("%(member)s still owes %(due)s.") % {
            "member": member.full_name,
            "due": rupiah(due.due or 0),
        }
    return text


class WithdrawalForm(RecordForm):
    kind = EntryKind.SAVINGS_WITHDRAWAL
    title = _("Voluntary savings withdrawal")
    intro = _(
        "A member takes out some of their voluntary savings (sukarela); never more than "
        "their balance, shown next to each name."
    )
    needs_members = True

    member = VoluntaryMemberField(label=_("Member"), queryset=Member.objects.none())
    field_order = ["member", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = self.book.accounts.filter(role="savings_voluntary").first()
        self.fields["member"].queryset = active_members(self.book).annotate(
            voluntary_balance=_balance_of(MemberBalance, account, "member_id")
        )
        self.fields["description"].required = False
        self.fields["description"].help_text = _("Leave empty to write the member's name.")


class GroupDepositForm(DepositForm):
    """A cooperative's books: a member KSM pays in its savings."""

    intro = _("A member KSM pays savings into the cooperative's cash box.")
    needs_members = False
    needs_member_groups = True

    member = None
    group = GroupChoiceField(label=_("Member KSM"), queryset=SelfHelpGroup.objects.none())
    field_order = ["group", "savings_type", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        RecordForm.__init__(self, *args, **kwargs)
        self.fields["group"].queryset = member_groups(self.book)
        self.fields["savings_type"].choices = _choices(self.book, SAVINGS_LABELS)
        self.fields["description"].required = False
        self.fields["description"].help_text = _("Leave empty to write the kind and the KSM.")


class GroupWithdrawalForm(WithdrawalForm):
    """A cooperative's books: a member KSM takes out some of its voluntary savings."""

    intro = _(
        "A member KSM takes out some of its voluntary savings (sukarela); never more than "
        "its balance, shown next to each name."
    )
    needs_members = False
    needs_member_groups = True

    member = None
    group = VoluntaryGroupField(label=_("Member KSM"), queryset=SelfHelpGroup.objects.none())
    field_order = ["group", *RecordForm.field_order]

    def __init__(self, *args, **kwargs):
        RecordForm.__init__(self, *args, **kwargs)
        account = self.book.accounts.filter(role="savings_voluntary").first()
        self.fields["group"].queryset = member_groups(self.book).annotate(
            voluntary_balance=_balance_of(GroupBalance, account, "group_id")
        )
        self.fields["description"].required = False
        self.fields["description"].help_text = _("Leave empty to write the KSM's name.")


class BankForm(RecordForm):
    kind = EntryKind.BANK_TRANSFER
    title = _("Cash and bank")
    intro = _("Cash paid into the group's bank account, or taken out of it.")

    direction = forms.ChoiceField(
        label=_("Direction"), choices=DIRECTION_CHOICES, widget=forms.RadioSelect
    )
    field_order = ["direction", *RecordForm.field_order]


# --- The general journal ----------------------------------------------------------------------


class JournalLineForm(forms.Form):
    """One line of a general journal entry. Accounts and members come as plain choices built
    once for the whole formset, so a page of lines costs no query per line."""

    account = forms.ChoiceField(
        label=_("Account"),
        required=False,
        error_messages={"invalid_choice": _("Choose an account of these books.")},
    )
    member = forms.ChoiceField(
        label=_("Member"),
        required=False,
        error_messages={"invalid_choice": _("Choose an active member of this KSM.")},
    )
    debit = AmountField(label=_("Debit"), required=False)
    credit = AmountField(label=_("Credit"), required=False)

    def __init__(self, *args, accounts: dict, members: dict | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts, self.members = accounts, members
        self.fields["account"].choices = [("", "—"), *((k, str(a)) for k, a in accounts.items())]
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].choices = [
                ("", "—"),
                *((k, m.full_name) for k, m in members.items()),
            ]
        for name in ("debit", "credit"):
            self.fields[name].widget.attrs["placeholder"] = ""

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.is_blank:
            return cleaned
        account = self.accounts.get(cleaned.get("account") or "")
        member = (self.members or {}).get(cleaned.get("member") or "")
        debit, credit = cleaned.get("debit"), cleaned.get("credit")
        if account is None:
            self.add_error("account", _("Choose the account."))
        if debit and credit:
            self.add_error("credit", _("A line is either a debit or a credit, not both."))
        elif not debit and not credit:
            self.add_error("debit", _("Write the amount as a debit or a credit."))
        if (
            account is not None
            and self.members is not None
            and account.role in MEMBER_LEDGER_ROLES
            and member is None
        ):
            self.add_error("member", _("Choose the member whose savings or loan this is."))
        cleaned["line"] = Line(
            account=account, debit=debit or ZERO, credit=credit or ZERO, member=member
        )
        return cleaned

    @property
    def is_blank(self) -> bool:
        """Nothing written on the line, as the formset judges it (a box holding only spaces
        is empty): the formset does not clean such a line at all, so it must not be read."""
        return not self.has_changed()


class BaseJournalLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        lines = [form.cleaned_data["line"] for form in self.forms if not form.is_blank]
        if len(lines) < 2:
            raise ValidationError(_("A journal entry needs at least two lines."))
        debit = sum((line.debit for line in lines), ZERO)
        credit = sum((line.credit for line in lines), ZERO)
        if debit != credit:
            raise ValidationError(
                _("The entry does not balance: debits %(debit)s, credits %(credit)s.")
                % {"debit": rupiah(debit), "credit": rupiah(credit)}
            )
        self.lines = lines


GENERAL_LINES = 4
GENERAL_MAX_LINES = 30


class GeneralJournalForm(TokenForm):
    """For trained users: any balanced entry, line by line, debit and credit."""

    kind = EntryKind.GENERAL
    title = _("General journal")
    intro = _(
        "For trained treasurers: write each account's debit or credit. The debits and the "
        "credits must be equal."
    )

    description = forms.CharField(label=_("Description"), max_length=200)
    receipt_ref = forms.CharField(label=_("Receipt number"), max_length=40, required=False)

    def __init__(self, data=None, *, book: Book, lines: int = GENERAL_LINES, **kwargs):
        super().__init__(data, book=book, **kwargs)
        accounts = {
            str(account.pk): account
            for account in book.accounts.filter(is_active=True, is_header=False).order_by("code")
        }
        members = None
        if book.kind == Book.Kind.KSM:
            members = {str(member.pk): member for member in active_members(book)}
        formset_class = forms.formset_factory(
            JournalLineForm,
            formset=BaseJournalLineFormSet,
            extra=max(2, min(lines, GENERAL_MAX_LINES)),
            max_num=GENERAL_MAX_LINES,
            # A post claiming more lines builds no more forms than this (1,030 took 15 s).
            absolute_max=GENERAL_MAX_LINES,
            validate_max=True,
        )
        self.lines = formset_class(
            data, prefix="lines", form_kwargs={"accounts": accounts, "members": members}
        )

    def is_valid(self) -> bool:
        header_valid = super().is_valid()
        return self.lines.is_valid() and header_valid

    def amount_to_confirm(self):
        return sum((line.debit for line in self.lines.lines), ZERO)

    def service_kwargs(self) -> dict:
        return {
            "entry_date": self.cleaned_data["entry_date"],
            "description": self.cleaned_data["description"],
            "receipt_ref": self.cleaned_data["receipt_ref"],
            "lines": self.lines.lines,
            "kind": EntryKind.GENERAL,
        }


# --- Reversal ---------------------------------------------------------------------------------


class ReverseForm(TokenForm):
    """A correction: the mirror entry, with the reason as its description."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=150,
        help_text=_("Why this entry is wrong; it is kept with the correction."),
    )
    field_order = ["reason", "entry_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].label = _("Date of the correction")


# The record forms by the slug in their address.
RECORD_FORMS = {
    "cash-in": CashInForm,
    "cash-out": CashOutForm,
    "deposit": DepositForm,
    "withdrawal": WithdrawalForm,
    "bank": BankForm,
    "general": GeneralJournalForm,
}
FORM_FOR_KIND = {form.kind: slug for slug, form in RECORD_FORMS.items()}
# In a cooperative's books the savings forms name a member KSM instead of a member.
GROUP_RECORD_FORMS = {"deposit": GroupDepositForm, "withdrawal": GroupWithdrawalForm}


# --- The journal list's filters ---------------------------------------------------------------

REFERENCE = re.compile(r"^(\d{4})/0*(\d{1,9})$")


class JournalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    date_from = django_filters.DateFilter(
        field_name="entry_date", lookup_expr="gte", label=_("From"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="entry_date", lookup_expr="lte", label=_("To"), widget=DateInput()
    )
    account = django_filters.ModelChoiceFilter(
        queryset=Account.objects.none(), method="with_account", label=_("Account")
    )

    class Meta:
        model = JournalEntry
        fields = ["q", "kind", "date_from", "date_to", "account"]

    def __init__(self, data=None, *args, book: Book, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.form.fields["q"].widget.attrs.update(
            {"placeholder": _("Description, receipt or number"), "type": "search"}
        )
        self.form.fields["account"].queryset = book.accounts.filter(is_header=False).order_by(
            "code"
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(description__icontains=value) | Q(receipt_ref__icontains=value)
        reference = REFERENCE.match(value)
        if reference:
            condition |= Q(year=int(reference[1]), number=int(reference[2]))
        return queryset.filter(condition)

    def with_account(self, queryset, name, value):
        return queryset.filter(pk__in=JournalLine.objects.filter(account=value).values("entry_id"))
