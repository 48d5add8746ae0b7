"""Forms of the cooperative, BUMDes, KSM and capital pages: the SHU decision, paying shares
out, and business units."""

from decimal import Decimal

from crispy_forms.bootstrap import AppendedText
from crispy_forms.layout import Layout
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from groups.models import Member, SelfHelpGroup
from ksm_portal.forms import CrispyMixin, DateInput

from ..models import Book, GroupBalance, MemberBalance, SurplusDistribution
from ..money import rupiah
from ..services.surplus import PART_LABELS, Rules, available_parts
from .records import (
    GroupChoiceField,
    MemberChoiceField,
    RecordForm,
    _balance_of,
    active_members,
    member_groups,
)

PERCENT_HELP = {
    "members_pct": _("Shared among the member KSM by transactions (JUA) and savings (JMA)."),
    "village_pct": _("The village's share of the BUMDes's profit (PADes)."),
    "savings_pct": _("Shared among the members by their simpanan pokok and wajib on 31 December."),
    "participation_pct": _(
        "Shared among the members by the loan interest and fees they paid in the year "
        "(fines do not count)."
    ),
    "social_pct": _("To the social fund (Dana Sosial)."),
}


class PercentField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("initial", Decimal(0))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        """An empty box is 0%."""
        value = super().clean(value)
        return Decimal(0) if value is None else value

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "step": "0.01"}


RULE_FIELDS = ("jua_basis", "non_member_to", "jma_basis", "jma_balance", "leavers")
RULE_HELP = {
    "jua_basis": _("What counts as each member KSM's business with the cooperative (JUA)."),
    "non_member_to": _(
        "The surplus in proportion to the income that names no member (UU 25/1992 art. 45)."
    ),
    "jma_basis": _("Which savings each member KSM's share by savings (JMA) follows."),
    "jma_balance": _("With the average, a KSM that joined in December counts about 1/12."),
    "leavers": _("Member KSM that were members for part of the year."),
}


class DistributionForm(CrispyMixin, forms.Form):
    """The meeting's decision: the date, and a percentage for each part the book's chart has;
    they must add up to 100."""

    decided_date = forms.DateField(label=_("Decided at the meeting on"), widget=DateInput())
    transactions_pct = PercentField(
        label=_("Members' part by transactions, JUA (%)"),
        help_text=_("The rest of the members' part goes by savings at year end (JMA)."),
    )

    def __init__(self, data=None, *, book, year: int, draft: SurplusDistribution | None = None):
        self.book, self.year = book, year
        initial = {"decided_date": timezone.localdate()}
        if draft is not None:
            initial = {
                "decided_date": draft.decided_date,
                "transactions_pct": draft.transactions_pct,
                "shares_to": draft.shares_to,
                **{name: getattr(draft, name) for name in available_parts(book)},
            }
        super().__init__(data, initial=initial)
        if book.kind == Book.Kind.KSM:
            self.fields["shares_to"] = forms.ChoiceField(
                label=_("The members' shares go to"),
                choices=SurplusDistribution.SharesTo.choices,
                initial=SurplusDistribution.SharesTo.PAYABLE,
                widget=forms.RadioSelect,
            )
        self.parts = available_parts(book)
        for name in self.parts:
            self.fields[name] = PercentField(
                label=PART_LABELS[name], help_text=PERCENT_HELP.get(name, "")
            )
        if "members_pct" not in self.parts:
            del self.fields["transactions_pct"]
        else:
            # A cooperative's sharing rules: each defaults to common practice (docs/rat-rules.md).
            self.fields["transactions_pct"].initial = Decimal(60)
            defaults = Rules()
            for name in RULE_FIELDS:
                model_field = SurplusDistribution._meta.get_field(name)
                self.fields[name] = forms.ChoiceField(
                    label=capfirst(model_field.verbose_name),
                    choices=model_field.choices,
                    initial=getattr(draft, name) if draft is not None else getattr(defaults, name),
                    required=False,
                    help_text=RULE_HELP[name],
                )
        extra = [
            name for name in ("transactions_pct", *RULE_FIELDS, "shares_to") if name in self.fields
        ]
        self.order_fields(["decided_date", *self.parts, *extra])
        self.helper.layout = Layout(
            "decided_date", *(AppendedText(name, "%") for name in self.parts), *extra
        )

    def clean(self):
        data = super().clean()
        values = [data.get(name) for name in self.parts]
        if all(name in data for name in self.parts):
            total = sum(values, Decimal(0))
            if total != 100:
                raise forms.ValidationError(
                    _("The percentages must add up to 100%%; now they add up to %(total)s%%.")
                    % {"total": f"{total.normalize():f}"}
                )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.parts}
        kwargs["decided_date"] = data["decided_date"]
        kwargs["transactions_pct"] = data.get("transactions_pct") or Decimal(0)
        if "shares_to" in self.fields:
            kwargs["shares_to"] = data["shares_to"]
        if "jua_basis" in self.fields:
            kwargs["rules"] = Rules.of({name: data.get(name) for name in RULE_FIELDS})
        return kwargs


