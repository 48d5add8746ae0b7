"""Admin list filters by region, province down to kecamatan, that never list thousands of
choices: the provinces (38) first; the regencies of a province once it is chosen; the kecamatan
of a regency once that is chosen. The choice travels in the URL (?province=..&regency=..), and
choosing a higher level forgets the lower ones."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import District, Province, Regency

LEVELS = ("province", "regency", "district")


class _RegionFilter(admin.SimpleListFilter):
    level = ""  # one of LEVELS
    path = ""  # from the listed model to its village (or regency), e.g. "village"
    parent = ""  # the parameter this level's choices depend on

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = self.level
        self._request_params = request.GET
        super().__init__(request, params, model, model_admin)

    def _id(self, name):
        value = self._request_params.get(name)
        return int(value) if value and str(value).isdigit() else None

    def lookups(self, request, model_admin):
        if self.level == "province":
            return [(p.pk, p.name) for p in Province.objects.order_by("name")]
        parent_id = self._id(self.parent)
        if parent_id is None:
            return []
        if self.level == "regency":
            rows = Regency.objects.filter(province_id=parent_id)
        else:
            rows = District.objects.filter(regency_id=parent_id)
        return [(r.pk, r.name) for r in rows.order_by("name")]

    def has_output(self):
        # Shown (and applied) once it has choices, or when the URL names a value already.
        return bool(self.lookup_choices) or self.value() is not None

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not str(value).isdigit():
            return queryset
        return queryset.filter(**{self.lookup_path(): int(value)})

    def lookup_path(self) -> str:
        """e.g. village__district__regency_id for the regency level from a KSM."""
        chain = {
            "village": {
                "district": "village__district_id",
                "regency": "village__district__regency_id",
                "province": "village__district__regency__province_id",
            },
            "district": {
                "district": "district_id",
                "regency": "district__regency_id",
                "province": "district__regency__province_id",
            },
            "regency": {"regency": "regency_id", "province": "regency__province_id"},
        }[self.base][self.level]
        return self.path + chain[len(self.base) :]

    @property
    def base(self) -> str:
        return self.path.rsplit("__", 1)[-1]

    def choices(self, changelist):
        lower = LEVELS[LEVELS.index(self.level) + 1 :]
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name, *lower]),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}, [*lower]
                ),
                "display": title,
            }


def region_filters(path: str = "village", down_to: str = "district") -> list:
    """The province, regency (and kecamatan) filters for a model reaching its region by `path`
    (``village``, ``group__village``, ``district``, ``regency`` ...)."""
    titles = {"province": _("province"), "regency": _("regency"), "district": _("kecamatan")}
    parents = {"province": "", "regency": "province", "district": "regency"}
    classes = []
    for level in LEVELS[: LEVELS.index(down_to) + 1]:
        classes.append(
            type(
                f"{level.title()}Filter_{path}",
                (_RegionFilter,),
                {"title": titles[level], "level": level, "path": path, "parent": parents[level]},
            )
        )
    return classes
