"""The fuzz attack of issue 14, kept in the suite: every form that writes, posted through the
test client by a user allowed to write, with random and hostile values in its fields (huge,
negative and ambiguous numbers, other scripts' digits, far dates, very long text, NUL bytes,
spreadsheet formulas, SQL and HTML). Whatever comes, the site never answers 500, and a post
it refuses (the page again with its errors, 400, or a redirect with an error message) writes
nothing: no row of the books, the register, the training records or their history appears,
changes count or disappears. A post it accepts leaves books that `verify_books` passes.

Each example opens the form as a browser does (following the redirect that gives a one-time
form its token), takes what the page offers as it is (the prefilled values, the selected
options, the ticked boxes), replaces or drops a few fields with hostile values and sends it.
An accepted post is fine too (a hostile value may well be a valid one); it must not be a 500.
Examples are derandomized, so a run on CI is the same run as on a laptop.
"""

import datetime
import os
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.management.commands.verify_books import BookChecker
from finance.models import Book, Loan
from finance.services import (
    book_open,
    borrowing_record,
    cash_receive,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    period_close,
    savings_deposit,
)
from groups.models import Membership
from groups.services import cooperative_admit_group, officer_appoint
from tests.finance.test_meeting_sheet import make_group
from tests.groups.factories import MembershipFactory
from tests.training.factories import FollowUpActionFactory, TrainingEventFactory, VisitFactory
from tests.web.support import logged_in, parse
from training.services import assessment_start, training_invite

pytestmark = pytest.mark.django_db

# A modest number per form keeps the file near two minutes; FUZZ_EXAMPLES=200 for a long hunt.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
START = datetime.date(2017, 1, 1)

# --- Hostile values ---------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "   \t ",
    "0",
    "-1",
    "-1.000.000",
    "0.001",
    "0,001",
    "1,5",
    "1.000.000",
    "1.000.000,50",
    "1e308",
    "-0",
    "NaN",
    "Infinity",
    "9" * 40,
    "99999999999999999999",
    "١٢٣٤",
    "۱۲۳۴",
    "१२३४",
    "\uff11\uff12\uff13\uff14",  # fullwidth digits
    "²",
    "9999-12-31",
    "0001-01-01",
    "2999-01-01",
    "2100-12-31",
    "1900-01-01",
    "2017-02-30",
    "31/12/9999",
    "x" * 5000,
    "a\x00b",
    "\x00",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/","klik")',
    "+1+1",
    "@SUM(A1)",
    "'; DROP TABLE finance_journalentry; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "%(reference)s %s",
    "\r\n",
    "🙂" * 50,
    "999999",
    "-5",
    "1000000",
    "100000000",
]
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.dates().map(datetime.date.isoformat),
)
# Not fuzzed: without them every post is a refused token or CSRF check and nothing else runs.
KEPT = {"csrfmiddlewaretoken", "token"}

# --- Reading and sending a form as a browser does ----------------------------------------------


def page_form(client, url: str, action: str | None = None) -> tuple[str, dict]:
    """(the address to post to, the fields as the page fills them) of the page's main form,
    or of its form that posts to `action`."""
    page = client.get(url, follow=True)
    assert page.status_code == 200, f"{url} answered {page.status_code}"
    targets = (action,) if action else ("", ".", page.request["PATH_INFO"])
    forms = [
        form
        for form in parse(page).find_all("form")
        if form.attrs.get("method", "").lower() == "post"
        and form.attrs.get("action", "") in targets
    ]
    assert forms, f"no form posting to itself on {url}"
    form = max(forms, key=lambda el: len(el.find_all("input")) + len(el.find_all("select")))
    data: dict[str, list[str]] = {}
    for box in form.find_all("input"):
        name, kind = box.attrs.get("name"), box.attrs.get("type", "text")
        if not name or kind in ("submit", "button", "file", "reset"):
            continue
        if kind in ("checkbox", "radio"):
            if "checked" in box.attrs:
                data.setdefault(name, []).append(box.attrs.get("value", "on"))
            continue
        data.setdefault(name, []).append(box.attrs.get("value", ""))
    for select in form.find_all("select"):
        name = select.attrs.get("name")
        options = select.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs] or [
            next((o for o in options if o.attrs.get("value")), None)
        ]
        data[name] = [o.attrs.get("value", o.text) for o in chosen if o is not None]
    for area in form.find_all("textarea"):
        data[area.attrs["name"]] = [area.text]
    if action:
        return action, data
    query = page.request.get("QUERY_STRING", "")
    return page.request["PATH_INFO"] + (f"?{query}" if query else ""), data


