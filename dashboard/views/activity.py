"""The activity page: who changed what and when, across every audited model and the logins;
for program staff."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from groups.models import SelfHelpGroup
from ksm_portal.scope import user_scope

from ..selectors.activity import PAGE_SIZE, Cursor, recent_activity


class ActivityFilterForm(forms.Form):
    user = forms.CharField(label=gettext_lazy("User"), max_length=150, required=False)
    ksm = forms.IntegerField(label=gettext_lazy("KSM (number)"), min_value=1, required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        found = get_user_model().objects.filter(username__iexact=username).first()
        if found is None:
            raise forms.ValidationError(_("No user with this username."))
        return found

    def clean_ksm(self):
        pk = self.cleaned_data["ksm"]
        if pk is None:
            return None
        group = SelfHelpGroup.objects.filter(pk=pk).first()
        if group is None:
            raise forms.ValidationError(_("No KSM with this number."))
        return group

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


KINDS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


@login_required
@require_safe
def activity(request):
    """Recent changes, newest first, `PAGE_SIZE` a page; filterable by user, KSM and dates."""
    if not user_scope(request.user).manages_register:
        raise PermissionDenied
    form = ActivityFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        group = data.get("ksm")
        page = recent_activity(
            user=data.get("user"),
            group_id=group.pk if group else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            cursor=Cursor.decode(request.GET.get("before")),
        )
        for row in page.rows:
            row.kind_label = KINDS.get(row.kind, "")
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "dashboard/activity.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "page_size": PAGE_SIZE,
            "first_page": "before" not in request.GET,
        },
    )
