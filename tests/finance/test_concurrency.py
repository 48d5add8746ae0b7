"""People posting to one book at the same moment, on PostgreSQL: distinct gap-free numbers,
no lost entry, no overdraft, one entry per form token.

Each test commits its data (a transactional test) so that the threads, each on its own database
connection, see it; a barrier releases the threads together, and each closes its connection
when done. SQLite serialises every writer on one file lock, so the race these tests look for
cannot happen there: they run on PostgreSQL only.
"""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from finance.models import AccountMonth, BookYear, JournalEntry, JournalLine, MemberBalance
from finance.services import cash_receive, savings_deposit, savings_withdraw

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True),
]

JAN = datetime.date(2017, 1, 10)


def all_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; each result is what work returned
    or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_four_treasurers_posting_25_entries_each_at_once_get_numbers_1_to_100(book):
    def post_25(worker):
        for n in range(25):
            cash_receive(
                book=book,
                source="income_business",
                amount=1000 + worker,
                entry_date=JAN,
                description=f"Penjualan {worker}-{n}",
            )
        return "done"

    results = all_at_once(4, post_25)

    assert results == ["done"] * 4
    numbers = sorted(JournalEntry.objects.filter(book=book).values_list("number", flat=True))
    assert numbers == list(range(1, 101))
    assert BookYear.objects.get(book=book, year=2017).last_number == 100
    expected = sum((Decimal(1000 + worker) * 25 for worker in range(4)), Decimal("0"))
    lines = JournalLine.objects.filter(book=book, account__role="cash").aggregate(d=Sum("debit"))
    kept = AccountMonth.objects.get(account__book=book, account__role="cash")
    assert lines["d"] == kept.debit == expected
    call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())


def test_withdrawals_racing_for_one_members_savings_never_overdraw_it(book, saver):
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=100000, entry_date=JAN
    )

    results = all_at_once(
        8, lambda _i: savings_withdraw(book=book, member=saver, amount=30000, entry_date=JAN)
    )

    refused = [r for r in results if isinstance(r, ValidationError)]
    paid = [r for r in results if not isinstance(r, Exception)]
    assert len(paid) == 3, results
    assert len(refused) == 5, results
    assert all("amount" in error.message_dict for error in refused)
    balance = MemberBalance.objects.get(member=saver, account__role="savings_voluntary")
    assert balance.balance == Decimal("10000")
    assert JournalEntry.objects.filter(book=book, kind="savings_withdrawal").count() == 3
    call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())


def test_one_form_submitted_from_several_threads_at_once_posts_one_entry(book):
    results = all_at_once(
        6,
        lambda _i: cash_receive(
            book=book,
            source="income_other",
            amount=5000,
            entry_date=JAN,
            description="Bunga bank",
            token="form-token-1",
        ),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for posted in results if posted.created) == 1
    assert len({posted.entry.pk for posted in results}) == 1
    assert JournalEntry.objects.filter(book=book).count() == 1
    kept = AccountMonth.objects.get(account__book=book, account__role="cash")
    assert kept.debit == Decimal("5000")
