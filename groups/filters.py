import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ksm_portal.scope import user_scope
from villages.models import District, Regency, Village

from .models import SelfHelpGroup


class GroupFilter(django_filters.FilterSet):
    """KSM list filters. Region choices narrow step by step (regency → district → village),
    so no select ever lists the whole country."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    regency = django_filters.ModelChoiceFilter(
        field_name="village__district__regency", queryset=Regency.objects.none(), label=_("Regency")
    )
    district = django_filters.ModelChoiceFilter(
        field_name="village__district", queryset=District.objects.none(), label=_("District")
    )
    village = django_filters.ModelChoiceFilter(queryset=Village.objects.none(), label=_("Village"))
    origin = django_filters.ChoiceFilter(choices=SelfHelpGroup.Origin.choices, label=_("Origin"))
    status = django_filters.ChoiceFilter(choices=SelfHelpGroup.Status.choices, label=_("Status"))

    class Meta:
        model = SelfHelpGroup
        fields = ["q", "regency", "district", "village", "origin", "status"]

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.form.fields["q"].widget.attrs.update(
            {"placeholder": _("Name or registration number"), "type": "search"}
        )
        villages = Village.objects.visible_to(user)
        if user_scope(user).sees_all:
            regencies = Regency.objects.all()
            districts = District.objects.all()
        else:
            districts = District.objects.filter(villages__in=villages).distinct()
            regencies = Regency.objects.filter(districts__in=districts).distinct()
        # Any region in the user's scope is accepted (a link may carry just ?village=);
        # the options shown narrow step by step so no select lists the whole country.
        shown = {
            "regency": regencies,
            "district": districts.filter(regency_id=self._selected("regency")),
            "village": villages.filter(district_id=self._selected("district")),
        }
        for name, queryset in (
            ("regency", regencies),
            ("district", districts),
            ("village", villages),
        ):
            field = self.form.fields[name]
            field.queryset = queryset
            field.widget.choices = [("", field.empty_label)] + [
                (region.pk, region.name) for region in shown[name].order_by("code")
            ]
            field.widget.attrs["onchange"] = "this.form.requestSubmit()"

    def _selected(self, name):
        value = (self.data or {}).get(name)
        value = str(value or "")
        return int(value) if value.isascii() and value.isdigit() else None

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(registration_number__icontains=value))
