"""The loan forms: products, applications, decisions, and the forms that post (disbursement,
repayment, write-off, the loan-loss reserve, a borrowing). The services decide; these forms
read what was typed and offer only the choices that make sense for the book.

Forms that post carry the one-time token of `TokenForm`, so sending one twice posts once.
"""

from crispy_forms.bootstrap import PrependedText
from crispy_forms.layout import Layout
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup
from ksm_portal.forms import CrispyMixin, DateInput
from ksm_portal.inputs import LightBoundField

from ..charts import SAVINGS_ROLES
from ..models import MONEY, ZERO, Book, Loan, LoanProduct, MemberBalance
from ..models.books import GroupBalance
from ..money import rupiah
from .records import AmountField, TokenForm, active_members

SOURCE_CHOICES = [("cash", _("Cash")), ("bank", _("Bank"))]
STATUS_CHOICES = [("open", _("Applied, approved or outstanding")), *Loan.Status.choices]


def _with_rupiah_prefix(form) -> None:
    """Amount boxes show "Rp" in front, like the record forms."""
    form.helper.layout = Layout(
        *(
            PrependedText(name, "Rp") if isinstance(field, AmountField) else name
            for name, field in form.fields.items()
        )
    )


PRODUCT_RANGES = [
    ("monthly_rate", 0, 10),
    ("max_term_months", 1, 60),
    ("admin_fee_percent", 0, 10),
    ("fine_value", 0, 10**12),
    ("grace_days", 0, 31),
    ("max_savings_multiple", 0, 100),
]


# --- Products --------------------------------------------------------------------------------


class LoanProductForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = LoanProduct
        fields = [
            "name",
            "interest_method",
            "monthly_rate",
            "max_term_months",
            "admin_fee_percent",
            "fine_rule",
            "fine_value",
            "grace_days",
            "max_savings_multiple",
            "is_active",
        ]
        widgets = {"interest_method": forms.RadioSelect, "fine_rule": forms.RadioSelect}

    def __init__(self, *args, book: Book, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.book = book
        for name in ("monthly_rate", "admin_fee_percent", "fine_value", "max_savings_multiple"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        for name in ("max_term_months", "grace_days"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        # The model's range checks, on the fields: their messages then sit next to the box
        # (and a violated CheckConstraint whose message holds "%" cannot be formatted).
        for name, low, high in PRODUCT_RANGES:
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        value = data.get("fine_value")
        if data.get("fine_rule") == "percent" and value is not None and value > 10:
            self.add_error("fine_value", _("A fine percentage is between 0% and 10% a month."))
        return data


# --- The list's filter -----------------------------------------------------------------------


class LoanFilterForm(forms.Form):
    bound_field_class = LightBoundField  # on every page of the loan list

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *STATUS_CHOICES], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        status = self.cleaned_data.get("status")
        if status == "open":
            return queryset.filter(status__in=Loan.OPEN_STATUSES)
        if status:
            return queryset.filter(status=status)
        return queryset


# --- Application -----------------------------------------------------------------------------


def _money(expression):
    return Coalesce(expression, ZERO, output_field=DecimalField(**MONEY))


def member_borrowers(book: Book):
    """The KSM's active members, each with their savings (the base of a loan limit)."""
    savings = (
        MemberBalance.objects.filter(
            book=book, member_id=OuterRef("pk"), account__role__in=SAVINGS_ROLES
        )
        .order_by()
        .values("member_id")
        .annotate(total=Sum("credit") - Sum("debit"))
        .values("total")
    )
    return active_members(book).annotate(savings=_money(Subquery(savings)))


def group_borrowers(book: Book):
    """The KSM a cooperative or BUMDes lends to, each with their savings in these books."""
    if book.cooperative_id:
        groups = SelfHelpGroup.objects.filter(
            Exists(
                CooperativeMembership.objects.filter(
                    cooperative_id=book.cooperative_id, group_id=OuterRef("pk"), left_date=None
                )
            )
        )
    else:
        groups = SelfHelpGroup.objects.filter(village__bumdes__pk=book.bumdes_id)
    savings = (
        GroupBalance.objects.filter(
            book=book, group_id=OuterRef("pk"), account__role__in=SAVINGS_ROLES
        )
        .order_by()
        .values("group_id")
        .annotate(total=Sum("credit") - Sum("debit"))
        .values("total")
    )
    return groups.annotate(savings=_money(Subquery(savings))).order_by("name", "pk")


class BorrowerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = getattr(obj, "full_name", None) or obj.name
        return f"{name} · {_('savings')} {rupiah(obj.savings)}"


class ProductField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            f"{obj.name} · {obj.get_interest_method_display()} "
            f"{obj.monthly_rate.normalize():f}% · ≤ {obj.max_term_months}"
        )


class LoanApplyForm(CrispyMixin, forms.Form):
    """An application: who, on which product, how much, for how long, for what."""

    borrower = BorrowerField(
        label=_("Borrower"),
        queryset=Member.objects.none(),
        error_messages={"invalid_choice": _("Choose an active member of this KSM.")},
    )
    product = ProductField(
        label=_("Loan product"),
        queryset=LoanProduct.objects.none(),
        error_messages={"invalid_choice": _("Choose a loan product these books offer.")},
    )
    principal = AmountField(label=_("Amount"))
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=120)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    applied_date = forms.DateField(label=_("Applied on"), widget=DateInput())

    def __init__(self, *args, book: Book, **kwargs):
        super().__init__(*args, **kwargs)
        self.book = book
        if book.kind == Book.Kind.KSM:
            self.fields["borrower"].queryset = member_borrowers(book)
        else:
            field = self.fields["borrower"]
            field.queryset = group_borrowers(book)
            field.label = _("Borrowing KSM")
            field.error_messages["invalid_choice"] = (
                _("Choose a KSM that is a member of this cooperative.")
                if book.cooperative_id
                else _("Choose a KSM of this BUMDes's village.")
            )
        products = book.loan_products.filter(is_active=True).order_by("name")
        self.fields["product"].queryset = products
        offered = list(products[:2])
        if len(offered) == 1:  # the usual case: one product, nothing to choose
            self.fields["product"].initial = offered[0].pk
            self.fields["product"].empty_label = None
        self.fields["term_months"].widget.attrs["inputmode"] = "numeric"
        self.fields["applied_date"].initial = timezone.localdate()
        self.fields["applied_date"].widget.attrs["min"] = book.opening_date.isoformat()
        _with_rupiah_prefix(self)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        borrower = data.pop("borrower")
        key = "member" if self.book.kind == Book.Kind.KSM else "group"
        return {**data, key: borrower}


