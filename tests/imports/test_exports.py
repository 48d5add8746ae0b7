"""The imports list and an import's rows as files: each user's own imports, the rows shown."""

import pytest
from django.urls import reverse

from imports.models import ImportBatch
from tests.export_support import read_csv, read_xlsx
from tests.imports.conftest import MEMBER_HEADERS, member_row, xlsx
from tests.imports.test_views import run_check, upload_and_find
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, translated

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(client, facilitator, ksm):
    """A members file of two rows, the second with a NIK that is not one, checked."""
    client.force_login(facilitator)
    bad = member_row(ksm, 2)
    bad[2] = "12345"
    content = xlsx([member_row(ksm, 1), bad], MEMBER_HEADERS)
    return run_check(client, ImportBatch.objects.get(pk=upload_and_find(client, content)))


def test_the_imports_list_exports_the_users_own_imports(client, checked, facilitator):
    table = read_xlsx(client.get(reverse("imports:start"), {"format": "xlsx"}))
    assert [row[:3] for row in table.rows] == [[checked.file_name, checked.kind_spec.title, 2]]
    assert table.rows[0][4] is not None  # uploaded at, a real date and time
    assert element(client.get(reverse("imports:start")), "imports-export").hrefs()[1] == (
        "?format=csv"
    )

    client.force_login(FacilitatorAssignmentFactory().user)
    assert read_csv(client.get(reverse("imports:start"), {"format": "csv"})).rows == []


def test_an_imports_rows_export_as_the_page_filters_them(client, checked):
    url = checked.get_absolute_url()

    problems = read_csv(client.get(url, {"format": "csv"}))  # problems shown first
    everything = read_csv(client.get(url, {"rows": "all", "format": "csv"}))

    assert [row[0] for row in problems.rows] == ["3"]
    assert problems.rows[0][3]  # the problem, in words
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("Rows"),
            "value": translated("Problems"),
        }
        in problems.heading
    )
    assert [row[0] for row in everything.rows] == ["2", "3"]

    client.force_login(FacilitatorAssignmentFactory().user)
    assert client.get(url, {"format": "csv"}).status_code == 404
