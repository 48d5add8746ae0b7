from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from ksm_portal.forms import CrispyMixin


class ActivationForm(CrispyMixin, forms.Form):
    """The officer's first login: username and code from the slip, and their own password."""

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("activation code"),
        max_length=20,
        help_text=_("The code on the slip from your facilitator, e.g. K7MP-2QXR."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "one-time-code"}
        ),
    )
    password1 = forms.CharField(
        label=_("new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("new password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class LoginGrantForm(CrispyMixin, forms.Form):
    """Making an officer's login: the username may be changed from the one suggested."""

    username = forms.CharField(
        label=_("username"),
        max_length=30,
        help_text=_("Suggested from the name; letters, digits and dots, no spaces."),
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )
