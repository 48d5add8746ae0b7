from django import forms
from django.utils.translation import gettext_lazy as _

from ksm_portal.forms import CrispyMixin

from .kinds import KINDS
from .reading import MAX_BYTES


class UploadForm(CrispyMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_("At most 10 MB. Start from the template so the columns are right."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(slug, spec.title) for slug, spec in KINDS.items()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": MAX_BYTES // (1024 * 1024)}
            )
        return upload
