from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Regency, Village

from .models import Cooperative, Member, Membership, SelfHelpGroup
from .services import COOPERATIVE_FIELDS, GROUP_FIELDS, MEMBER_FIELDS
from .validators import normalise_phone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CrispyMixin:
    """Bootstrap layout without a <form> tag: templates own the form element and buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        today = timezone.localdate().isoformat()
        for field in self.fields.values():
            if isinstance(field.widget, DateInput):
                field.widget.attrs.setdefault("max", today)


class GroupForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = SelfHelpGroup
        fields = list(GROUP_FIELDS)
        widgets = {
            "formed_date": DateInput(),
            "reactivated_date": DateInput(),
            "origin": forms.RadioSelect,
        }

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_village_field(self, villages)
        self.fields["meeting_day"].widget.attrs.update({"min": 1, "max": 31})


class MemberForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [name for name in MEMBER_FIELDS if name != "user"]  # linked by staff
        widgets = {
            "birth_date": DateInput(),
            "sex": forms.RadioSelect,
        }

    # Longer than the stored 15 characters: "+62 812-3456-7890" is accepted and stored as 0812...
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("nik", "family_card_number"):
            self.fields[name].widget.attrs.update(
                {
                    "inputmode": "numeric",
                    "pattern": "[0-9]{16}",
                    "maxlength": 16,
                    "autocomplete": "off",
                }
            )
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "placeholder": "08…"})
        limit_village_field(self, villages)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class MemberJoinForm(MemberForm):
    """A new person joins the KSM: who they are, plus their role and joining date."""

    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices, initial="member")
    joined_date = forms.DateField(label=_("joined date"), widget=DateInput())

    def __init__(self, *args, group=None, **kwargs):
        self.group = group
        super().__init__(*args, **kwargs)
        self.fields["joined_date"].initial = timezone.localdate()
        self.fields["village"].initial = group.village_id if group else None

    def validate_unique(self):
        """A NIK already registered is no error here: that person joins this KSM too."""
        exclude = self._get_validation_exclusions()
        exclude.add("nik")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    def member_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in MemberForm.Meta.fields}


class MembershipEndForm(CrispyMixin, forms.Form):
    left_date = forms.DateField(label=_("left date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_date"].initial = timezone.localdate()


class MembershipRoleForm(CrispyMixin, forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices)


class CooperativeForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Cooperative
        fields = list(COOPERATIVE_FIELDS)
        widgets = {"established_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = Regency.objects.select_related("province").order_by(
            "code"
        )


class CooperativeAdmitForm(CrispyMixin, forms.Form):
    """Admit a KSM by village code and registration number: no list of a million KSM."""

    village_code = forms.CharField(
        label=_("village code"), max_length=13, help_text="33.25.01.2001"
    )
    registration_number = forms.CharField(label=_("KSM registration number"), max_length=40)
    joined_date = forms.DateField(label=_("joined date"), widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        code, number = cleaned.get("village_code"), cleaned.get("registration_number")
        if code and number:
            group = SelfHelpGroup.objects.filter(
                village__code=code.strip(), registration_number=number.strip()
            ).first()
            if group is None:
                raise forms.ValidationError(
                    _("No KSM with this registration number in that village.")
                )
            cleaned["group"] = group
        return cleaned


SELECT_LIMIT = 200


def limit_village_field(form: forms.BaseForm, villages, name: str = "village") -> None:
    """A select when the user has a handful of villages (a facilitator), a code box when
    the choice is national (staff): a page must never list 80,000 villages."""
    field = form.fields[name]
    field.queryset = villages.select_related("district").order_by("code")
    if villages[: SELECT_LIMIT + 1].count() > SELECT_LIMIT:
        field.to_field_name = "code"
        field.widget = forms.TextInput(attrs={"placeholder": "33.25.01.2001"})
        field.help_text = _("The village's Kemendagri code, e.g. 33.25.01.2001.")
        current = getattr(form, "instance", None) and getattr(form.instance, f"{name}_id", None)
        if current:
            form.initial[name] = Village.objects.values_list("code", flat=True).get(pk=current)
