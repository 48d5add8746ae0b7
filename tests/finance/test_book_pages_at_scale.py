"""Book pages whose cost follows the page, not the book or the country (issue 12): the cash
book's and ledger's pages from the kept totals, the journal's last page without counting,
the health figures without a join through every book's accounts, staff scopes without a
semi-join against every KSM or book."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance.models import Book, JournalEntry, JournalLine, Loan, Meeting
from finance.selectors.health import group_health
from finance.selectors.journal import entry_count
from finance.selectors.ledgers import LEDGER_PAGE_SIZE, cash_account, ledger
from finance.services import cash_pay, cash_receive, savings_deposit
from groups.models import Membership, SelfHelpGroup
from tests.groups.factories import MembershipFactory
from tests.web.support import logged_in

D = Decimal


def _busy_year(book) -> None:
    """210 cash lines over 2017, several on the same days, in and out."""
    for n in range(105):
        day = datetime.date(2017, 1 + n % 12, 1 + (n * 7) % 28)
        cash_receive(
            book=book,
            source="income_business",
            amount=10_000 + n * 100,
            entry_date=day,
            description=f"Penjualan {n}",
        )
        cash_pay(
            book=book,
            category="expense_other",
            amount=3_000 + n * 10,
            entry_date=day,
            description=f"Belanja {n}",
        )


def _by_hand(book, date_from, date_to):
    """(opening, [(line id, balance)]) computed from the lines themselves."""
    cash = cash_account(book)
    lines = JournalLine.objects.filter(account=cash).order_by("entry_date", "entry_id", "id")
    opening, rows, balance = D("0"), [], D("0")
    for line in lines:
        if line.entry_date < date_from:
            opening += line.debit - line.credit
            balance = opening
        elif line.entry_date <= date_to:
            balance += line.debit - line.credit
            rows.append((line.pk, balance))
    return opening, rows


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (datetime.date(2017, 1, 1), datetime.date(2017, 12, 31)),  # the year
        (datetime.date(2017, 3, 5), datetime.date(2017, 11, 20)),  # partial months at both ends
        (datetime.date(2017, 6, 1), datetime.date(2017, 6, 30)),  # a month
    ],
)
def test_every_cash_book_page_carries_the_running_balance_computed_by_hand(
    funded, date_from, date_to
):
    _busy_year(funded)
    opening, expected = _by_hand(funded, date_from, date_to)
    report = ledger(cash_account(funded), date_from=date_from, date_to=date_to)

    assert report.opening == opening
    assert report.count == len(expected)
    pages = -(-len(expected) // LEDGER_PAGE_SIZE)
    shown = []
    for number in range(1, pages + 1):
        page = report.page(number)
        if page.rows:
            first_index = len(shown)
            before = expected[first_index - 1][1] if first_index else opening
            assert page.brought_forward == before, number
        shown += [(row.line_id, row.balance) for row in page.rows]
    assert shown == expected
    assert report.closing == (expected[-1][1] if expected else opening)


def test_the_last_page_of_the_cash_book_shows_the_years_last_lines_and_closing_balance(
    funded, staff_user
):
    _busy_year(funded)
    _opening, expected = _by_hand(funded, datetime.date(2017, 1, 1), datetime.date(2017, 12, 31))
    last = -(-len(expected) // LEDGER_PAGE_SIZE)
    assert last >= 3

    client = logged_in(staff_user)
    url = reverse("finance:cash_book", args=[funded.pk])
    query = {"date_from": "2017-01-01", "date_to": "2017-12-31", "page": last}
    response = client.get(url, query)

    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == last
    rows = response.context["rows"]
    assert [(row.line_id, row.balance) for row in rows] == expected[(last - 1) * 100 :]
    assert response.context["brought_forward"] == expected[(last - 1) * 100 - 1][1]
    assert response.context["last_page"] is True
    assert response.context["ledger"].closing == expected[-1][1]


def test_the_cash_books_last_page_takes_the_queries_of_its_first(funded, staff_user):
    _busy_year(funded)
    client = logged_in(staff_user)
    url = reverse("finance:cash_book", args=[funded.pk])
    query = {"date_from": "2017-01-01", "date_to": "2017-12-31"}
    client.get(url, query)
    counts = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {**query, "page": page}).status_code == 200
        counts.append(len(queries))
        # No window over the range: the page's balance comes from the kept totals.
        assert not any("OVER (" in q["sql"].upper() for q in queries.captured_queries)
    # A later page adds one query: the balance brought forward.
    assert counts[1] == counts[2] == counts[0] + 1, counts


def test_the_journals_last_page_shows_the_books_first_entries_without_counting_the_book(
    funded, staff_user
):
    _busy_year(funded)
    total = JournalEntry.objects.filter(book=funded).count()
    assert entry_count(funded) == total
    client = logged_in(staff_user)
    url = reverse("finance:journal", args=[funded.pk])
    client.get(url)
    per_page = 25
    last = -(-total // per_page)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page": last})

    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == last
    assert page.paginator.count == total
    oldest = list(
        JournalEntry.objects.filter(book=funded)
        .order_by("-entry_date", "-id")
        .values_list("pk", flat=True)
    )[(last - 1) * per_page :]
    assert [entry.pk for entry in page.object_list] == oldest
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    # A search still counts what it found.
    found = client.get(url, {"q": "Penjualan 1"})
    assert found.context["page"].paginator.count == 16  # 1, 10-19, 100-104


def test_savings_regularity_on_a_fixed_book_counts_members_not_lines(funded, ksm, saver):
    # Another member pays wajib twice a month in March-May, a third only in April and May.
    twice = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    twice_only_two = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    for month in (3, 4, 5):
        for day in (5, 20):
            savings_deposit(
                book=funded,
                member=twice,
                savings_type="savings_mandatory",
                amount=5_000,
                entry_date=datetime.date(2017, month, day),
            )
        if month > 3:
            savings_deposit(
                book=funded,
                member=twice_only_two,
                savings_type="savings_mandatory",
                amount=5_000,
                entry_date=datetime.date(2017, month, 5),
            )

    with CaptureQueriesContext(connection) as queries:
        health = group_health(ksm, datetime.date(2017, 5, 31))

    # Members three months back: saver (paid only in January), twice, twice_only_two.
    assert health.savings_regularity == D("33.3")
    distinct = [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert distinct, "the regularity reads distinct (member, month) pairs"
    for sql in distinct:
        assert "finance_account" not in sql.replace("finance_accountmonth", "")
        assert '"entry_id"' not in sql  # the model's ordering does not widen the DISTINCT


@pytest.fixture
def every_kind(funded, ksm, saver):
    Meeting.objects.create(
        group=ksm,
        book=funded,
        meeting_date=datetime.date(2017, 5, 10),
        token="t1",
        members_count=3,
        present_count=2,
    )
    return funded


def test_staff_scopes_make_no_query_over_every_ksm_or_book(every_kind, staff_user, ksm):
    querysets = [
        Book.objects.visible_to(staff_user),
        JournalEntry.objects.visible_to(staff_user),
        Loan.objects.visible_to(staff_user),
        Meeting.objects.visible_to(staff_user),
        SelfHelpGroup.objects.visible_rows(Membership.objects.all(), staff_user),
    ]
    for queryset in querysets:
        sql = str(queryset.order_by().query)  # the models' own orderings aside
        assert "finance_book" not in sql or queryset.model is Book, sql
        assert "groups_selfhelpgroup" not in sql, sql
        assert " IN (SELECT" not in sql.upper(), sql
    assert JournalEntry.objects.visible_to(staff_user).filter(book=every_kind).exists()


def test_facilitator_scopes_still_narrow_to_their_villages(every_kind, facilitator, ksm):
    from tests.groups.factories import SelfHelpGroupFactory

    elsewhere = SelfHelpGroupFactory()
    MembershipFactory(group=elsewhere)
    seen = SelfHelpGroup.objects.visible_rows(Membership.objects.all(), facilitator)
    assert set(seen.values_list("group_id", flat=True)) == {ksm.pk}
    assert Meeting.objects.visible_to(facilitator).count() == 1
    outsider_entries = JournalEntry.objects.visible_to(facilitator).exclude(book=every_kind)
    assert not outsider_entries.exists()
