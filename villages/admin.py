from django.contrib import admin

from ksm_portal.admin_base import AuditedAdmin, RegionAdmin

from .models import Bumdes, District, FacilitatorAssignment, Province, Regency, Village


@admin.register(Province)
class ProvinceAdmin(RegionAdmin):
    pass


@admin.register(Regency)
class RegencyAdmin(RegionAdmin):
    list_display = ("code", "name", "province")
    list_select_related = ("province",)
    autocomplete_fields = ("province",)


@admin.register(District)
class DistrictAdmin(RegionAdmin):
    list_display = ("code", "name", "regency")
    list_select_related = ("regency",)
    autocomplete_fields = ("regency",)


@admin.register(Village)
class VillageAdmin(RegionAdmin):
    list_display = ("code", "name", "district")
    list_select_related = ("district",)
    autocomplete_fields = ("district",)


@admin.register(Bumdes)
class BumdesAdmin(AuditedAdmin):
    list_display = ("name", "village", "status", "ranking", "established_date")
    list_filter = ("status", "ranking")
    search_fields = ("name", "registration_number", "village__name", "village__code")
    list_select_related = ("village",)
    autocomplete_fields = ("village",)


@admin.register(FacilitatorAssignment)
class FacilitatorAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "village", "start_date", "end_date")
    list_filter = ("start_date", "end_date")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "village__name",
        "village__code",
    )
    list_select_related = ("user", "village")
    autocomplete_fields = ("user", "village")
