"""KSM of a village: one row per group."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import BusinessSector, SelfHelpGroup
from groups.services import groups_register_bulk
from villages.models import Village

from ..models import RowAction
from ..reading import cell_text
from .base import Column, ImportKind, Parsed, header_key, problem

VILLAGE = Column("village_code", "Kode desa", "33.25.01.2002", aliases=("kode wilayah", "kode"))
NAME = Column("name", "Nama KSM", "KSM Sumber Rejeki", aliases=("nama", "nama kelompok"))
REGISTRATION = Column(
    "registration_number",
    "No. registrasi",
    "001/KSM/2016",
    aliases=("nomor registrasi", "no registrasi ksm", "no reg"),
)
ORIGIN = Column("origin", "Asal", "Reaktivasi", help="Baru|Reaktivasi", aliases=("asal ksm",))
FORMED = Column("formed_date", "Tanggal dibentuk", "12-03-2009", aliases=("tanggal berdiri",))
REACTIVATED = Column("reactivated_date", "Tanggal reaktivasi", "15-03-2017", required=False)
SECTOR = Column(
    "business_sector",
    "Bidang usaha",
    "Simpan pinjam",
    required=False,
    help="|".join(
        [
            "Simpan pinjam",
            "Pertanian",
            "Peternakan",
            "Perikanan",
            "Olahan pangan",
            "Kerajinan",
            "Perdagangan",
            "Jasa",
            "Lainnya",
        ]
    ),
)
MEETING_DAY = Column(
    "meeting_day", "Hari pertemuan", "15", required=False, aliases=("tanggal pertemuan",)
)
ADDRESS = Column("address", "Alamat", "Dukuh Krajan RT 02 RW 01", required=False)

ORIGINS = {
    "baru": SelfHelpGroup.Origin.NEW,
    "new": SelfHelpGroup.Origin.NEW,
    "reaktivasi": SelfHelpGroup.Origin.REACTIVATED,
    "direaktivasi": SelfHelpGroup.Origin.REACTIVATED,
    "reactivated": SelfHelpGroup.Origin.REACTIVATED,
}
SECTORS = {
    header_key(label): value
    for label, value in zip(SECTOR.help.split("|"), BusinessSector.values, strict=True)
} | {header_key(value): value for value in BusinessSector.values}


def village_code(text: str) -> str:
    """33.25.01.2002 however it was typed: 3325012002, 33 25 01 2002."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 10:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return text.strip()


