from django import forms

from groups.forms import CrispyMixin, DateInput, limit_village_field

from .models import Bumdes
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
