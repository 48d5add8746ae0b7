from django import forms
from django.utils.translation import gettext_lazy as _

from ksm_portal.forms import CrispyMixin, DateInput

from .models import Bumdes, Village
from .services import BUMDES_FIELDS


class BumdesForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Bumdes
        fields = ["village", *BUMDES_FIELDS]
        widgets = {
            "established_date": DateInput(),
            "business_units": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A BUMDes belongs to its village for good; it does not move.
            del self.fields["village"]
        else:
            limit_village_field(self, villages)


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
