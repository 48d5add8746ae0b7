"""The KSM, member and cooperative lists as files: the columns each page shows, read from the
page's own queryset (see ksm_portal.exports)."""

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.exports import DATE, NUMBER, Column, ListExport, filename

from .models import Membership


def masked_nik(nik: str) -> str:
    """The NIK as the KSM page shows it: district and serial, the birth date hidden."""
    return f"{nik[:6]}••••{nik[12:]}" if nik else ""


def groups_export(groups, filters) -> ListExport:
    columns = [
        Column(_("Name"), value="name"),
        Column(_("Registration number"), width=18, value="registration_number"),
        Column(_("Village"), width=24, value="village.name"),
        Column(_("District"), width=24, value="village.district.name"),
        Column(_("Regency"), width=24, value="village.district.regency.name"),
        Column(_("Origin"), width=16, value="get_origin_display"),
        Column(_("Status"), width=12, value="get_status_display"),
    ]
    return ListExport(
        _("KSM"), columns, groups, filename("ksm", timezone.localdate()), filters=filters
    )


def _membership_columns() -> list[Column]:
    return [
        Column(_("KSM"), width=30, value="group.name"),
        Column(_("Registration number"), width=18, value="group.registration_number"),
        Column(_("Village"), width=24, value="group.village.name"),
        Column(_("Name"), value="member.full_name"),
        Column(_("Role"), width=14, value="get_role_display"),
        Column(_("NIK"), width=20, value=lambda m: masked_nik(m.member.nik)),
        Column(_("Joined"), DATE, value="joined_date"),
        Column(_("Left"), DATE, value="left_date"),
    ]


def members_export(groups, filters) -> ListExport:
    """The members of the KSM the list shows (a national list of millions streams through)."""
    memberships = (
        Membership.objects.filter(group__in=groups.order_by().values("pk"))
        .select_related("member", "group__village")
        .order_by(
            "group__name",
            "group_id",
            F("left_date").asc(nulls_first=True),
            "member__full_name",
            "pk",
        )
    )
    name = filename("anggota-ksm", timezone.localdate())
    return ListExport(
        _("Members of KSM"), _membership_columns(), memberships, name, filters=filters
    )


def group_members_export(group) -> ListExport:
    """One KSM's members, as its page lists them: the active first, then those who left."""
    memberships = group.memberships.select_related("member", "group__village").order_by(
        F("left_date").asc(nulls_first=True), "member__full_name", "pk"
    )
    name = filename("anggota", group.name, timezone.localdate())
    owner = f"{group.name}, {group.village.name}"
    return ListExport(_("Members"), _membership_columns(), memberships, name, owner=owner)


def cooperatives_export(cooperatives, filters) -> ListExport:
    rows = cooperatives.annotate(
        member_ksm=Count("memberships", filter=Q(memberships__left_date__isnull=True))
    )
    columns = [
        Column(_("Name"), value="name"),
        Column(_("Regency"), width=24, value="regency.name"),
        Column(_("Status"), width=14, value="get_status_display"),
        Column(_("Member KSM"), NUMBER, 12, value="member_ksm"),
    ]
    name = filename("koperasi", timezone.localdate())
    return ListExport(_("Cooperatives"), columns, rows, name, filters=filters)


def cooperative_members_export(cooperative, memberships) -> ListExport:
    columns = [
        Column(_("KSM"), value="group.name"),
        Column(_("Village"), width=24, value="group.village.name"),
        Column(_("Joined"), DATE, value="joined_date"),
        Column(_("Left"), DATE, value="left_date"),
    ]
    name = filename("anggota-koperasi", cooperative.name, timezone.localdate())
    return ListExport(_("Member KSM"), columns, memberships, name, owner=f"{cooperative.name}")
