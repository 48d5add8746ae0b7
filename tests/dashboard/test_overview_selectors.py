"""The program overview counts a regency's KSM, members, BUMDes and cooperatives right, village by
village, and its cost does not grow with the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.selectors.overview import OverviewRow, district_origins, program_overview
from tests.groups.factories import (
    CooperativeFactory,
    CooperativeMembershipFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
)
from tests.villages.factories import (
    BumdesFactory,
    DistrictFactory,
    RegencyFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batang(regency):
    """Kabupaten Batang with two kecamatan holding villages and one holding none.

    Wonotunggal: Sodong (KSM g1, g2 new, g3 reactivated; BUMDes) and Brayo (g4 reactivated);
    Bandar: Binangun (g5 new; BUMDes). Cooperative X has g1 and g5; Y had g4 (left) and has g5;
    W is still being formed with no KSM. A KSM, a BUMDes and a cooperative of the neighbouring
    regency must not be counted.
    """
    wonotunggal = DistrictFactory(regency=regency, code="33.25.01", name="Wonotunggal")
    bandar = DistrictFactory(regency=regency, code="33.25.02", name="Bandar")
    DistrictFactory(regency=regency, code="33.25.03", name="Blado")
    sodong = VillageFactory(district=wonotunggal, code="33.25.01.2001", name="Sodong")
    brayo = VillageFactory(district=wonotunggal, code="33.25.01.2002", name="Brayo")
    binangun = VillageFactory(district=bandar, code="33.25.02.2001", name="Binangun")

    g1 = SelfHelpGroupFactory(village=sodong, new=True)
    g2 = SelfHelpGroupFactory(village=sodong, new=True)
    SelfHelpGroupFactory(village=sodong, reactivated=True)
    g4 = SelfHelpGroupFactory(village=brayo, reactivated=True)
    g5 = SelfHelpGroupFactory(village=binangun, new=True)

    shared = MembershipFactory(group=g1, chair=True).member  # also active in g2
    MembershipFactory.create_batch(2, group=g1)
    MembershipFactory(group=g1, ended=True)
    MembershipFactory(group=g2, member=shared)
    MembershipFactory.create_batch(2, group=g2)
    MembershipFactory.create_batch(2, group=g5)
    MembershipFactory(group=g4, ended=True)

    BumdesFactory(village=sodong)
    BumdesFactory(village=binangun)

    x = CooperativeFactory(regency=regency, name="Koperasi X")
    y = CooperativeFactory(regency=regency, name="Koperasi Y")
    CooperativeFactory(regency=regency, name="Koperasi W")
    CooperativeMembershipFactory(cooperative=x, group=g1)
    CooperativeMembershipFactory(cooperative=x, group=g5)
    CooperativeMembershipFactory(cooperative=y, group=g4, ended=True)
    CooperativeMembershipFactory(cooperative=y, group=g5)

    neighbour = VillageFactory(district__regency=RegencyFactory(province=regency.province))
    outside = SelfHelpGroupFactory(village=neighbour)
    MembershipFactory.create_batch(3, group=outside)
    BumdesFactory(village=neighbour)
    CooperativeMembershipFactory(
        cooperative=CooperativeFactory(regency=neighbour.district.regency), group=outside
    )
    CooperativeMembershipFactory(cooperative=x, group=SelfHelpGroupFactory(village=neighbour))
    return regency


def _rows(overview) -> dict[str, OverviewRow]:
    return {village.name: row for block in overview["blocks"] for village, row in block.villages}


def _counts(row: OverviewRow) -> tuple:
    return (row.ksm, row.ksm_new, row.ksm_reactivated, row.active_members, row.bumdes)


def test_the_overview_counts_ksm_members_and_bumdes_per_village(batang):
    rows = _rows(program_overview(regency=batang))

    assert list(rows) == ["Sodong", "Brayo", "Binangun"]
    #                         ksm new react members bumdes
    assert _counts(rows["Sodong"]) == (3, 2, 1, 5, 1)
    assert _counts(rows["Brayo"]) == (1, 0, 1, 0, 0)
    assert _counts(rows["Binangun"]) == (1, 1, 0, 2, 1)


def test_the_overview_counts_a_cooperative_only_where_a_ksm_is_still_a_member(batang):
    rows = _rows(program_overview(regency=batang))

    assert rows["Sodong"].cooperatives == 1  # X
    assert rows["Binangun"].cooperatives == 2  # X and Y
    assert rows["Brayo"].cooperatives == 0  # its KSM left Y


def test_the_overview_totals_each_district(batang):
    blocks = {
        block.district.name: block.total for block in program_overview(regency=batang)["blocks"]
    }

    assert list(blocks) == ["Wonotunggal", "Bandar"]  # Blado has no village registered
    assert (blocks["Wonotunggal"].villages, *_counts(blocks["Wonotunggal"])) == (2, 4, 2, 2, 5, 1)
    assert (blocks["Bandar"].villages, *_counts(blocks["Bandar"])) == (1, 1, 1, 0, 2, 1)
    assert blocks["Wonotunggal"].cooperatives == 1  # X (Y only through Brayo's KSM that left)
    assert blocks["Bandar"].cooperatives == 2


def test_the_overview_totals_the_whole_regency(batang):
    total = program_overview(regency=batang)["total"]

    assert (total.districts, total.villages) == (2, 3)
    assert (total.ksm, total.ksm_new, total.ksm_reactivated) == (5, 3, 2)
    assert total.active_members == 7  # the member active in two KSM counts once
    assert total.bumdes == 2
    assert total.cooperatives == 3  # X, Y and W, registered in Batang


def test_the_overview_pages_by_district_but_totals_the_regency(batang):
    second = program_overview(regency=batang, page_number=2, districts_per_page=1)

    assert [block.district.name for block in second["blocks"]] == ["Bandar"]
    assert second["page"].paginator.num_pages == 2
    assert second["total"].ksm == 5


def test_the_chart_counts_new_and_reactivated_ksm_in_every_district_of_the_regency(batang):
    overview = program_overview(regency=batang, page_number=1, districts_per_page=1)

    origins = {d.name: (d.ksm, d.ksm_new, d.ksm_reactivated) for d in district_origins(batang)}
    assert origins == {"Wonotunggal": (4, 2, 2), "Bandar": (1, 1, 0)}  # not only this page's
    assert list(origins) == ["Wonotunggal", "Bandar"]
    assert overview["district_origins"] == district_origins(batang)


def _queries_for(regency) -> int:
    with CaptureQueriesContext(connection) as queries:
        program_overview(regency=regency)
    return len(queries)


def test_the_overview_runs_the_same_few_queries_however_much_data_there_is(
    regency, django_assert_num_queries
):
    district = DistrictFactory(regency=regency)
    MembershipFactory(group=SelfHelpGroupFactory(village=VillageFactory(district=district)))
    few = _queries_for(regency)

    for _ in range(4):
        district = DistrictFactory(regency=regency)
        for _ in range(3):
            village = VillageFactory(district=district)
            BumdesFactory(village=village)
            for group in SelfHelpGroupFactory.create_batch(3, village=village):
                MembershipFactory.create_batch(2, group=group)
                MembershipFactory(group=group, member=MemberFactory(), ended=True)
                CooperativeMembershipFactory(group=group, cooperative__regency=regency)

    assert few <= 15
    with django_assert_num_queries(few):
        overview = program_overview(regency=regency)
    assert overview["total"].ksm == 1 + 4 * 3 * 3
