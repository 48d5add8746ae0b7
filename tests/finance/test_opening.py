"""The opening-balances wizard of a reactivated KSM: one balanced entry at the cut-off,
balanced against retained surplus, once, and only into empty books."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from finance import tokens
from finance.models import EntryKind, JournalEntry, JournalLine, Loan, MemberBalance
from finance.services import account_for, book_open, cash_receive
from finance.services.opening import OpeningLoan, opening_balances_post, opening_summary
from tests.groups.factories import MemberFactory, MembershipFactory, SelfHelpGroupFactory
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, parse

pytestmark = pytest.mark.django_db
D = Decimal
CUTOFF = datetime.date(2017, 1, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ksm(village):
    return SelfHelpGroupFactory(village=village, reactivated=True)


def _member(ksm, name):
    member = MemberFactory(village=ksm.village, full_name=name)
    MembershipFactory(group=ksm, member=member, joined_date=datetime.date(2015, 3, 1))
    return member


@pytest.fixture
def members(ksm):
    """Three members, alphabetical: Ani, Budi, Citra."""
    return [_member(ksm, name) for name in ("Ani Rahayu", "Budi Santoso", "Citra Lestari")]


def worked_example(book, members, **kwargs):
    ani, budi, citra = members
    return opening_balances_post(
        book=book,
        cutoff_date=CUTOFF,
        cash="750000",
        bank=D("2000000"),
        member_savings=[
            (ani, "savings_principal", D("50000")),
            (ani, "savings_mandatory", D("240000")),
            (ani, "savings_voluntary", D("100000")),
            (budi, "savings_principal", D("50000")),
            (budi, "savings_mandatory", D("240000")),
            (budi, "savings_voluntary", D("0")),
            (citra, "savings_principal", D("50000")),
            (citra, "savings_mandatory", D("120000")),
            (citra, "savings_voluntary", D("35000")),
        ],
        member_loans=[
            OpeningLoan(
                member=ani,
                principal_left=D("500000"),
                monthly_rate=D("1.5"),
                interest_method="flat",
                remaining_months=5,
                next_due_date=datetime.date(2017, 1, 10),
            ),
            OpeningLoan(
                member=budi,
                principal_left=D("1000000"),
                monthly_rate=D("2"),
                interest_method="declining",
                remaining_months=10,
                next_due_date=datetime.date(2017, 1, 20),
            ),
        ],
        other=[
            (account_for(book, "inventory"), "debit", D("300000")),
            (account_for(book, "borrowings"), None, D("1500000")),
        ],
        **kwargs,
    )


def test_the_worked_example_posts_one_balanced_entry_against_retained_surplus(
    book, members, treasurer
):
    ani, budi, citra = members

    posted = worked_example(book, members, actor=treasurer, token="t-open")

    entry = posted.entry
    assert posted.created
    assert (entry.kind, entry.entry_date, entry.reference) == (
        EntryKind.OPENING,
        CUTOFF,
        "2017/00001",
    )
    assert entry.description == "Opening balances at 01-01-2017"
    assert entry.posted_by == treasurer
    lines = [
        (line.account.code, line.member.full_name if line.member else "", line.debit, line.credit)
        for line in entry.lines.select_related("account", "member").order_by("id")
    ]
    # Each loan still owed is a loan record, carried by its line.
    assert [
        (line.loan.reference, line.loan.member, line.loan.balance)
        for line in entry.lines.filter(loan__isnull=False).select_related("loan").order_by("id")
    ] == [("PJ-0001", ani, D("500000")), ("PJ-0002", budi, D("1000000"))]
    assert lines == [
        ("1.01", "", D("750000"), D("0")),
        ("1.02", "", D("2000000"), D("0")),
        ("1.03", "Ani Rahayu", D("500000"), D("0")),
        ("1.03", "Budi Santoso", D("1000000"), D("0")),
        ("1.06", "", D("300000"), D("0")),
        ("3.01", "Ani Rahayu", D("0"), D("50000")),
        ("3.02", "Ani Rahayu", D("0"), D("240000")),
        ("2.01", "Ani Rahayu", D("0"), D("100000")),
        ("3.01", "Budi Santoso", D("0"), D("50000")),
        ("3.02", "Budi Santoso", D("0"), D("240000")),
        ("3.01", "Citra Lestari", D("0"), D("50000")),
        ("3.02", "Citra Lestari", D("0"), D("120000")),
        ("2.01", "Citra Lestari", D("0"), D("35000")),
        ("2.03", "", D("0"), D("1500000")),
        ("3.05", "", D("0"), D("2165000")),
    ]
    summary = opening_summary(book)
    assert (summary.total, summary.balancing) == (D("4550000"), D("2165000"))
    assert [(r.account.code, r.debit, r.credit, r.members) for r in summary.rows] == [
        ("1.01", D("750000"), D("0"), 0),
        ("1.02", D("2000000"), D("0"), 0),
        ("1.03", D("1500000"), D("0"), 2),
        ("1.06", D("300000"), D("0"), 0),
        ("2.01", D("0"), D("135000"), 2),
        ("2.03", D("0"), D("1500000"), 0),
        ("3.01", D("0"), D("150000"), 3),
        ("3.02", D("0"), D("600000"), 3),
        ("3.05", D("0"), D("2165000"), 0),
    ]
    voluntary = account_for(book, "savings_voluntary")
    assert MemberBalance.objects.get(member=ani, account=voluntary).balance == D("100000")
    loans = account_for(book, "loans_receivable")
    assert MemberBalance.objects.get(member=budi, account=loans).balance == D("1000000")
    assert not MemberBalance.objects.filter(member=citra, account=loans).exists()


def test_a_group_that_owes_its_members_more_than_it_holds_starts_with_a_deficit(book, members):
    posted = opening_balances_post(
        book=book,
        cutoff_date=datetime.date(2017, 1, 15),
        cash=D("100000"),
        member_savings=[(members[0], "savings_mandatory", D("300000"))],
    )

    lines = [
        (line.account.role, line.debit, line.credit)
        for line in posted.entry.lines.select_related("account").order_by("id")
    ]
    assert lines == [
        ("cash", D("100000"), D("0")),
        ("savings_mandatory", D("0"), D("300000")),
        ("retained_surplus", D("200000"), D("0")),
    ]
    assert opening_summary(book).balancing == D("-200000")


def test_balances_that_already_balance_need_no_retained_surplus_line(book, members):
    posted = opening_balances_post(
        book=book,
        cutoff_date=CUTOFF,
        cash=D("35000"),
        member_savings=[(members[2], "savings_voluntary", D("35000"))],
    )
    assert posted.entry.lines.count() == 2
    assert opening_summary(book).balancing == D("0")


def test_the_same_form_sent_twice_posts_once(book, members):
    first = worked_example(book, members, token="t-open")
    again = worked_example(book, members, token="t-open")

    assert first.created and not again.created
    assert again.entry == first.entry
    assert JournalEntry.objects.filter(book=book).count() == 1


def test_opening_balances_are_posted_only_once(book, members):
    worked_example(book, members, token="t-1")

    with pytest.raises(ValidationError) as error:
        worked_example(book, members, token="t-2")

    assert error.value.messages == ["The opening balances of these books have already been posted."]
    assert JournalEntry.objects.filter(book=book).count() == 1


def test_opening_balances_are_refused_once_the_book_has_other_entries(book, members):
    cash_receive(
        book=book,
        source="income_other",
        amount=1000,
        entry_date=datetime.date(2017, 1, 5),
        description="Bunga",
    )

    with pytest.raises(ValidationError) as error:
        worked_example(book, members)

    assert error.value.messages == [
        "Opening balances can only be posted to books with no entries yet; these books "
        "already have entries."
    ]
    assert JournalEntry.objects.filter(book=book).count() == 1


@pytest.mark.parametrize(
    ("cash", "message"),
    [
        ("-5000", "The amount must be more than zero."),
        ("abc", "Write the amount as a number, e.g. 25000."),
        ("12.345", "Rupiah amounts have at most two decimals."),
        ("1e30", "This amount is too large."),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(book, cash, message):
    with pytest.raises(ValidationError) as error:
        opening_balances_post(book=book, cutoff_date=CUTOFF, cash=cash)

    assert error.value.message_dict == {"cash": [message]}
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()


def test_a_bad_member_amount_names_the_member_and_the_savings(book, members):
    with pytest.raises(ValidationError) as error:
        opening_balances_post(
            book=book,
            cutoff_date=CUTOFF,
            cash=D("1000"),
            member_savings=[(members[1], "savings_mandatory", "-1")],
        )
    assert error.value.messages == [
        "Budi Santoso, Simpanan Wajib: The amount must be more than zero."
    ]
    assert not JournalEntry.objects.exists()


def test_nothing_to_post_is_refused(book, members):
    with pytest.raises(ValidationError) as error:
        opening_balances_post(
            book=book,
            cutoff_date=CUTOFF,
            cash="",
            bank=None,
            member_savings=[(members[0], "savings_mandatory", "0")],
        )
    assert error.value.messages == ["Enter at least one opening balance."]


def test_the_cutoff_cannot_be_before_the_book_opened_or_in_the_future(book):
    for day, message in (
        (
            datetime.date(2016, 12, 31),
            "The books opened on 01-01-2017; the cut-off cannot be earlier.",
        ),
        (timezone.localdate() + datetime.timedelta(days=1), "This date is in the future."),
    ):
        with pytest.raises(ValidationError) as error:
            opening_balances_post(book=book, cutoff_date=day, cash=D("1000"))
        assert error.value.message_dict == {"cutoff_date": [message]}


def test_member_ledgers_cash_and_income_are_not_other_balances(book, other_village):
    other_book = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=CUTOFF)
    for account in (
        account_for(book, "savings_voluntary"),
        account_for(book, "cash"),
        account_for(book, "income_business"),
        account_for(book, "retained_surplus"),
        account_for(other_book, "inventory"),
    ):
        with pytest.raises(ValidationError):
            opening_balances_post(
                book=book, cutoff_date=CUTOFF, other=[(account, "debit", D("1000"))]
            )
    assert not JournalEntry.objects.exists()


def test_savings_of_someone_outside_the_group_are_refused(book):
    outsider = MembershipFactory().member
    with pytest.raises(ValidationError) as error:
        opening_balances_post(
            book=book,
            cutoff_date=CUTOFF,
            member_savings=[(outsider, "savings_mandatory", D("1000"))],
        )
    assert error.value.messages == ["The member is not an active member of this KSM."]


# --- The wizard page --------------------------------------------------------------------------


def wizard_data(book, members_on_page, rows: dict, **header) -> dict:
    """The POST of the page: header, one row per member (in page order), other rows."""
    data = {
        "token": tokens.token_new(book),
        "cutoff_date": "2017-01-01",
        "cash": "",
        "bank": "",
        "members-TOTAL_FORMS": str(len(members_on_page)),
        "members-INITIAL_FORMS": str(len(members_on_page)),
        "other-TOTAL_FORMS": "3",
        "other-INITIAL_FORMS": "0",
        **header,
    }
    for index, member in enumerate(members_on_page):
        data[f"members-{index}-member"] = str(member.pk)
        for field, value in rows.get(member.pk, {}).items():
            data[f"members-{index}-{field}"] = value
    return data


def page_members(response):
    return [form.person for form in response.context["wizard"].members.forms]


def test_the_wizard_shows_one_row_per_active_member(book, members, treasurer):
    response = logged_in(treasurer).get(reverse("finance:opening", args=[book.pk]))

    assert response.status_code == 200
    names = [member.full_name for member in page_members(response)]
    assert sorted(names) == names
    assert {"Ani Rahayu", "Budi Santoso", "Citra Lestari"} <= set(names)
    assert len(names) == 4  # and the treasurer
    rows = element(response, "member-rows")
    # Each row: the member (hidden), three kinds of savings, the loan and its terms.
    assert len(rows.find_all("input")) == 4 * 9
    assert len(rows.find_all("select")) == 4


def test_the_treasurer_posts_the_wizard_and_sees_the_totals_and_balancing_figure(
    book, members, treasurer
):
    client = logged_in(treasurer)
    url = reverse("finance:opening", args=[book.pk])
    on_page = page_members(client.get(url))
    ani, budi, _citra = members
    inventory = account_for(book, "inventory")
    data = wizard_data(
        book,
        on_page,
        {
            ani.pk: {
                "savings_principal": "50.000",
                "savings_mandatory": "240000",
                "loan": "500000",
                "loan_rate": "1,5",
                "loan_method": "flat",
                "loan_months": "5",
                "loan_next_due": "2017-01-10",
            },
            budi.pk: {"savings_voluntary": "Rp 10.000"},
        },
        cash="Rp 750.000",
        bank="2.000.000",
        **{"other-0-account": str(inventory.pk), "other-0-amount": "300000"},
    )

    response = client.post(url, data)
    again = client.post(url, data, follow=True)

    assert response.status_code == 302
    entry = JournalEntry.objects.get(book=book)
    assert entry.kind == EntryKind.OPENING
    summary = opening_summary(book)
    # Debits 750.000 + 2.000.000 + 500.000 + 300.000; credits 50.000 + 240.000 + 10.000.
    assert (summary.total, summary.balancing) == (D("3550000"), D("3250000"))
    assert element(again, "balancing").text == "Rp 3.250.000"
    assert "Rp" not in element(again, "opening-lines").rows()[-1][1]
    assert element(again, "opening-lines").rows()[-1][1:] == ["3.550.000", "3.550.000"]
    assert JournalEntry.objects.filter(book=book).count() == 1
    loan = Loan.objects.get(book=book)
    assert (loan.member, loan.balance, loan.term_months) == (ani, D("500000"), 5)
    first = loan.schedules.get().instalments.order_by("number").first()
    assert (first.due_date, first.amount) == (datetime.date(2017, 1, 10), D("107500"))


def test_a_bad_amount_on_the_wizard_is_shown_on_its_field_and_nothing_is_posted(
    book, members, treasurer
):
    client = logged_in(treasurer)
    url = reverse("finance:opening", args=[book.pk])
    on_page = page_members(client.get(url))
    data = wizard_data(book, on_page, {members[0].pk: {"loan": "-100"}}, cash="banyak")

    response = client.post(url, data)

    assert response.status_code == 200
    wizard = response.context["wizard"]
    assert "cash" in wizard.form.errors
    row = next(form for form in wizard.members.forms if form.person == members[0])
    assert "loan" in row.errors
    assert not JournalEntry.objects.exists()


def _row(response, member):
    return next(form for form in response.context["wizard"].members.forms if form.person == member)


def test_a_loan_on_the_wizard_needs_its_terms_shown_on_the_row(book, members, treasurer):
    client = logged_in(treasurer)
    url = reverse("finance:opening", args=[book.pk])
    on_page = page_members(client.get(url))
    ani, budi, _citra = members
    data = wizard_data(
        book,
        on_page,
        {
            ani.pk: {"loan": "500000", "loan_rate": "1,5"},
            budi.pk: {"loan_months": "4", "loan_method": "flat"},
        },
        cash="1000",
    )

    response = client.post(url, data)

    assert response.status_code == 200
    needed = _row(response, ani).errors
    assert set(needed) == {"loan_method", "loan_months", "loan_next_due"}
    assert needed["loan_months"] == ["Untuk pinjaman ini, bagian ini juga perlu diisi."]
    assert _row(response, budi).errors == {
        "loan": ["Tulis sisa pinjamannya, atau kosongkan syarat pinjamannya."]
    }
    assert len(parse(response).find_all("details")) == len(on_page)
    unfolded = [d for d in parse(response).find_all("details") if "open" in d.attrs]
    assert len(unfolded) == 2  # Ani's and Budi's, to be corrected
    assert not JournalEntry.objects.exists()


def test_the_wizard_checks_the_old_instalment_and_the_due_date_on_the_row(book, members, treasurer):
    client = logged_in(treasurer)
    url = reverse("finance:opening", args=[book.pk])
    on_page = page_members(client.get(url))
    ani, budi, _citra = members
    terms = {"loan_rate": "1,5", "loan_method": "flat", "loan_months": "6"}
    data = wizard_data(
        book,
        on_page,
        {
            ani.pk: {
                "loan": "600.000",
                **terms,
                "loan_next_due": "2017-01-10",
                "loan_instalment": "Rp 120.000",
            },
            budi.pk: {"loan": "600000", **terms, "loan_next_due": "2016-12-10"},
        },
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert _row(response, ani).errors == {
        "loan_instalment": [
            "Angsuran Rp\u00a0120.000 di buku lama tidak cocok dengan pinjamannya: Rp\u00a0600.000 "
            "selama 6 bulan dengan bunga 1,5% sebulan (flat) memberi Rp\u00a0109.000 untuk "
            "angsuran "
            "berikutnya. Periksa bunga, metode dan sisa bulannya."
        ]
    }
    assert _row(response, budi).errors == {
        "loan_next_due": ["Angsuran berikutnya jatuh tempo sesudah tanggal saldo (01-01-2017)."]
    }
    assert not JournalEntry.objects.exists()
    assert not Loan.objects.exists()


def test_a_forged_token_posts_nothing(book, members, treasurer):
    client = logged_in(treasurer)
    url = reverse("finance:opening", args=[book.pk])
    on_page = page_members(client.get(url))
    data = wizard_data(book, on_page, {}, cash="1000", token="forged")

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["wizard"].form.non_field_errors()
    assert not JournalEntry.objects.exists()


def test_books_with_entries_show_that_the_wizard_is_no_longer_available(book, treasurer):
    cash_receive(
        book=book,
        source="income_other",
        amount=1000,
        entry_date=datetime.date(2017, 1, 5),
        description="Bunga",
    )
    response = logged_in(treasurer).get(reverse("finance:opening", args=[book.pk]))
    assert parse(response).by_id("opening-unavailable") is not None
    assert parse(response).by_id("opening-form") is None


def test_facilitators_read_but_cannot_post_opening_balances(book, facilitator, other_village):
    url = reverse("finance:opening", args=[book.pk])
    assert logged_in(facilitator).get(url).status_code == 403
    stranger = FacilitatorAssignmentFactory(village=other_village).user
    assert logged_in(stranger).get(url).status_code == 404
