"""The BUMDes list and the region tree as files (see ksm_portal.exports)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.exports import NUMBER, Column, ListExport, filename

from .models import VillageKind


def _village_kind(village) -> str:
    # A GeneratedField has no get_kind_display().
    return str(VillageKind(village.kind).label) if village.kind else ""


def bumdes_export(bumdes, filters) -> ListExport:
    columns = [
        Column(_("Name"), value="name"),
        Column(_("Village"), width=24, value="village.name"),
        Column(_("District"), width=24, value="village.district.name"),
        Column(_("Status"), width=14, value="get_status_display"),
    ]
    name = filename("bumdes", timezone.localdate())
    return ListExport(_("BUMDes"), columns, bumdes, name, filters=filters)


def regions_export(children, *, node, village_level: bool, filters) -> ListExport:
    """The regions one level down (or the villages found), with their KSM counts."""
    columns = [Column(_("Code"), width=16, value="code"), Column(_("Name"), value="name")]
    if village_level:
        children = children.select_related("district__regency")
        columns += [
            Column(_("Kind"), width=12, value=_village_kind),
            Column(_("District"), width=24, value="district.name"),
            Column(_("Regency"), width=24, value="district.regency.name"),
        ]
    else:
        columns.append(Column(_("Regions below"), NUMBER, 14, value="children_count"))
    columns.append(Column(_("KSM"), NUMBER, value="ksm_count"))
    title = _("Regions")
    owner = f"{node.name} ({node.code})" if node else _("Indonesia")
    name = filename("wilayah", node.code if node else "indonesia", timezone.localdate())
    return ListExport(title, columns, children, name, filters=filters, owner=owner)
