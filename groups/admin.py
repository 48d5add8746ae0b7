"""KSM, members, memberships, cooperatives and officers in admin, saved through
groups.services (the same checks, region counts and history as the site's forms)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ksm_portal.admin_actions import (
    EXPORT_ACTIONS,
    deactivate_groups,
    end_memberships,
    reset_membership_login,
    reset_officer_login,
)
from ksm_portal.admin_base import ReadOnlyInline, ServiceAdmin
from ksm_portal.models_base import AUDIT_FIELDS
from villages.admin import BumdesAdmin
from villages.admin_filters import region_filters

from . import services
from .models import Cooperative, CooperativeMembership, Member, Membership, Officer, SelfHelpGroup


def _fields(obj, names, skip=()):
    return {name: getattr(obj, name) for name in names if name not in skip}


class MembershipInline(ReadOnlyInline):
    """The KSM's members as they are; joining and leaving go through the membership's own
    page (or the site), which runs the services."""

    model = Membership
    fields = ("member", "role", "joined_date", "left_date")
    readonly_fields = fields
    verbose_name_plural = _("memberships")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")


class OfficerMembershipInline(MembershipInline):
    verbose_name_plural = _("officers")

    def get_queryset(self, request):
        return super().get_queryset(request).active().officers()


class CooperativeMembershipInline(ReadOnlyInline):
    model = CooperativeMembership
    fields = ("group", "joined_date", "left_date")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group")


class OfficerInline(ReadOnlyInline):
    model = Officer
    fields = ("full_name", "role", "start_date", "end_date", "user")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


# A BUMDes's officers are kept here: villages (the lower app) knows nothing of them, so its
# BUMDes admin gets their inline from this app.
BumdesAdmin.inlines = [*BumdesAdmin.inlines, OfficerInline]


@admin.register(SelfHelpGroup)
class SelfHelpGroupAdmin(ServiceAdmin):
    list_display = ("name", "registration_number", "village", "origin", "status", "formed_date")
    list_filter = (*region_filters("village"), "origin", "status", "business_sector")
    search_fields = ("name",)
    indexed_search = (
        (r"\d{2}(\.\d{2}){0,2}(\.\d{1,4})?", "village__code__startswith"),
        (r".*/.*", "registration_number"),
    )
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    inlines = [OfficerMembershipInline, MembershipInline]
    actions = [*EXPORT_ACTIONS, deactivate_groups]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def service_save(self, request, obj, change, dry_run=False, data=None):
        if change:
            return services.group_update(actor=request.user, group=obj)
        return services.group_register(
            actor=request.user,
            village=obj.village,
            **_fields(obj, services.GROUP_FIELDS, skip=("village",)),
        )


@admin.register(Member)
class MemberAdmin(ServiceAdmin):
    list_display = ("full_name", "nik", "sex", "birth_date", "village")
    list_filter = (*region_filters("village"), "sex")
    search_fields = ("full_name",)
    indexed_search = ((r"\d{4,16}", "nik__startswith"), (r"\d{16}", "family_card_number"))
    list_select_related = ("village",)
    autocomplete_fields = ("village", "user")
    inlines = [MembershipInline]
    actions = [*EXPORT_ACTIONS]

    def service_save(self, request, obj, change, dry_run=False, data=None):
        member = obj if change else Member()
        return services.member_update(
            actor=request.user, member=member, **_fields(obj, services.MEMBER_FIELDS)
        )


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    """Joining through membership_start; on an existing membership only the role changes or
    the member leaves (membership_change_role, membership_end)."""

    list_display = ("member", "group", "role", "joined_date", "left_date")
    list_filter = ("role", ("left_date", admin.EmptyFieldListFilter))
    search_fields = ("member__full_name", "group__name")
    indexed_search = ((r"\d{4,16}", "member__nik__startswith"),)
    list_select_related = ("member", "group")
    autocomplete_fields = ("member", "group")
    actions = [*EXPORT_ACTIONS, end_memberships, reset_membership_login]

    def get_readonly_fields(self, request, obj=None):
        fields = list(AUDIT_FIELDS)
        if obj is not None:
            fields += ["member", "group", "joined_date"]
            if not obj.is_active:
                fields += ["role", "left_date"]
        return fields

    def service_save(self, request, obj, change, dry_run=False, data=None):
        if not change:
            return services.membership_start(
                actor=request.user,
                member=obj.member,
                group=obj.group,
                role=obj.role,
                joined_date=obj.joined_date,
            )
        saved = Membership.objects.get(pk=obj.pk)
        result = obj
        if obj.role != saved.role and saved.is_active:
            result = services.membership_change_role(
                actor=request.user, membership=saved, role=obj.role
            )
        if obj.left_date and saved.is_active:
            result = services.membership_end(
                actor=request.user, membership=saved, left_date=obj.left_date
            )
        return result


@admin.register(Cooperative)
class CooperativeAdmin(ServiceAdmin):
    list_display = ("name", "legal_entity_number", "regency", "status", "established_date")
    list_filter = (*region_filters("regency", down_to="regency"), "status")
    search_fields = ("name", "^legal_entity_number")
    list_select_related = ("regency",)
    autocomplete_fields = ("regency",)
    inlines = [CooperativeMembershipInline, OfficerInline]
    actions = [*EXPORT_ACTIONS]

    def service_save(self, request, obj, change, dry_run=False, data=None):
        if change:
            return services.cooperative_update(actor=request.user, cooperative=obj)
        return services.cooperative_register(
            actor=request.user, **_fields(obj, services.COOPERATIVE_FIELDS)
        )


@admin.register(CooperativeMembership)
class CooperativeMembershipAdmin(ServiceAdmin):
    list_display = ("group", "cooperative", "joined_date", "left_date")
    list_filter = (("left_date", admin.EmptyFieldListFilter),)
    search_fields = ("group__name", "cooperative__name")
    list_select_related = ("group", "cooperative")
    autocomplete_fields = ("group", "cooperative")
    actions = [*EXPORT_ACTIONS]

    def get_readonly_fields(self, request, obj=None):
        fields = list(AUDIT_FIELDS)
        if obj is not None:
            fields += ["group", "cooperative", "joined_date"]
            if obj.left_date is not None:
                fields.append("left_date")
        return fields

    def service_save(self, request, obj, change, dry_run=False, data=None):
        if not change:
            return services.cooperative_admit_group(
                actor=request.user,
                cooperative=obj.cooperative,
                group=obj.group,
                joined_date=obj.joined_date,
            )
        saved = CooperativeMembership.objects.get(pk=obj.pk)
        if obj.left_date and saved.left_date is None:
            return services.cooperative_membership_end(
                actor=request.user, membership=saved, left_date=obj.left_date
            )
        return saved


@admin.register(Officer)
class OfficerAdmin(ServiceAdmin):
    """BUMDes and cooperative officers: appointed (officer_appoint), corrected (officer_update:
    name, phone, login) or ended (officer_end)."""

    list_display = ("full_name", "role", "bumdes", "cooperative", "start_date", "end_date")
    list_filter = ("role", ("end_date", admin.EmptyFieldListFilter))
    search_fields = ("full_name", "bumdes__name", "cooperative__name", "user__username")
    list_select_related = ("bumdes", "cooperative")
    autocomplete_fields = ("bumdes", "cooperative", "user")
    actions = [*EXPORT_ACTIONS, reset_officer_login]

    def get_readonly_fields(self, request, obj=None):
        fields = list(AUDIT_FIELDS)
        if obj is not None:
            fields += ["bumdes", "cooperative", "role", "start_date"]
            if obj.end_date is not None:
                fields += ["full_name", "phone", "user", "end_date"]
        return fields

    def service_save(self, request, obj, change, dry_run=False, data=None):
        if not change:
            return services.officer_appoint(
                actor=request.user,
                entity=obj.bumdes or obj.cooperative,
                full_name=obj.full_name,
                role=obj.role,
                start_date=obj.start_date,
                phone=obj.phone,
            )
        saved = Officer.objects.get(pk=obj.pk)
        if saved.end_date is not None:
            return saved
        result = services.officer_update(
            actor=request.user,
            officer=saved,
            **_fields(obj, services.OFFICER_FIELDS),
        )
        if obj.end_date:
            result = services.officer_end(actor=request.user, officer=saved, end_date=obj.end_date)
        return result