SOURCE_CHOICES = [("cash", _("Cash")), ("bank", _("Bank"))]


class PayOutForm(RecordForm):
    """A payment of what the book owes (SHU, PADes), from cash or the bank; the description
    may be left empty for the usual one."""

    source = forms.ChoiceField(
        label=_("Paid from"), choices=SOURCE_CHOICES, initial="cash", widget=forms.RadioSelect
    )
    field_order = ["source", *RecordForm.field_order]
    empty_description = _("Leave empty for the usual description.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False
        self.fields["description"].help_text = self.empty_description

    def owed_to(self, model, field: str):
        """Each payee's SHU still owed (the book's SHU payable, per member or member KSM)."""
        account = self.book.accounts.filter(role="surplus_payable").first()
        return _balance_of(model, account, field)


class OwedGroupField(GroupChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {rupiah(obj.owed)}"


class SurplusPayForm(PayOutForm):
    """A member KSM is paid (some of) its SHU share."""

    title = _("Pay SHU to a member KSM")
    intro = _("The member KSM receives its share of the surplus; never more than it is owed.")

    group = OwedGroupField(label=_("Member KSM"), queryset=SelfHelpGroup.objects.none())
    field_order = ["group", *PayOutForm.field_order]
    empty_description = _("Leave empty to write the KSM's name.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The member KSM now, and a former member whose SHU is still held for it.
        account = self.book.accounts.filter(role="surplus_payable").first()
        held = GroupBalance.objects.filter(
            book=self.book, account=account, credit__gt=F("debit")
        ).values("group_id")
        self.fields["group"].queryset = (
            SelfHelpGroup.objects.filter(
                Q(pk__in=member_groups(self.book).values("pk")) | Q(pk__in=held)
            )
            .annotate(owed=self.owed_to(GroupBalance, "group_id"))
            .order_by("name", "pk")
        )


class OwedMemberField(MemberChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {rupiah(obj.owed)}"


class MemberSurplusPayForm(PayOutForm):
    """A KSM's member is paid (some of) their SHU share."""

    title = _("Pay SHU to a member")
    intro = _("The member receives their share of the surplus; never more than they are owed.")

    member = OwedMemberField(label=_("Member"), queryset=Member.objects.none())
    field_order = ["member", *PayOutForm.field_order]
    empty_description = _("Leave empty to write the member's name.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = active_members(self.book).annotate(
            owed=self.owed_to(MemberBalance, "member_id")
        )


class PadesPayForm(PayOutForm):
    """The village receives its share of the BUMDes's profit."""

    title = _("Pay the village's share (PADes)")
    intro = _("The BUMDes pays the village its share of the profit; never more than is owed.")


class UnitForm(CrispyMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the unit"),
        max_length=80,
        help_text=_("For example: Air bersih, Toko desa, Simpan pinjam."),
    )