# --- Decisions -------------------------------------------------------------------------------


class LoanApproveForm(CrispyMixin, forms.Form):
    """In a KSM the chair approves, named on the loan; others record the manager's decision."""

    approved_by_member = forms.ModelChoiceField(
        label=_("Approved by (chair)"),
        queryset=Member.objects.none(),
        error_messages={"invalid_choice": _("Choose an active member of this KSM.")},
    )
    decided_date = forms.DateField(label=_("Decided on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, loan: Loan, chair: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        book = loan.book
        self.fields["decided_date"].initial = timezone.localdate()
        self.fields["decided_date"].widget.attrs["min"] = loan.applied_date.isoformat()
        if chair is not None:  # the chair decides in person: it is their own approval
            field = self.fields["approved_by_member"]
            field.queryset = Member.objects.filter(pk=chair.pk)
            field.initial = chair.pk
            field.disabled = True
            field.help_text = _("You approve as the KSM's chair.")
        elif book.kind == Book.Kind.KSM:
            field = self.fields["approved_by_member"]
            field.queryset = active_members(book)
            field.initial = (
                Membership.objects.active()
                .filter(group_id=book.group_id, role=Membership.Role.CHAIR)
                .values_list("member_id", flat=True)
                .first()
            )
            field.help_text = _("The KSM's chair; the current chair is chosen for you.")
        else:
            del self.fields["approved_by_member"]


class LoanRejectForm(CrispyMixin, forms.Form):
    note = forms.CharField(label=_("Why is the loan rejected?"), max_length=200)
    decided_date = forms.DateField(label=_("Decided on"), widget=DateInput())

    def __init__(self, *args, loan: Loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_date"].initial = timezone.localdate()


class LoanRescheduleForm(CrispyMixin, forms.Form):
    """A new plan for the principal still owed. `version` is the plan the page showed: a form
    sent after the loan was already rescheduled is refused instead of planning it twice."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    rescheduled_date = forms.DateField(label=_("Rescheduled on"), widget=DateInput())
    term_months = forms.IntegerField(label=_("New term (months)"), min_value=1, max_value=120)
    monthly_rate = forms.DecimalField(
        label=_("Interest per month (%)"),
        min_value=0,
        max_value=10,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to keep the loan's rate."),
    )
    first_due_date = forms.DateField(
        label=_("First new instalment due on"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for one month after the rescheduling."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, loan: Loan, version: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.fields["rescheduled_date"].initial = timezone.localdate()
        self.fields["first_due_date"].widget.attrs.pop("max", None)
        self.fields["monthly_rate"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["monthly_rate"].widget.attrs["placeholder"] = f"{loan.monthly_rate:f}"
        self.fields["term_months"].widget.attrs["inputmode"] = "numeric"


# --- Forms that post -------------------------------------------------------------------------


class DisburseForm(TokenForm):
    source = forms.ChoiceField(
        label=_("Paid out of"), choices=SOURCE_CHOICES, initial="cash", widget=forms.RadioSelect
    )
    first_due_date = forms.DateField(
        label=_("First instalment due on"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for one month after the disbursement."),
    )
    field_order = ["entry_date", "source", "first_due_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].label = _("Disbursed on")
        self.fields["first_due_date"].widget.attrs.pop("max", None)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "disbursed_date": data["entry_date"],
            "source": data["source"],
            "first_due_date": data["first_due_date"],
        }


class FineField(AmountField):
    """A fine in rupiah; 0 waives it (the meeting may decide so), empty charges the rule's."""

    def clean(self, value):
        text = " ".join(str(value or "").split()).lower().removeprefix("rp").strip(" .")
        if text in ("0", "0,-", "0,00"):
            return ZERO
        return super().clean(value)


class RepayForm(TokenForm):
    """A repayment of a loan lent (money in) or borrowed (money out). The split is shown
    before it is posted: fine, then interest, then principal."""

    amount = AmountField()
    fine = FineField(
        label=_("Fine charged"),
        required=False,
        help_text=_("Leave empty to charge the fine due by the product's rule; 0 waives it."),
    )
    source = forms.ChoiceField(
        label=_("Cash or bank"), choices=SOURCE_CHOICES, initial="cash", widget=forms.RadioSelect
    )
    receipt_ref = forms.CharField(label=_("Receipt number"), max_length=40, required=False)
    field_order = ["entry_date", "amount", "fine", "source", "receipt_ref"]

    def __init__(self, *args, loan: Loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].label = _("Paid on")
        if not loan.is_receivable or not loan.product_id or loan.product.fine_rule == "none":
            del self.fields["fine"]
        else:
            self.fields["fine"].widget.attrs["placeholder"] = ""
        _with_rupiah_prefix(self)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "paid_date": data["entry_date"],
            "fine": data.get("fine"),
            "source": data["source"],
            "receipt_ref": data["receipt_ref"],
        }


class WriteOffForm(TokenForm):
    reason = forms.CharField(label=_("Reason"), max_length=150)
    field_order = ["entry_date", "reason"]

    def service_kwargs(self) -> dict:
        return {
            "entry_date": self.cleaned_data["entry_date"],
            "reason": self.cleaned_data["reason"],
        }


class ProvisionForm(TokenForm):
    amount = AmountField()
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    field_order = ["entry_date", "amount", "description"]

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class BorrowingForm(TokenForm):
    """Money the group borrowed from a lender outside these books (a bank, say)."""

    lender_kind = forms.ChoiceField(
        label=_("Lender"), choices=Loan.LenderKind.choices, widget=forms.RadioSelect
    )
    lender_name = forms.CharField(label=_("Lender's name"), max_length=120)
    amount = AmountField()
    interest_method = forms.ChoiceField(
        label=_("Interest method"),
        choices=LoanProduct._meta.get_field("interest_method").choices,
        initial="flat",
        widget=forms.RadioSelect,
    )
    monthly_rate = forms.DecimalField(
        label=_("Interest per month (%)"), min_value=0, max_value=10, max_digits=5, decimal_places=2
    )
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=120)
    source = forms.ChoiceField(
        label=_("Received into"), choices=SOURCE_CHOICES, initial="cash", widget=forms.RadioSelect
    )
    first_due_date = forms.DateField(
        label=_("First instalment due on"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for one month after the money arrived."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    field_order = [
        "lender_kind",
        "lender_name",
        "entry_date",
        "amount",
        "interest_method",
        "monthly_rate",
        "term_months",
        "source",
        "first_due_date",
        "purpose",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].label = _("Received on")
        self.fields["first_due_date"].widget.attrs.pop("max", None)
        self.fields["monthly_rate"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["term_months"].widget.attrs["inputmode"] = "numeric"

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["received_date"] = data.pop("entry_date")
        data["principal"] = data.pop("amount")
        return data
