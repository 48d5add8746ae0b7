"""The BUMDes list and the region tree as files: the page's rows, its search, the user's scope."""

import pytest
from django.urls import reverse

from tests.export_support import read_csv, read_xlsx
from tests.groups.factories import SelfHelpGroupFactory
from tests.villages.factories import BumdesFactory, VillageFactory
from tests.web.support import element, logged_in, translated

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_bumdes_export_is_the_searched_list_of_the_users_villages(
    village, other_village, facilitator, fmt
):
    BumdesFactory(village=village, name="BUMDes Maju Jaya")
    BumdesFactory(village=VillageFactory(district=village.district), name="BUMDes Lain")
    BumdesFactory(village=other_village, name="BUMDes Maju Jauh")
    client = logged_in(facilitator)

    response = client.get(reverse("villages:bumdes_list"), {"q": "maju", "format": fmt})

    table = (read_xlsx if fmt == "xlsx" else read_csv)(response)
    assert [row[:2] for row in table.rows] == [["BUMDes Maju Jaya", village.name]]
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("Search"),
            "value": "maju",
        }
        in table.heading
    )
    page = element(client.get(reverse("villages:bumdes_list"), {"q": "maju"}), "bumdes-export")
    assert page.hrefs()[0] == "?q=maju&format=xlsx"


def test_the_regions_export_has_the_children_with_their_ksm_counts(district, village, staff_user):
    SelfHelpGroupFactory.create_batch(2, village=village)
    client = logged_in(staff_user)

    table = read_xlsx(
        client.get(reverse("villages:regions", args=[district.code]), {"format": "xlsx"})
    )

    assert table.header == [
        translated("Code"),
        translated("Name"),
        translated("Kind"),
        translated("District"),
        translated("Regency"),
        "KSM",
    ]
    assert table.rows == [
        [village.code, village.name, translated("Desa"), district.name, district.regency.name, 2]
    ]
    assert table.heading[1] == f"{district.name} ({district.code})"


def test_the_regions_export_is_for_program_staff_only(district, facilitator):
    response = logged_in(facilitator).get(
        reverse("villages:regions", args=[district.code]), {"format": "csv"}
    )
    assert response.status_code == 403