def row_counts() -> dict[str, int]:
    """How many rows every table of the project's own apps holds (with their history)."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("accounts", "villages", "groups", "finance", "training", "dashboard")
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed and not model._meta.proxy
    }


def fuzz_once(
    client, url: str, draw, action: str | None = None, filled: dict | None = None
) -> None:
    """Open the form, spoil a few of its fields, send it; no 500, and a refusal writes nothing.
    `filled` are what a user types or ticks on the page before sending (where the page's own
    values would always be refused), so the hostile values meet an otherwise valid form.
    Whatever the post wrote is rolled back afterwards, so every example meets the same rows
    (the loan still approved, the meeting not yet recorded) and a failure replays exactly."""
    with transaction.atomic():
        _fuzz(client, url, draw, action, filled or {})
        transaction.set_rollback(True)


def _fuzz(client, url: str, draw, action: str | None, filled: dict) -> None:
    address, data = page_form(client, url, action)
    data.update({name: [value] for name, value in filled.items()})
    names = sorted(name for name in data if name not in KEPT)
    if names:
        spoiled = draw(st.dictionaries(st.sampled_from(names), HOSTILE, min_size=1, max_size=4))
        dropped = draw(st.sets(st.sampled_from(names), max_size=2))
    else:
        spoiled, dropped = {}, set()
    sent = {name: values for name, values in data.items() if name not in dropped}
    sent.update({name: [value] for name, value in spoiled.items()})
    before = row_counts()
    response = client.post(address, sent)
    assert response.status_code != 500, (address, sent)
    assert response.status_code in (200, 302, 400), (response.status_code, address, sent)
    refusals = [
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level >= constants.ERROR
    ]
    if response.status_code != 302 or refusals:
        # The page again with its errors, 400, or a redirect that says why it refused.
        assert row_counts() == before, ("a refused post wrote", address, sent, refusals)
    else:
        # Accepted: whatever it wrote, the books still hold (balanced entries, gap-free
        # numbers, totals equal to the lines, no balance below zero).
        problems = BookChecker(list(Book.objects.values_list("pk", flat=True))).run()
        assert not problems, ("an accepted post broke the books", address, sent, problems)


# --- The people and things the forms are about -----------------------------------------------


@pytest.fixture
def treasurer_client(treasurer):
    return logged_in(treasurer)


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=START)


@pytest.fixture
def chair(ksm):
    return MembershipFactory(group=ksm, role=Membership.Role.CHAIR, joined_date=START).member


@pytest.fixture
def saver(book, ksm):
    """A member with Rp 400.000 of savings, in a KSM with Rp 5.000.000 in its cash box."""
    member = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    cash_receive(book=book, source="grant", amount=5_000_000, entry_date=START, description="Hibah")
    savings_deposit(
        book=book, member=member, savings_type="savings_mandatory", amount=400_000, entry_date=START
    )
    return member


@pytest.fixture
def product(book):
    return loan_product_save(
        book=book,
        name="Pinjaman usaha",
        interest_method="flat",
        monthly_rate=Decimal("2"),
        max_term_months=12,
        admin_fee_percent=Decimal("1"),
        fine_rule="fixed",
        fine_value=Decimal(5_000),
        grace_days=3,
        max_savings_multiple=Decimal("3"),
    )


@pytest.fixture
def applied(book, saver, chair, product):
    return loan_apply(
        book=book,
        product=product,
        member=saver,
        principal=1_000_000,
        term_months=10,
        purpose="Modal warung",
        applied_date=datetime.date(2017, 1, 5),
    )


@pytest.fixture
def approved(applied, chair):
    loan = applied
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair)
    return loan


# --- The treasurer's record forms ---------------------------------------------------------------

RECORD_FORMS = (
    "cash-in",
    "cash-out",
    "deposit",
    "withdrawal",
    "bank",
    "general",
    "bank-interest",
    "bank-charges",
    "bank-tax",
)


@pytest.mark.parametrize("form", RECORD_FORMS)
@FUZZ
@given(data=st.data())
def test_record_forms_never_fail_and_a_refusal_posts_nothing(
    form, treasurer_client, book, saver, data
):
    url = reverse("finance:record", args=[book.pk, form])
    fuzz_once(treasurer_client, url, data.draw)


@FUZZ
@given(data=st.data())
def test_loan_application(treasurer_client, book, saver, product, data):
    fuzz_once(treasurer_client, reverse("finance:loan_apply", args=[book.pk]), data.draw)


@FUZZ
@given(data=st.data())
def test_loan_disbursement(treasurer_client, book, approved, data):
    url = reverse("finance:loan_disburse", args=[book.pk, approved.pk])
    fuzz_once(treasurer_client, url, data.draw)


@pytest.fixture
def active(approved):
    loan_disburse(
        loan=approved,
        disbursed_date=datetime.date(2017, 1, 10),
        first_due_date=datetime.date(2017, 2, 10),
    )
    return approved


@FUZZ
@given(data=st.data())
def test_loan_repayment(treasurer_client, book, active, data):
    url = reverse("finance:loan_repay", args=[book.pk, active.pk])
    fuzz_once(treasurer_client, url, data.draw)


@pytest.fixture
def sheet_book(book, ksm):
    return make_group(book, ksm)


@FUZZ
@given(data=st.data())
def test_meeting_sheet(treasurer_client, sheet_book, data):
    url = f"{reverse('finance:meeting_sheet', args=[sheet_book.pk])}?date=2017-02-10"
    fuzz_once(treasurer_client, url, data.draw)


@pytest.mark.parametrize(
    ("address", "page", "writer"),
    [
        ("finance:loan_product_new", None, "treasurer"),
        ("finance:savings_rules", None, "treasurer"),
        ("finance:borrowing_new", None, "treasurer"),
        ("finance:loan_provision", None, "treasurer"),
        ("finance:period_close", "finance:periods", "treasurer"),
        ("finance:account_create", None, "staff_user"),
    ],
)
@FUZZ
@given(data=st.data())
def test_book_forms(address, page, writer, request, book, saver, data):
    """The book's other forms: products, savings rules, borrowings, the loan reserve, closing
    a month (sent from the periods page) and a new account (staff only)."""
    client = logged_in(request.getfixturevalue(writer))
    action = reverse(address, args=[book.pk])
    url = reverse(page, args=[book.pk]) if page else action
    fuzz_once(client, url, data.draw, action if page else None)


@pytest.mark.parametrize("address", ["finance:loan_approve", "finance:loan_reject"])
@FUZZ
@given(data=st.data())
def test_loan_decisions(address, treasurer_client, book, applied, data):
    fuzz_once(treasurer_client, reverse(address, args=[book.pk, applied.pk]), data.draw)


# --- The register: KSM, members, memberships ------------------------------------------------


@pytest.fixture
def staff_client(staff_user):
    return logged_in(staff_user)


@pytest.fixture
def facilitator_client(facilitator):
    return logged_in(facilitator)


@pytest.fixture
def membership(ksm):
    return MembershipFactory(group=ksm, joined_date=START)


@FUZZ
@given(data=st.data())
def test_ksm_create(staff_client, village, data):
    fuzz_once(staff_client, reverse("groups:create"), data.draw)


@pytest.mark.parametrize(
    "address",
    ["groups:update", "groups:member_add", "training:visit_create"],
)
@FUZZ
@given(data=st.data())
def test_ksm_forms(address, facilitator_client, ksm, membership, data):
    fuzz_once(facilitator_client, reverse(address, args=[ksm.pk]), data.draw)


@pytest.mark.parametrize("address", ["groups:membership_end", "groups:membership_role"])
@FUZZ
@given(data=st.data())
def test_membership_forms(address, facilitator_client, membership, data):
    fuzz_once(facilitator_client, reverse(address, args=[membership.pk]), data.draw)


@FUZZ
@given(data=st.data())
def test_member_edit(facilitator_client, membership, data):
    url = reverse("groups:member_update", args=[membership.member_id])
    fuzz_once(facilitator_client, url, data.draw)


# --- Training: visits, follow-ups, training events --------------------------------------------


@pytest.fixture
def visit(ksm, facilitator):
    return VisitFactory(group=ksm)


@pytest.fixture
def event(village):
    return TrainingEventFactory()


@FUZZ
@given(data=st.data())
def test_follow_up(facilitator_client, visit, data):
    action = reverse("training:followup_add", args=[visit.pk])
    fuzz_once(facilitator_client, visit.get_absolute_url(), data.draw, action)


@FUZZ
@given(data=st.data())
def test_training_event(staff_client, village, data):
    fuzz_once(staff_client, reverse("training:event_create"), data.draw)


@FUZZ
@given(data=st.data())
def test_training_event_edit(staff_client, event, data):
    fuzz_once(staff_client, reverse("training:event_update", args=[event.pk]), data.draw)


# --- Loans after disbursement: rescheduling, writing off, repaying a borrowing ----------------


@pytest.mark.parametrize("address", ["finance:loan_reschedule", "finance:loan_write_off"])
@FUZZ
@given(data=st.data())
def test_loan_reschedule_and_write_off(address, treasurer_client, book, active, data):
    url = reverse(address, args=[book.pk, active.pk])
    filled = {"term_months": "12", "reason": "Gagal panen"} if "reschedule" in address else {}
    fuzz_once(treasurer_client, url, data.draw, filled=filled)


@pytest.fixture
def borrowing(book, saver):
    """Rp 2.000.000 the KSM borrowed from a bank, to be repaid over ten months."""
    borrowing_record(
        book=book,
        lender_kind="bank",
        lender_name="BRI Unit Bandar",
        principal=2_000_000,
        monthly_rate=Decimal("1"),
        interest_method="flat",
        term_months=10,
        received_date=datetime.date(2017, 2, 1),
        purpose="Modal usaha",
        first_due_date=datetime.date(2017, 3, 1),
    )
    return Loan.objects.get(book=book, direction=Loan.Direction.PAYABLE)


@FUZZ
@given(data=st.data())
def test_borrowing_repayment(treasurer_client, book, borrowing, data):
    url = reverse("finance:loan_repay", args=[book.pk, borrowing.pk])
    fuzz_once(treasurer_client, url, data.draw)


# --- A member leaving, and the book's months and year -----------------------------------------


@FUZZ
@given(data=st.data())
def test_member_exit(treasurer_client, book, saver, data):
    url = f"{reverse('finance:member_exit', args=[book.pk, saver.pk])}?date=2017-06-01"
    fuzz_once(treasurer_client, url, data.draw)


@pytest.fixture
def closed_january(book, treasurer):
    period_close(book=book, month=datetime.date(2017, 1, 1), actor=treasurer)
    return book


@FUZZ
@given(data=st.data())
def test_month_reopen(staff_client, closed_january, data):
    """Staff reopen the last closed month from the periods page."""
    book = closed_january
    action = reverse("finance:period_reopen", args=[book.pk])
    fuzz_once(staff_client, reverse("finance:periods", args=[book.pk]), data.draw, action)


@pytest.fixture
def closed_to_november(book, saver, treasurer):
    for number in range(1, 12):
        period_close(book=book, month=datetime.date(2017, number, 1), actor=treasurer)
    return book


@FUZZ
@given(data=st.data())
def test_year_end_close(treasurer_client, closed_to_november, data):
    book = closed_to_november
    action = reverse("finance:year_end", args=[book.pk])
    url = f"{reverse('finance:periods', args=[book.pk])}?year=2017"
    fuzz_once(treasurer_client, url, data.draw, action)


# --- Opening books; BUMDes and cooperatives: officers, KSM joining ----------------------------


@pytest.mark.parametrize(
    ("kind", "owner", "writer"),
    [
        ("ksm", "ksm", "facilitator"),
        ("bumdes", "bumdes", "facilitator"),
        ("cooperative", "cooperative", "program_staff"),
    ],
)
@FUZZ
@given(data=st.data())
def test_book_open(kind, owner, writer, request, data):
    entity = request.getfixturevalue(owner)
    client = logged_in(request.getfixturevalue(writer))
    fuzz_once(client, reverse("finance:book_open", args=[kind, entity.pk]), data.draw)


@pytest.mark.parametrize(
    ("kind", "writer"), [("bumdes", "facilitator"), ("cooperative", "program_staff")]
)
@FUZZ
@given(data=st.data())
def test_officer_appointment(kind, writer, request, data):
    entity = request.getfixturevalue(kind)
    client = logged_in(request.getfixturevalue(writer))
    fuzz_once(client, reverse("groups:officer_add", args=[kind, entity.pk]), data.draw)


@FUZZ
@given(data=st.data())
def test_cooperative_admits_a_ksm(program_staff, cooperative, ksm, data):
    """Program staff admit a KSM of the cooperative's regency from the cooperative's page."""
    action = reverse("groups:cooperative_admit", args=[cooperative.pk])
    page = cooperative.get_absolute_url()
    fuzz_once(logged_in(program_staff), page, data.draw, action)


# --- Training invitations and attendance; KSM assessments -------------------------------------


@pytest.fixture
def own_event(ksm, facilitator, membership):
    """A training the KSM's facilitator organises in its village; one member in the KSM."""
    return TrainingEventFactory(village=ksm.village, organiser=facilitator)


