"""KSM files: a kecamatan's groups in one go."""

import pytest

from groups.models import SelfHelpGroup
from imports.models import ImportStatus, RowAction
from imports.services import batch_commit
from tests.imports.conftest import KSM_HEADERS
from tests.imports.test_members_import import checked, problems_of
from tests.villages.factories import VillageFactory

pytestmark = pytest.mark.django_db


def ksm_row(village, number, *, name=None, origin="Baru", formed="12-03-2009", reactivated=""):
    return [
        village.code,
        name or f"KSM Impor {number}",
        f"{number:03d}/KSM/2009",
        origin,
        formed,
        reactivated,
        "Simpan pinjam",
        "15",
        "Dukuh Krajan",
    ]


def test_a_villages_ksm_are_registered_with_the_region_counts(facilitator, village):
    rows = [ksm_row(village, n) for n in range(1, 4)]
    rows.append(ksm_row(village, 4, origin="Reaktivasi", reactivated="15-03-2017"))
    batch = checked(facilitator, rows, kind="ksm", headers=KSM_HEADERS)
    assert batch.status == ImportStatus.READY and batch.rows_new == 4
    assert batch.warnings  # the members file comes next
    batch_commit(actor=facilitator, batch=batch)
    groups = SelfHelpGroup.objects.filter(village=village)
    assert groups.count() == 4
    assert groups.reactivated().get().reactivated_date.isoformat() == "2017-03-15"
    village.refresh_from_db()
    village.district.refresh_from_db()
    assert village.ksm_count == 4 and village.district.ksm_count == 4

    again = checked(facilitator, rows, kind="ksm", headers=KSM_HEADERS)
    assert (again.rows_new, again.rows_unchanged) == (0, 4)


def test_ksm_rows_with_problems(facilitator, village):
    outside = VillageFactory()
    rows = [
        ksm_row(village, 1),
        ksm_row(village, 1, name="KSM Kembar"),
        ksm_row(village, 2, origin="Reaktivasi"),
        ksm_row(village, 3, origin="Baru", reactivated="01-01-2017"),
        ksm_row(village, 4, origin="Reaktivasi", formed="01-01-2018", reactivated="01-01-2017"),
        ksm_row(outside, 5),
        ["33.99.99.2999", "KSM Hantu", "006/KSM/2009", "Baru", "12-03-2009", "", "", "", ""],
        ksm_row(village, 7, origin="Lama"),
    ]
    batch = checked(facilitator, rows, kind="ksm", headers=KSM_HEADERS)
    assert batch.status == ImportStatus.PROBLEMS
    assert batch.rows.get(line=2).action == RowAction.CREATE
    assert any("dua kali" in p for p in problems_of(batch, 3))
    assert any("perlu tanggal ini" in p for p in problems_of(batch, 4))
    assert any("tidak punya tanggal reaktivasi" in p for p in problems_of(batch, 5))
    assert any("sebelum tanggal dibentuk" in p for p in problems_of(batch, 6))
    assert any("bukan desa dampingan Anda" in p for p in problems_of(batch, 7))
    assert any("33.99.99.2999" in p for p in problems_of(batch, 8))
    assert any("Lama" in p for p in problems_of(batch, 9))
    assert not SelfHelpGroup.objects.exists()
