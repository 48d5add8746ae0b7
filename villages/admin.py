"""Regions, BUMDes and facilitator assignments in admin, saved through villages.services."""

from django.contrib import admin

from ksm_portal.admin_actions import EXPORT_ACTIONS
from ksm_portal.admin_base import RegionAdmin, ServiceAdmin
from ksm_portal.models_base import AUDIT_FIELDS

from . import services
from .admin_filters import region_filters
from .models import Bumdes, District, FacilitatorAssignment, Province, Regency, Village


@admin.register(Province)
class ProvinceAdmin(RegionAdmin):
    upsert = staticmethod(services.province_upsert)


@admin.register(Regency)
class RegencyAdmin(RegionAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)  # 38 provinces
    list_select_related = ("province",)
    autocomplete_fields = ("province",)
    upsert = staticmethod(services.regency_upsert)


@admin.register(District)
class DistrictAdmin(RegionAdmin):
    list_display = ("code", "name", "regency")
    list_filter = region_filters("regency", down_to="regency")
    list_select_related = ("regency",)
    autocomplete_fields = ("regency",)
    upsert = staticmethod(services.district_upsert)


@admin.register(Village)
class VillageAdmin(RegionAdmin):
    list_display = ("code", "name", "district")
    list_filter = region_filters("district")
    list_select_related = ("district",)
    autocomplete_fields = ("district",)
    upsert = staticmethod(services.village_upsert)
    actions = [*EXPORT_ACTIONS]


@admin.register(Bumdes)
class BumdesAdmin(ServiceAdmin):
    list_display = ("name", "registration_number", "village", "status", "ranking")
    list_filter = (*region_filters("village"), "status", "ranking")
    search_fields = ("name", "registration_number")
    indexed_search = ((r"\d{2}(\.\d{2}){0,2}(\.\d{1,4})?", "village__code__startswith"),)
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    actions = [*EXPORT_ACTIONS]

    def get_readonly_fields(self, request, obj=None):
        # bumdes_update changes everything but the village (one BUMDes per village).
        return (*AUDIT_FIELDS, "village") if obj is not None else AUDIT_FIELDS

    def service_save(self, request, obj, change, dry_run=False, data=None):
        fields = {name: getattr(obj, name) for name in services.BUMDES_FIELDS}
        if change:
            return services.bumdes_update(actor=request.user, bumdes=obj, **fields)
        return services.bumdes_register(actor=request.user, village=obj.village, **fields)


@admin.register(FacilitatorAssignment)
class FacilitatorAssignmentAdmin(ServiceAdmin):
    list_display = ("user", "village", "start_date", "end_date")
    list_filter = (*region_filters("village"), ("end_date", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__first_name", "user__last_name")
    indexed_search = ((r"\d{2}(\.\d{2}){0,2}(\.\d{1,4})?", "village__code__startswith"),)
    list_select_related = ("user", "village")
    autocomplete_fields = ("user", "village")
    actions = [*EXPORT_ACTIONS]

    def get_readonly_fields(self, request, obj=None):
        # An assignment is ended (facilitator_assignment_end), not moved.
        if obj is not None:
            return (*AUDIT_FIELDS, "user", "village", "start_date")
        return AUDIT_FIELDS

    def service_save(self, request, obj, change, dry_run=False, data=None):
        if change:
            return services.facilitator_assignment_end(
                actor=request.user, assignment=obj, end_date=obj.end_date
            )
        return services.facilitator_assign(
            actor=request.user,
            user=obj.user,
            village=obj.village,
            start_date=obj.start_date,
            end_date=obj.end_date,
        )
