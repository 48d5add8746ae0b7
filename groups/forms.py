from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ksm_portal.forms import CrispyMixin, DateInput
from ksm_portal.once import REFUSED_HERE, OneTimeTokenForm, token_issue, token_read
from villages.forms import limit_village_field
from villages.models import Regency

from .models import Cooperative, Member, Membership, SelfHelpGroup
from .services import COOPERATIVE_FIELDS, GROUP_FIELDS, MEMBER_FIELDS
from .validators import normalise_phone

# One-time tokens (ksm_portal/once.py) of the forms that register something here.
GROUP_SALT = "groups.ksm"
MEMBER_SALT = "groups.member"
COOPERATIVE_SALT = "groups.cooperative"


def _user_token(form, salt: str, user, token) -> None:
    """A registration form's token, issued to the user who opens it."""
    owner = getattr(user, "pk", None)
    form.init_token(
        lambda: token_issue(salt, user=owner),
        lambda signed: token_read(salt, signed, refused=REFUSED_HERE, user=owner),
        token,
    )


class GroupForm(OneTimeTokenForm, CrispyMixin, forms.ModelForm):
    class Meta:
        model = SelfHelpGroup
        fields = list(GROUP_FIELDS)
        widgets = {
            "formed_date": DateInput(),
            "reactivated_date": DateInput(),
            "origin": forms.RadioSelect,
        }

    def __init__(self, *args, villages=None, user=None, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_village_field(self, villages)
        self.fields["meeting_day"].widget.attrs.update({"min": 1, "max": 31})
        if self.instance.pk is None:  # a new KSM: registered once however often it is sent
            _user_token(self, GROUP_SALT, user, token)


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


class MemberJoinForm(OneTimeTokenForm, MemberForm):
    """A new person joins the KSM: who they are, plus their role and joining date."""

    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices, initial="member")
    joined_date = forms.DateField(label=_("joined date"), widget=DateInput())

    def __init__(self, *args, group=None, token=None, **kwargs):
        self.group = group
        super().__init__(*args, **kwargs)
        self.fields["joined_date"].initial = timezone.localdate()
        self.fields["village"].initial = group.village_id if group else None
        subject = {"group": getattr(group, "pk", None)}  # joins this KSM once
        self.init_token(
            lambda: token_issue(MEMBER_SALT, **subject),
            lambda signed: token_read(MEMBER_SALT, signed, refused=REFUSED_HERE, **subject),
            token,
        )

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


class CooperativeForm(OneTimeTokenForm, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Cooperative
        fields = list(COOPERATIVE_FIELDS)
        widgets = {"established_date": DateInput()}

    def __init__(self, *args, user=None, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new cooperative: registered once
            _user_token(self, COOPERATIVE_SALT, user, token)
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


class OfficerForm(CrispyMixin, forms.Form):
    """Who holds an office of a BUMDes or a cooperative (the service checks the rest)."""

    full_name = forms.CharField(label=_("full name"), max_length=150)
    role = forms.ChoiceField(label=_("office"))
    # Longer than the stored 15 characters: "+62 812-3456-7890" is stored as 0812...
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    start_date = forms.DateField(label=_("in office since"), widget=DateInput())

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "placeholder": "08…"})
        self.fields["start_date"].initial = timezone.localdate()

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))


class MemberSearchForm(forms.Form):
    """Find a member by name (a part of it) or NIK (its first digits, the kecamatan code at
    least, or all 16)."""

    q = forms.CharField(label=_("Name or NIK"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name or NIK"), "type": "search", "autofocus": True}
        )

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if not text:
            return ""
        if text.isdigit():
            if not text.isascii():
                raise forms.ValidationError(_("Type the NIK with the digits 0 to 9."))
            if len(text) < 6:
                raise forms.ValidationError(
                    _("Type at least the first 6 digits of the NIK (the kecamatan code).")
                )
            if len(text) > 16:
                raise forms.ValidationError(_("A NIK has 16 digits."))
        elif len(text) < 3:
            raise forms.ValidationError(_("Type at least 3 letters of the name."))
        return text
