import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        if user is not None and user.is_staff:
            regencies = Regency.objects.all()
        else:
            regencies = Regency.objects.filter(districts__villages__in=villages).distinct()
        self.form.fields["regency"].queryset = regencies.order_by("code")
        regency_id = self._selected("regency")
        district_id = self._selected("district")
        districts = District.objects.none()
        if regency_id:
            districts = District.objects.filter(
                regency_id=regency_id, villages__in=villages
            ).distinct()
        self.form.fields["district"].queryset = districts.order_by("code")
        village_choices = Village.objects.none()
        if district_id:
            village_choices = villages.filter(district_id=district_id)
        self.form.fields["village"].queryset = village_choices.order_by("code")
        for name in ("regency", "district", "village"):
            self.form.fields[name].label_from_instance = lambda region: region.name
            self.form.fields[name].widget.attrs["onchange"] = "this.form.requestSubmit()"

    def _selected(self, name):
        value = (self.data or {}).get(name)
        return int(value) if value and str(value).isdigit() else None

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(registration_number__icontains=value))
