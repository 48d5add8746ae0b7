"""Treasurers of many KSM posting at the same moment, on PostgreSQL, then drains at once: every
posting reaches the nation's figures exactly once, none waits for a deadlock, and the rollups
still equal the journal."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from dashboard.models import RegionMonth, RegionPending
from dashboard.services import rollups
from dashboard.services.rebuild import rollups_differences
from dashboard.services.rollups import rollups_drain
from finance.services import book_open, cash_receive
from tests.finance.test_concurrency import all_at_once
from tests.groups.factories import SelfHelpGroupFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True),
]

JAN = datetime.date(2017, 1, 10)


def test_six_treasurers_of_six_ksm_posting_at_once_all_reach_the_nation(
    village, other_village, monkeypatch
):
    books = [
        book_open(owner=SelfHelpGroupFactory(village=v), opening_date=JAN)
        for v in (village, other_village) * 3
    ]

    def post_10(worker):
        for n in range(10):
            cash_receive(
                book=books[worker],
                source="income_business",
                amount=1000,
                entry_date=JAN,
                description=f"Penjualan {n}",
            )
        return "done"

    assert all_at_once(6, post_10) == ["done"] * 6
    assert rollups_differences() == []  # the queued changes count as kept
    # Three drains at once, in batches of 5: each queued change is added exactly once.
    queued = RegionPending.objects.count()
    assert queued >= 60
    monkeypatch.setattr(rollups, "DRAIN_BATCH", 5)
    drained = all_at_once(3, lambda worker: rollups_drain())
    assert all(isinstance(count, int) for count in drained), drained
    assert sum(drained) == queued
    assert not RegionPending.objects.exists()
    nation = RegionMonth.objects.filter(code="", month=JAN.replace(day=1))
    assert nation.aggregate(cash=Sum("cash"))["cash"] == Decimal(60 * 1000)
    assert nation.aggregate(n=Sum("entries"))["n"] == 60
    assert rollups_differences() == []
