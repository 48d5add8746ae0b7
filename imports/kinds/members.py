"""Members and their memberships: one row per person in a KSM."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import Member, Membership, SelfHelpGroup
from groups.services import Joining, members_join_bulk
from groups.validators import (
    nik_mismatch,
    normalise_phone,
    validate_family_card_number,
    validate_nik,
    validate_phone,
)

from ..models import RowAction
from .base import Column, ImportKind, Parsed, problem
from .ksm import KsmOfRows, village_code

VILLAGE = Column("village_code", "Kode desa", "33.25.01.2002", help="", aliases=("kode desa ksm",))
KSM = Column(
    "registration_number",
    "No. registrasi KSM",
    "001/KSM/2016",
    aliases=("no registrasi", "nomor registrasi ksm", "no reg ksm"),
)
NIK = Column("nik", "NIK", "3325014503850002", aliases=("no ktp", "nomor induk kependudukan"))
KK = Column(
    "family_card_number", "No. KK", "3325011203090005", aliases=("nomor kk", "no kartu keluarga")
)
NAME = Column("full_name", "Nama lengkap", "Siti Aminah", aliases=("nama", "nama anggota"))
SEX = Column("sex", "Jenis kelamin", "P", help="L|P", aliases=("jk", "l/p"))
BIRTH = Column("birth_date", "Tanggal lahir", "05-03-1985", aliases=("tgl lahir",))
PHONE = Column("phone", "Telepon", "081234567890", required=False, aliases=("no hp", "hp"))
ADDRESS = Column("address", "Alamat", "Dukuh Krajan RT 02 RW 01", required=False)
ROLE = Column(
    "role",
    "Peran",
    "Bendahara",
    required=False,
    help="Ketua|Sekretaris|Bendahara|Anggota",
    aliases=("jabatan",),
)
JOINED = Column("joined_date", "Tanggal bergabung", "15-03-2017", aliases=("tanggal masuk",))

SEXES = {
    "l": Member.Sex.MALE,
    "lakilaki": Member.Sex.MALE,
    "pria": Member.Sex.MALE,
    "m": Member.Sex.MALE,
    "p": Member.Sex.FEMALE,
    "perempuan": Member.Sex.FEMALE,
    "wanita": Member.Sex.FEMALE,
    "f": Member.Sex.FEMALE,
}
ROLES = {
    "ketua": Membership.Role.CHAIR,
    "sekretaris": Membership.Role.SECRETARY,
    "bendahara": Membership.Role.TREASURER,
    "anggota": Membership.Role.MEMBER,
}
ROLE_NAMES = {
    value: label for label, value in zip(ROLE.help.split("|"), ROLES.values(), strict=True)
}
SINGLE_ROLES = (Membership.Role.CHAIR, Membership.Role.TREASURER)


def _same_person(member: Member, data: dict) -> bool:
    return (
        member.full_name.casefold() == data["full_name"].casefold()
        and member.birth_date.isoformat() == data["birth_date"]
        and member.sex == data["sex"]
    )


class MembersKind(ImportKind):
    slug = "members"
    title = gettext_lazy("Members of KSM")
    description = gettext_lazy(
        "One row per member: the KSM (village code and registration number), NIK, family card, "
        "name, sex, birth date, role and joining date. A person already registered joins with "
        "the details on record."
    )
    columns = (VILLAGE, KSM, NIK, KK, NAME, SEX, BIRTH, PHONE, ADDRESS, ROLE, JOINED)

    def parse_row(self, raw: dict, parsed: Parsed) -> None:
        data = parsed.data
        problems = parsed.problems
        data["village_code"] = village_code(self.text(raw, VILLAGE, parsed, max_length=20))
        data["registration_number"] = self.text(raw, KSM, parsed, max_length=40)
        data["nik"] = self.digits(raw, NIK)
        data["family_card_number"] = self.digits(raw, KK)
        for column, validate in ((NIK, validate_nik), (KK, validate_family_card_number)):
            if not data[column.key]:
                problems.add(column, _("is empty."))
                continue
            try:
                validate(data[column.key])
            except ValidationError as error:
                problems.add(column, " ".join(error.messages))
        data["full_name"] = " ".join(self.text(raw, NAME, parsed, max_length=150).split())
        data["sex"] = self.choice(raw, SEX, parsed, SEXES)
        birth = self.date(raw, BIRTH, parsed)
        data["birth_date"] = birth.isoformat() if birth else None
        if birth and data["sex"] and not any(p.startswith(NIK.header) for p in problems):
            mismatch = nik_mismatch(data["nik"], data["sex"], birth)
            if mismatch:
                problems.add(NIK, mismatch)
        data["phone"] = normalise_phone(self.text(raw, PHONE, parsed, max_length=20))
        try:
            validate_phone(data["phone"])
        except ValidationError as error:
            problems.add(PHONE, " ".join(error.messages))
        data["address"] = self.text(raw, ADDRESS, parsed, max_length=255)
        data["role"] = self.choice(raw, ROLE, parsed, ROLES, default=Membership.Role.MEMBER)
        joined = self.date(raw, JOINED, parsed)
        if joined and birth and joined < birth:
            problems.add(JOINED, _("is before the birth date."))
        data["joined_date"] = joined.isoformat() if joined else None

    def check_in_file(self, rows: list[Parsed]) -> None:
        person_line: dict[str, Parsed] = {}
        membership_line: dict[tuple, int] = {}
        officer_line: dict[tuple, int] = {}
        for row in rows:
            data = row.data
            group_key = (data.get("village_code"), data.get("registration_number"))
            nik = data.get("nik")
            if not nik or not all(group_key):
                continue
            first = person_line.setdefault(nik, row)
            if first is not row and (
                first.data.get("full_name", "").casefold() != data.get("full_name", "").casefold()
                or first.data.get("birth_date") != data.get("birth_date")
            ):
                row.problems.add(
                    NIK,
                    _("%(nik)s is also on line %(line)s with another name or birth date.")
                    % {"nik": nik, "line": first.line},
                )
            if (nik, group_key) in membership_line:
                row.problems.add(
                    NIK,
                    _("%(nik)s is listed twice for this KSM (also on line %(line)s).")
                    % {"nik": nik, "line": membership_line[(nik, group_key)]},
                )
            else:
                membership_line[(nik, group_key)] = row.line
            role = data.get("role")
            if role in SINGLE_ROLES:
                if (role, group_key) in officer_line:
                    row.problems.add(
                        ROLE,
                        _("this KSM has a second %(role)s in the file (also line %(line)s).")
                        % {
                            "role": ROLE_NAMES[role].lower(),
                            "line": officer_line[(role, group_key)],
                        },
                    )
                else:
                    officer_line[(role, group_key)] = row.line

    def check_rows(self, rows, *, user) -> None:
        ksm_of = KsmOfRows(rows, user=user)
        members = {
            member.nik: member
            for member in Member.objects.filter(nik__in={row.data["nik"] for row in rows})
        }
        group_ids = ksm_of.ids
        active = {
            (m.member_id, m.group_id): m
            for m in Membership.objects.active().filter(
                group_id__in=group_ids, member_id__in=[m.pk for m in members.values()]
            )
        }
        holders = {
            (m.group_id, m.role): m
            for m in Membership.objects.active()
            .filter(group_id__in=group_ids, role__in=SINGLE_ROLES)
            .select_related("member")
        }
        for row in rows:
            data = row.data
            group = ksm_of.of(row, village=VILLAGE, ksm=KSM)
            if group is None:
                continue
            data["group_id"] = group.pk
            if group.status == SelfHelpGroup.Status.DISSOLVED:
                row.problems.append(
                    problem(KSM, _("%(name)s has been dissolved.") % {"name": group.name})
                )
            if data["joined_date"] < group.formed_date.isoformat():
                row.problems.append(
                    problem(
                        JOINED,
                        _("is before %(name)s was formed (%(date)s).")
                        % {"name": group.name, "date": f"{group.formed_date:%d-%m-%Y}"},
                    )
                )
            member = members.get(data["nik"])
            data["member_id"] = member.pk if member else None
            membership = active.get((member.pk, group.pk)) if member else None
            if member is not None and not _same_person(member, data):
                row.problems.append(
                    problem(
                        NIK,
                        _(
                            "is already registered for a person with another name, sex or "
                            "birth date. Check the NIK, or correct the member's details first."
                        ),
                    )
                )
            elif membership is not None and membership.role != data["role"]:
                row.problems.append(
                    problem(
                        ROLE,
                        _("%(name)s is already a member of this KSM as %(role)s.")
                        % {"name": member.full_name, "role": membership.get_role_display().lower()},
                    )
                )
            holder = holders.get((group.pk, data["role"]))
            if holder is not None and holder.member.nik != data["nik"] and membership is None:
                row.problems.append(
                    problem(
                        ROLE,
                        _("%(name)s already has a %(role)s in office: %(holder)s.")
                        % {
                            "name": group.name,
                            "role": ROLE_NAMES[data["role"]].lower(),
                            "holder": holder.member.full_name,
                        },
                    )
                )
            if row.problems:
                row.action = RowAction.PROBLEM
            elif membership is not None:
                row.action = RowAction.UNCHANGED
            elif member is not None:
                row.action = RowAction.UPDATE
            else:
                row.action = RowAction.CREATE

    def warnings(self, batch) -> list[str]:
        joining = set(
            batch.rows.filter(action__in=(RowAction.CREATE, RowAction.UPDATE))
            .values_list("data__village_code", "data__registration_number")
            .distinct()
        )
        if not joining:
            return []
        treasurer_in_file = set(
            batch.rows.exclude(action=RowAction.PROBLEM)
            .filter(data__role=Membership.Role.TREASURER)
            .values_list("data__village_code", "data__registration_number")
        )
        keys = joining - treasurer_in_file
        numbers = {number for _code, number in keys}
        candidates = [
            (pk, name)
            for pk, code, number, name in SelfHelpGroup.objects.filter(
                registration_number__in=numbers, village__code__in={code for code, _n in keys}
            ).values_list("pk", "village__code", "registration_number", "name")
            if (code, number) in keys
        ]
        with_treasurer = set(
            Membership.objects.active()
            .filter(group_id__in=[pk for pk, _name in candidates], role=Membership.Role.TREASURER)
            .values_list("group_id", flat=True)
        )
        without = sorted(name for pk, name in candidates if pk not in with_treasurer)
        if not without:
            return []
        count = len(without)
        return [
            _(
                "%(count)s KSM will have no treasurer: %(names)s%(more)s. A treasurer is needed "
                "before the group can keep its books; add one later on the KSM's page."
            )
            % {"count": count, "names": ", ".join(without[:10]), "more": "…" if count > 10 else ""}
        ]

    def commit_rows(self, rows, *, user) -> int:
        groups = SelfHelpGroup.objects.in_bulk({row.data["group_id"] for row in rows})
        members = Member.objects.in_bulk(
            {row.data["member_id"] for row in rows if row.data["member_id"]}
        )
        new_people: dict[str, Member] = {}
        joinings = []
        for row in rows:
            data = row.data
            member = members.get(data["member_id"]) if data["member_id"] else None
            if member is None:
                member = new_people.get(data["nik"])
            if member is None:
                member = new_people[data["nik"]] = Member(
                    nik=data["nik"],
                    family_card_number=data["family_card_number"],
                    full_name=data["full_name"],
                    sex=data["sex"],
                    birth_date=datetime.date.fromisoformat(data["birth_date"]),
                    address=data["address"],
                    phone=data["phone"],
                )
            joinings.append(
                Joining(
                    member=member,
                    group=groups[data["group_id"]],
                    role=data["role"],
                    joined_date=datetime.date.fromisoformat(data["joined_date"]),
                )
            )
        return members_join_bulk(actor=user, joinings=joinings)

    def summary(self, data: dict) -> str:
        return " · ".join(
            str(part)
            for part in (
                data.get("full_name"),
                data.get("nik"),
                ROLE_NAMES.get(data.get("role"), ""),
                data.get("registration_number"),
            )
            if part
        )