@FUZZ
@given(data=st.data())
def test_training_invitations(facilitator_client, own_event, ksm, data):
    url = reverse("training:event_invite", args=[own_event.pk])
    fuzz_once(facilitator_client, url, data.draw, filled={"groups": str(ksm.pk)})


@pytest.fixture
def invited(own_event, facilitator, ksm):
    training_invite(actor=facilitator, event=own_event, groups=[ksm])
    return own_event


@FUZZ
@given(data=st.data())
def test_training_attendance(facilitator_client, invited, ksm, data):
    own_event = invited
    url = reverse("training:event_attendance", args=[own_event.pk, ksm.pk])
    fuzz_once(facilitator_client, url, data.draw)


@FUZZ
@given(data=st.data())
def test_assessment_start(facilitator_client, ksm, data):
    action = reverse("training:assessment_start", args=[ksm.pk])
    url = reverse("training:group_assessments", args=[ksm.pk])
    fuzz_once(facilitator_client, url, data.draw, action, {"assessment_date": "2017-12-15"})


@pytest.fixture
def draft(facilitator, ksm, membership):
    assessed = datetime.date(2017, 12, 15)
    return assessment_start(actor=facilitator, group=ksm, assessment_date=assessed)


@FUZZ
@given(data=st.data())
def test_assessment_scores(facilitator_client, draft, data):
    url = reverse("training:assessment_detail", args=[draft.pk])
    fuzz_once(facilitator_client, url, data.draw)


