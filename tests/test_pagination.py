import pytest
from django.test import RequestFactory

from groups.models import SelfHelpGroup
from ksm_portal.pagination import paginate
from tests.groups.factories import SelfHelpGroupFactory

pytestmark = pytest.mark.django_db


def test_each_page_holds_the_rows_in_list_order_including_the_short_last_page(village):
    names = ["Bina", "Asri", "Dadi", "Cipta", "Eka", "Fajar", "Gita"]
    for name in names:
        SelfHelpGroupFactory(village=village, name=f"KSM {name}")
    ordered = list(SelfHelpGroup.objects.select_related("village").order_by("name", "id"))

    queryset = SelfHelpGroup.objects.order_by("name", "id")
    pages = [
        paginate(RequestFactory().get("/", {"page": n}), queryset, per_page=3)[0] for n in (1, 2, 3)
    ]

    assert [list(page.object_list) for page in pages] == [ordered[0:3], ordered[3:6], ordered[6:]]
    assert pages[0].paginator.num_pages == 3


def test_page_links_keep_the_search_but_not_the_page_number(village):
    request = RequestFactory().get("/", {"q": "guyub", "origin": "new", "page": "2"})

    _page, querystring = paginate(request, SelfHelpGroup.objects.order_by("name"), per_page=3)

    assert querystring == "q=guyub&origin=new"
