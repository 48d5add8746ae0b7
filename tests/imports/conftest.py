"""Import fixtures: files built the way a facilitator's spreadsheet program writes them."""

import csv
import datetime
import io

import pytest
from openpyxl import Workbook

from groups.models import Member
from imports.kinds import kind_of
from tests.groups.factories import make_family_card_number, make_nik

MEMBER_HEADERS = [c.header for c in kind_of("members").columns]
KSM_HEADERS = [c.header for c in kind_of("ksm").columns]


def xlsx(rows: list[list], headers: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], headers: list[str], *, delimiter=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def member_row(group, serial: int, *, role="Anggota", sex="P", name=None, joined=None, born=None):
    """One well-formed row of the members file for `group`."""
    born = born or datetime.date(1980 + serial % 20, 1 + serial % 12, 1 + serial % 28)
    district = group.village.district.code
    nik = make_nik(district, born, Member.Sex.FEMALE if sex == "P" else Member.Sex.MALE, serial)
    return [
        group.village.code,
        group.registration_number,
        nik,
        make_family_card_number(district, serial),
        name or f"Anggota Impor {serial}",
        sex,
        born.strftime("%d-%m-%Y"),
        f"0812{serial:08d}",
        "RT 01 RW 02",
        role,
        (joined or group.formed_date).strftime("%d-%m-%Y"),
    ]


@pytest.fixture
def make_member_row():
    return member_row