# --- The opening wizard ------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_opening_wizard(treasurer_client, book, membership, data):
    """Opening balances of a book with no entries yet: cash, bank, each member's savings and
    loan, other balances."""
    url = reverse("finance:opening", args=[book.pk])
    fuzz_once(treasurer_client, url, data.draw, filled={"cash": "750.000"})


# --- Beyond the first list: cooperatives themselves, an officer leaving, editing a product, ---
# --- closing a visit's follow-up --------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_cooperative_create(program_staff, regency, data):
    fuzz_once(logged_in(program_staff), reverse("groups:cooperative_create"), data.draw)


@FUZZ
@given(data=st.data())
def test_cooperative_edit(program_staff, cooperative, data):
    url = reverse("groups:cooperative_update", args=[cooperative.pk])
    fuzz_once(logged_in(program_staff), url, data.draw)


@pytest.fixture
def bumdes_treasurer(bumdes):
    return officer_appoint(
        actor=None,
        entity=bumdes,
        full_name="Budi Santoso",
        role="treasurer",
        start_date=datetime.date(2017, 3, 15),
    )


@FUZZ
@given(data=st.data())
def test_officer_leaving(facilitator_client, bumdes_treasurer, data):
    url = reverse("groups:officer_end", args=[bumdes_treasurer.pk])
    fuzz_once(facilitator_client, url, data.draw)


