"""A posting queues its change for the regions instead of updating the province's and the
nation's rows itself; the drain (`rollups --drain` each minute, and the dashboard before it
reads) adds the queue to every level exactly once."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dashboard.models import RegionMonth, RegionPending
from dashboard.selectors.figures import region_series
from dashboard.services import rollups
from dashboard.services.rebuild import rollups_differences, rollups_rebuild
from dashboard.services.rollups import rollups_drain
from finance.services import book_open, cash_receive
from tests.groups.factories import SelfHelpGroupFactory
from tests.villages.factories import VillageFactory
from tests.web.support import logged_in, translated

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2017, 3, 1)


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))


def sale(book, amount, day=datetime.date(2017, 3, 10)):
    cash_receive(
        book=book, source="income_business", amount=amount, entry_date=day, description="Jualan"
    )


def cash(code: str, month=MARCH):
    return region_series([code], [month])[month]["cash"]


def test_a_posting_is_queued_for_its_village_and_the_drain_adds_it_to_every_level(book, ksm):
    sale(book, 40_000)
    village = ksm.village
    queued = RegionPending.objects.get(month=MARCH)
    assert queued.code == village.code
    assert queued.figures["cash"] == "40000.00"
    assert not RegionMonth.objects.filter(month=MARCH).exists()  # the regions are not touched
    assert rollups_differences() == []  # the queue counts as what the rollups hold

    queued_rows = RegionPending.objects.count()
    assert rollups_drain() == queued_rows
    assert not RegionPending.objects.exists()
    regency = village.district.regency
    for code in ("", regency.province.code, regency.code, village.district.code, village.code):
        assert cash(code) == 40_000
    assert rollups_drain() == 0  # nothing twice
    assert cash("") == 40_000
    assert rollups_differences() == []


def test_postings_of_two_villages_drained_together_sum_in_the_regions_above(
    book, district, monkeypatch
):
    monkeypatch.setattr(rollups, "ROWS_PER_STATEMENT", 2)  # a batch's rows over statements
    neighbour = VillageFactory(district=district, code=f"{district.code}.2999")
    other = book_open(owner=SelfHelpGroupFactory(village=neighbour), opening_date=MARCH)
    sale(book, 10_000)
    sale(other, 5_000)
    sale(book, 1_000, day=datetime.date(2017, 4, 2))
    queued = RegionPending.objects.count()
    assert rollups_drain() == queued
    assert cash(district.code) == 15_000
    assert cash(neighbour.code) == 5_000
    assert cash("") == 15_000
    assert cash("", datetime.date(2017, 4, 1)) == 16_000  # a balance: March's, then April's
    assert rollups_differences() == []


def test_the_command_drains_and_says_how_many(book):
    sale(book, 25_000)
    queued = RegionPending.objects.count()
    call_command("rollups", "--drain", stdout=(out := io.StringIO()))
    assert f"{queued} queued book change(s) added" in out.getvalue()
    assert cash("") == 25_000
    with pytest.raises(CommandError) as refused:
        call_command("rollups", "--drain", "--book", str(book.pk), stdout=io.StringIO())
    assert str(refused.value) == translated("--drain adds every book's changes: leave out --book.")


def test_a_rebuild_takes_the_queue_into_the_regions_once(book):
    sale(book, 30_000)
    rollups_rebuild()
    assert not RegionPending.objects.exists()
    assert cash("") == 30_000
    assert rollups_drain() == 0
    assert cash("") == 30_000
    assert rollups_differences() == []


def test_the_dashboard_adds_the_queue_before_it_reads(staff_user, book, ksm):
    sale(book, 60_000)
    client = logged_in(staff_user)
    url = reverse("dashboard:dashboard")
    response = client.get(url, {"region": ksm.village.code, "from": "2017-01", "to": "2017-03"})
    assert response.status_code == 200
    assert not RegionPending.objects.exists()
    assert cash(ksm.village.code) == 60_000
    behind = translated(
        "The latest postings are still being added to the region figures: reload the page in a "
        "minute to see them all."
    )
    assert behind not in response.content.decode()


def test_the_dashboard_says_so_when_more_than_a_batch_waits(staff_user, book, ksm, monkeypatch):
    for day in (3, 10, 17):
        sale(book, 1_000, day=datetime.date(2017, 3, day))
    queued = RegionPending.objects.count()
    monkeypatch.setattr(rollups, "DRAIN_BATCH", 1)
    monkeypatch.setattr("dashboard.views.dashboard.DRAIN_BATCH", 1)
    response = logged_in(staff_user).get(reverse("dashboard:dashboard"))
    assert response.status_code == 200
    assert RegionPending.objects.count() == queued - 1  # one batch, then the page
    behind = translated(
        "The latest postings are still being added to the region figures: reload the page in a "
        "minute to see them all."
    )
    assert behind in response.content.decode()
    rollups_drain()
    assert cash(ksm.village.code) == 3_000