class KsmKind(ImportKind):
    slug = "ksm"
    title = gettext_lazy("KSM of a village")
    description = gettext_lazy(
        "One row per KSM: village code, name, registration number, new or reactivated, the "
        "dates. Officers come with the members file (its Role column)."
    )
    columns = (
        VILLAGE,
        NAME,
        REGISTRATION,
        ORIGIN,
        FORMED,
        REACTIVATED,
        SECTOR,
        MEETING_DAY,
        ADDRESS,
    )

    def parse_row(self, raw: dict, parsed: Parsed) -> None:
        data = parsed.data
        data["village_code"] = village_code(self.text(raw, VILLAGE, parsed, max_length=20))
        data["name"] = " ".join(self.text(raw, NAME, parsed, max_length=150).split())
        data["registration_number"] = self.text(raw, REGISTRATION, parsed, max_length=40)
        data["origin"] = self.choice(raw, ORIGIN, parsed, ORIGINS)
        formed = self.date(raw, FORMED, parsed)
        reactivated = self.date(raw, REACTIVATED, parsed)
        reactivated_missing = data["origin"] == SelfHelpGroup.Origin.REACTIVATED and not reactivated
        if reactivated_missing and not cell_text(raw.get(REACTIVATED.key)):
            parsed.problems.add(REACTIVATED, _("a reactivated KSM needs this date."))
        if data["origin"] == SelfHelpGroup.Origin.NEW and reactivated is not None:
            parsed.problems.add(REACTIVATED, _("a newly formed KSM has no reactivation date."))
        if formed and reactivated and reactivated < formed:
            parsed.problems.add(
                REACTIVATED,
                _("is before the formation date %(date)s.") % {"date": f"{formed:%d-%m-%Y}"},
            )
        data["formed_date"] = formed.isoformat() if formed else None
        data["reactivated_date"] = reactivated.isoformat() if reactivated else None
        data["business_sector"] = self.choice(
            raw, SECTOR, parsed, SECTORS, default=BusinessSector.SAVINGS_LOANS
        )
        data["meeting_day"] = self.whole_number(raw, MEETING_DAY, parsed, low=1, high=31)
        data["address"] = self.text(raw, ADDRESS, parsed, max_length=255)

    def check_in_file(self, rows: list[Parsed]) -> None:
        first_line = {}
        for row in rows:
            key = (row.data.get("village_code"), row.data.get("registration_number"))
            if not all(key):
                continue
            if key in first_line:
                row.problems.add(
                    REGISTRATION,
                    _("%(number)s appears twice for this village (also on line %(line)s).")
                    % {"number": key[1], "line": first_line[key]},
                )
            else:
                first_line[key] = row.line

    def check_rows(self, rows, *, user) -> None:
        codes = {row.data["village_code"] for row in rows}
        villages = {v.code: v for v in Village.objects.filter(code__in=codes)}
        editable = set(
            Village.objects.editable_by(user).filter(code__in=codes).values_list("code", flat=True)
        )
        existing = {
            (group.village.code, group.registration_number): group
            for group in SelfHelpGroup.objects.filter(
                village__code__in=codes,
                registration_number__in={row.data["registration_number"] for row in rows},
            ).select_related("village")
        }
        for row in rows:
            data = row.data
            village = villages.get(data["village_code"])
            if village is None:
                row.problems.append(
                    problem(
                        VILLAGE,
                        _("there is no village with code %(code)s.")
                        % {"code": data["village_code"]},
                    )
                )
            elif data["village_code"] not in editable:
                row.problems.append(
                    problem(
                        VILLAGE,
                        _("%(village)s is not one of the villages you look after.")
                        % {"village": village.name},
                    )
                )
            group = existing.get((data["village_code"], data["registration_number"]))
            if row.problems:
                row.action = RowAction.PROBLEM
            elif group is None:
                row.action = RowAction.CREATE
            elif self._same(group, data):
                row.action = RowAction.UNCHANGED
            else:
                row.problems.append(
                    problem(
                        REGISTRATION,
                        _(
                            "%(number)s is already KSM “%(name)s” of this village, with other "
                            "details. Change it on the KSM's page, or give this row another "
                            "number."
                        )
                        % {"number": data["registration_number"], "name": group.name},
                    )
                )
                row.action = RowAction.PROBLEM

    @staticmethod
    def _same(group: SelfHelpGroup, data: dict) -> bool:
        return (
            group.name == data["name"]
            and group.origin == data["origin"]
            and group.formed_date.isoformat() == data["formed_date"]
            and (group.reactivated_date.isoformat() if group.reactivated_date else None)
            == data["reactivated_date"]
        )

    def warnings(self, batch) -> list[str]:
        made = batch.rows.filter(action=RowAction.CREATE).count()
        if not made:
            return []
        return [
            _(
                "The %(count)s new KSM have no members or officers yet: import the members file "
                "next (with the chair and treasurer in its Role column)."
            )
            % {"count": made}
        ]

    def commit_rows(self, rows, *, user) -> int:
        codes = {row.data["village_code"] for row in rows}
        villages = {v.code: v for v in Village.objects.filter(code__in=codes)}
        groups = [
            SelfHelpGroup(
                village=villages[row.data["village_code"]],
                name=row.data["name"],
                registration_number=row.data["registration_number"],
                origin=row.data["origin"],
                formed_date=datetime.date.fromisoformat(row.data["formed_date"]),
                reactivated_date=(
                    datetime.date.fromisoformat(row.data["reactivated_date"])
                    if row.data["reactivated_date"]
                    else None
                ),
                business_sector=row.data["business_sector"],
                meeting_day=row.data["meeting_day"],
                address=row.data["address"],
            )
            for row in rows
        ]
        return len(groups_register_bulk(actor=user, groups=groups))

    def summary(self, data: dict) -> str:
        return " · ".join(
            str(part)
            for part in (
                data.get("name"),
                data.get("registration_number"),
                data.get("village_code"),
            )
            if part
        )


class KsmOfRows:
    """The KSM that a chunk of rows names (village code and registration number), read in one
    query, with the ones the user may change."""

    def __init__(self, rows, *, user):
        self.by_key = {
            (group.village.code, group.registration_number): group
            for group in SelfHelpGroup.objects.filter(
                village__code__in={row.data["village_code"] for row in rows},
                registration_number__in={row.data["registration_number"] for row in rows},
            ).select_related("village")
        }
        self.editable = set(
            SelfHelpGroup.objects.editable_by(user)
            .filter(pk__in=[group.pk for group in self.by_key.values()])
            .values_list("pk", flat=True)
        )

    @property
    def ids(self) -> list[int]:
        return [group.pk for group in self.by_key.values()]

    def of(self, row, *, village: Column, ksm: Column) -> SelfHelpGroup | None:
        """The row's KSM. None when there is none (the row is then marked a problem); a KSM
        outside the user's villages is returned with that problem added."""
        data = row.data
        group = self.by_key.get((data["village_code"], data["registration_number"]))
        if group is None:
            row.problems.append(
                problem(
                    ksm,
                    _("there is no KSM %(number)s in the village with code %(code)s.")
                    % {"number": data["registration_number"], "code": data["village_code"]},
                )
            )
            row.action = RowAction.PROBLEM
            return None
        if group.pk not in self.editable:
            row.problems.append(
                problem(
                    village,
                    _("%(village)s is not one of the villages you look after.")
                    % {"village": group.village.name},
                )
            )
        return group