@FUZZ
@given(data=st.data())
def test_loan_product_edit(treasurer_client, book, product, data):
    url = reverse("finance:loan_product_edit", args=[book.pk, product.pk])
    fuzz_once(treasurer_client, url, data.draw)


@pytest.fixture
def follow_up(visit):
    return FollowUpActionFactory(visit=visit)


@FUZZ
@given(data=st.data())
def test_follow_up_close(facilitator_client, visit, follow_up, data):
    action = follow_up
    address = reverse("training:followup_close", args=[action.pk])
    fuzz_once(facilitator_client, visit.get_absolute_url(), data.draw, address)


@pytest.fixture
def cooperative_member(cooperative, ksm):
    return cooperative_admit_group(
        actor=None, cooperative=cooperative, group=ksm, joined_date=datetime.date(2017, 3, 15)
    )


@FUZZ
@given(data=st.data())
def test_ksm_leaving_a_cooperative(program_staff, cooperative_member, data):
    url = reverse("groups:cooperative_membership_end", args=[cooperative_member.pk])
    page = cooperative_member.cooperative.get_absolute_url()
    fuzz_once(logged_in(program_staff), page, data.draw, url)


@pytest.mark.parametrize(
    ("address", "holder"),
    [("groups:membership_login", "membership"), ("groups:officer_login", "bumdes_treasurer")],
)
@FUZZ
@given(data=st.data())
def test_login_grant(address, holder, request, facilitator_client, data):
    """A login for a KSM member or a BUMDes officer: the username is typed on the page."""
    url = reverse(address, args=[request.getfixturevalue(holder).pk])
    fuzz_once(facilitator_client, url, data.draw, filled={"username": "budi.santoso"})
