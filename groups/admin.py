from django.contrib import admin

from ksm_portal.admin_base import AuditedAdmin

from .models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup


@admin.register(SelfHelpGroup)
class SelfHelpGroupAdmin(AuditedAdmin):
    list_display = ("name", "registration_number", "village", "origin", "status", "formed_date")
    list_filter = ("origin", "status", "business_sector")
    search_fields = ("name", "registration_number", "village__name", "village__code")
    list_select_related = ("village",)
    autocomplete_fields = ("village",)


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ("full_name", "nik", "sex", "birth_date", "village")
    list_filter = ("sex",)
    search_fields = ("full_name", "=nik", "=family_card_number")
    list_select_related = ("village",)
    autocomplete_fields = ("village", "user")


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("member", "group", "role", "joined_date", "left_date")
    list_filter = ("role", "left_date")
    search_fields = ("member__full_name", "=member__nik", "group__name")
    list_select_related = ("member", "group")
    autocomplete_fields = ("member", "group")


@admin.register(Cooperative)
class CooperativeAdmin(AuditedAdmin):
    list_display = ("name", "legal_entity_number", "regency", "status", "established_date")
    list_filter = ("status",)
    search_fields = ("name", "legal_entity_number", "regency__name")
    list_select_related = ("regency",)
    autocomplete_fields = ("regency",)


@admin.register(CooperativeMembership)
class CooperativeMembershipAdmin(AuditedAdmin):
    list_display = ("group", "cooperative", "joined_date", "left_date")
    list_filter = ("left_date",)
    search_fields = ("group__name", "cooperative__name")
    list_select_related = ("group", "cooperative")
    autocomplete_fields = ("group", "cooperative")
