"""The monthly meeting sheet: what it prefills on a fixed date, and recording it all or nothing,
once per sheet and once per KSM and date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from finance.models import (
    BookYear,
    EntryKind,
    JournalEntry,
    JournalLine,
    Loan,
    Meeting,
    MeetingLine,
    MemberBalance,
)
from finance.selectors.meetings import meeting_sheet, usual_amount
from finance.services import (
    bank_transfer,
    cash_receive,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    savings_deposit,
)
from finance.services.meetings import SheetError, SheetLine, absent_message, meeting_record
from groups.models import Membership
from tests.groups.factories import MembershipFactory

pytestmark = pytest.mark.django_db
D = Decimal
START = datetime.date(2017, 1, 2)
DISBURSED = datetime.date(2017, 1, 10)
FEB = datetime.date(2017, 2, 10)  # the first instalment falls due on the meeting day
MARCH = datetime.date(2017, 3, 20)  # February's meeting was missed: late, with fines


# --- A group with savings and loans (also used by the view, concurrency and journey tests) ---


def add_members(ksm, names, joined=datetime.date(2016, 6, 1)):
    return [
        MembershipFactory(group=ksm, member__full_name=name, joined_date=joined).member
        for name in names
    ]


def loan_product(book):
    return loan_product_save(
        book=book,
        name="Pinjaman usaha",
        interest_method="flat",
        monthly_rate=D("2"),
        max_term_months=12,
        admin_fee_percent=D("0"),
        fine_rule="fixed",
        fine_value=D(5_000),
        grace_days=3,
        max_savings_multiple=D("0"),
    )


def lend(book, member, chair, product, amount=1_000_000, term=10, disbursed=DISBURSED):
    """A flat 2% loan disbursed on `disbursed`, first instalment a month later."""
    loan = loan_apply(
        book=book,
        product=product,
        member=member,
        principal=amount,
        term_months=term,
        purpose="Modal warung",
        applied_date=disbursed,
    )
    loan_approve(loan=loan, decided_date=disbursed, approved_by_member=chair)
    loan_disburse(
        loan=loan,
        disbursed_date=disbursed,
        first_due_date=datetime.date(disbursed.year, disbursed.month + 1, disbursed.day),
    )
    loan.refresh_from_db()
    return loan


def fund(book, members, *, wajib=10_000, grant=10_000_000, on=START):
    """Capital in the cash box and each member's first wajib deposit."""
    cash_receive(book=book, source="grant", amount=grant, entry_date=on, description="Hibah modal")
    for member in members:
        savings_deposit(
            book=book, member=member, savings_type="savings_mandatory", amount=wajib, entry_date=on
        )


def make_group(book, ksm):
    """Four members and the chair (Kartini); Ani and Budi have loans of Rp 1.000.000 (flat 2%,
    10 months: Rp 120.000 a month, due on the 10th), Citra has Rp 50.000 of sukarela."""
    chair = MembershipFactory(
        group=ksm,
        role=Membership.Role.CHAIR,
        member__full_name="Kartini",
        joined_date=datetime.date(2016, 6, 1),
    ).member
    ani, budi, citra, dewi = add_members(ksm, ["Ani", "Budi", "Citra", "Dewi"])
    fund(book, [chair, ani, budi, citra, dewi])
    savings_deposit(
        book=book, member=citra, savings_type="savings_voluntary", amount=50_000, entry_date=START
    )
    product = loan_product(book)
    book.people = {"chair": chair, "ani": ani, "budi": budi, "citra": citra, "dewi": dewi}
    book.member_loans = {
        "ani": lend(book, ani, chair, product),
        "budi": lend(book, budi, chair, product),
    }
    return book


@pytest.fixture
def group(book, ksm):
    return make_group(book, ksm)


@pytest.fixture(autouse=True)
def english():
    """The services' messages as written (their msgids); the pages test the translations."""
    with translation.override("en"):
        yield


def line(member, present=True, **amounts):
    return SheetLine(member=member, present=present, **{k: D(v) for k, v in amounts.items()})


def counts(book) -> tuple:
    return (
        JournalEntry.objects.filter(book=book).count(),
        JournalLine.objects.filter(book=book).count(),
        Meeting.objects.count(),
        MeetingLine.objects.count(),
        BookYear.objects.get(book=book, year=2017).last_number,
    )


# --- What the sheet prefills ------------------------------------------------------------------


def test_the_usual_wajib_is_the_most_common_latest_deposit_ties_to_the_larger():
    assert usual_amount([D(10_000), D(10_000), D(30_000)]) == D(10_000)
    assert usual_amount([D(10_000), D(20_000)]) == D(20_000)
    assert usual_amount([]) is None


def test_the_sheet_prefills_the_groups_usual_wajib_and_each_loans_instalment(group):
    people = group.people
    # Citra caught up three months in one deposit on 1 February: her latest, not the rule.
    savings_deposit(
        book=group,
        member=people["citra"],
        savings_type="savings_mandatory",
        amount=30_000,
        entry_date=datetime.date(2017, 2, 1),
    )
    # A deposit after the meeting date does not count for that date's sheet.
    savings_deposit(
        book=group,
        member=people["dewi"],
        savings_type="savings_mandatory",
        amount=50_000,
        entry_date=datetime.date(2017, 2, 15),
    )

    sheet = meeting_sheet(group, FEB)

    rows = {row.member.full_name: row for row in sheet.rows}
    assert list(rows) == ["Ani", "Budi", "Citra", "Dewi", "Kartini"]
    assert sheet.usual_wajib == D(10_000)
    assert {name: row.wajib for name, row in rows.items()} == dict.fromkeys(rows, D(10_000))
    assert rows["Citra"].last_wajib == D(30_000)
    assert rows["Dewi"].last_wajib == D(10_000)
    assert rows["Citra"].voluntary_balance == D(50_000)
    # On the due date: the first instalment, Rp 100.000 principal and Rp 20.000 interest.
    assert rows["Ani"].loan == group.member_loans["ani"]
    assert rows["Ani"].instalment_due == D(120_000)
    assert rows["Budi"].instalment_due == D(120_000)
    assert rows["Citra"].loan is None and rows["Citra"].instalment_due == 0
    assert sheet.loans_count == 2
    assert sheet.cash_before == D(10_000_000 + 5 * 10_000 + 50_000 - 2 * 1_000_000 + 30_000)
    assert sheet.recorded is None


def test_a_missed_meeting_prefills_the_late_instalments_the_current_one_and_the_fines(group):
    loan_repay(loan=group.member_loans["budi"], amount=120_000, paid_date=FEB)

    rows = {row.member.full_name: row for row in meeting_sheet(group, MARCH).rows}

    # Ani paid nothing: 10 Feb and 10 March are late (each beyond 3 days' grace: Rp 5.000),
    # and 10 April's is the current one, payable at this meeting.
    assert rows["Ani"].fines_due == D(10_000)
    assert rows["Ani"].instalment_due == D(3 * 120_000 + 10_000)
    assert rows["Ani"].position.days_past_due == 38
    # Budi paid February's: March's is late, April's current.
    assert rows["Budi"].fines_due == D(5_000)
    assert rows["Budi"].instalment_due == D(2 * 120_000 + 5_000)


def test_members_who_joined_after_or_left_before_the_date_are_not_on_the_sheet(group, ksm):
    (late_joiner,) = add_members(ksm, ["Eko"], joined=datetime.date(2017, 3, 1))
    MembershipFactory(group=ksm, member__full_name="Fajar", ended=True)

    names = [row.member.full_name for row in meeting_sheet(group, FEB).rows]

    assert "Eko" not in names and "Fajar" not in names
    assert "Eko" in [row.member.full_name for row in meeting_sheet(group, MARCH).rows]
    assert late_joiner.pk


def test_the_sheet_reads_in_a_fixed_number_of_queries(group, ksm, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        meeting_sheet(group, FEB)
    more = add_members(ksm, [f"Anggota {n}" for n in range(20)])
    product = group.member_loans["ani"].product
    for member in more[:8]:
        lend(group, member, group.people["chair"], product, amount=200_000)
    with django_assert_max_num_queries(10):
        sheet = meeting_sheet(group, FEB)
    assert len(sheet.rows) == 25 and sheet.loans_count == 10


# --- Recording it -----------------------------------------------------------------------------


def test_a_meeting_posts_one_entry_per_paying_member_and_records_attendance(group, treasurer):
    p, before = group.people, meeting_sheet(group, FEB).cash_before
    recorded = meeting_record(
        book=group,
        meeting_date=FEB,
        token="sheet-1",
        actor=treasurer,
        notes="Rapat di rumah Bu Ketua",
        lines=[
            line(p["ani"], mandatory=10_000, repayment=120_000),
            line(p["budi"], mandatory=10_000, voluntary_in=25_000, repayment=120_000),
            line(p["citra"], mandatory=10_000, voluntary_out=30_000),
            line(p["dewi"], present=False, fine=2_000),
            line(p["chair"]),  # present, paid nothing: attendance only
        ],
    )

    meeting = recorded.meeting
    assert recorded.created
    assert (meeting.members_count, meeting.present_count) == (5, 4)
    assert meeting.total_in == D(130_000 + 155_000 + 10_000 + 2_000)
    assert meeting.total_out == D(30_000)
    assert meeting.cash_before == before
    assert meeting.cash_after == before + D(297_000 - 30_000)
    assert meeting.recorded_by == treasurer
    assert meeting.notes == "Rapat di rumah Bu Ketua"
    lines = {ml.member.full_name: ml for ml in meeting.lines.select_related("member", "entry")}
    assert set(lines) == {"Ani", "Budi", "Citra", "Dewi", "Kartini"}
    assert lines["Kartini"].entry is None and lines["Kartini"].present
    assert lines["Ani"].loan == group.member_loans["ani"]
    entries = JournalEntry.objects.filter(book=group, kind=EntryKind.MEETING)
    assert entries.count() == 4
    assert {ml.entry_id for ml in lines.values() if ml.entry_id} == set(
        entries.values_list("pk", flat=True)
    )
    assert all(entry.entry_date == FEB for entry in entries)

    def posted(name):
        return sorted(
            (ln.account.role, ln.debit, ln.credit, ln.member_id is not None)
            for ln in lines[name].entry.lines.select_related("account")
        )

    assert posted("Budi") == sorted(
        [
            ("cash", D(155_000), 0, False),
            ("savings_mandatory", 0, D(10_000), True),
            ("savings_voluntary", 0, D(25_000), True),
            ("loans_receivable", 0, D(100_000), True),
            ("income_interest", 0, D(20_000), False),
        ]
    )
    assert posted("Citra") == sorted(
        [
            ("cash", D(10_000), 0, False),
            ("savings_mandatory", 0, D(10_000), True),
            ("savings_voluntary", D(30_000), 0, True),
            ("cash", 0, D(30_000), False),
        ]
    )
    assert posted("Dewi") == sorted(
        [("cash", D(2_000), 0, False), ("income_fines", 0, D(2_000), False)]
    )
    ani_loan = Loan.objects.get(pk=group.member_loans["ani"].pk)
    assert (ani_loan.balance, ani_loan.interest_paid) == (D(900_000), D(20_000))
    citra = MemberBalance.objects.get(member=p["citra"], account__role="savings_voluntary")
    assert citra.balance == D(20_000)
    assert "Budi" in lines["Budi"].entry.description


def test_a_meeting_instalment_that_pays_the_loan_off_closes_it(group):
    p = group.people
    meeting_record(
        book=group,
        meeting_date=FEB,
        token="sheet-payoff",
        lines=[line(p["ani"], repayment=1_020_000)],
    )
    loan = Loan.objects.get(pk=group.member_loans["ani"].pk)
    assert (loan.status, loan.balance, loan.closed_date) == (Loan.Status.PAID, 0, FEB)


def test_one_bad_line_refuses_the_whole_sheet_names_the_members_and_writes_nothing(group):
    p = group.people
    before = counts(group)
    with pytest.raises(SheetError) as caught:
        meeting_record(
            book=group,
            meeting_date=FEB,
            token="sheet-bad",
            lines=[
                line(p["ani"], mandatory=10_000, repayment=120_000),  # fine
                line(p["budi"], repayment=5_000_000),  # more than the loan owes
                line(p["citra"], voluntary_out=60_000),  # she has Rp 50.000
                line(p["dewi"], repayment=50_000),  # she has no loan
            ],
        )
    error = caught.value
    assert set(error.lines) == {p["budi"].pk, p["citra"].pk, p["dewi"].pk}
    assert error.lines[p["citra"].pk] == [
        ("voluntary_out", "Only Rp\u00a050.000 in voluntary savings.")
    ]
    assert error.lines[p["budi"].pk][0][0] == "repayment"
    assert "owes only" in error.lines[p["budi"].pk][0][1]
    assert "Citra: Only Rp\u00a050.000 in voluntary savings." in error.messages
    assert any(message.startswith("Budi: Loan PJ-0002 owes only") for message in error.messages)
    assert counts(group) == before
    assert Loan.objects.get(pk=group.member_loans["ani"].pk).balance == D(1_000_000)


def test_amounts_that_are_negative_or_both_in_and_out_are_refused_on_their_line(group):
    p = group.people
    with pytest.raises(SheetError) as caught:
        meeting_record(
            book=group,
            meeting_date=FEB,
            token="sheet-amounts",
            lines=[
                line(p["ani"], mandatory=-10_000),
                line(p["citra"], voluntary_in=10_000, voluntary_out=10_000),
                line(p["dewi"], fine="0.001"),
            ],
        )
    lines = caught.value.lines
    assert lines[p["ani"].pk] == [("mandatory", "Amounts cannot be negative.")]
    assert lines[p["citra"].pk][0][0] == "voluntary_out"
    assert lines[p["dewi"].pk] == [("fine", "Rupiah amounts have at most two decimals.")]
    assert not Meeting.objects.exists()


def test_a_member_who_left_cannot_be_on_the_sheet(group, ksm):
    gone = MembershipFactory(group=ksm, member__full_name="Fajar", ended=True).member
    with pytest.raises(SheetError) as caught:
        meeting_record(
            book=group, meeting_date=FEB, token="sheet-left", lines=[line(gone, mandatory=10_000)]
        )
    assert caught.value.lines == {gone.pk: [(None, "Not an active member of this KSM.")]}
    assert not JournalEntry.objects.filter(kind=EntryKind.MEETING).exists()


def test_the_same_sheet_sent_again_records_nothing_new(group):
    p = group.people
    lines = [line(p["ani"], mandatory=10_000, repayment=120_000)]
    first = meeting_record(book=group, meeting_date=FEB, token="sheet-2", lines=lines)
    before = counts(group)

    again = meeting_record(book=group, meeting_date=FEB, token="sheet-2", lines=lines)

    assert (again.created, again.meeting) == (False, first.meeting)
    assert counts(group) == before


def test_another_sheet_for_a_meeting_already_recorded_is_refused_as_stale(group):
    p = group.people
    meeting_record(
        book=group, meeting_date=FEB, token="sheet-a", lines=[line(p["ani"], mandatory=10_000)]
    )
    before = counts(group)

    with pytest.raises(ValidationError) as caught:
        meeting_record(
            book=group, meeting_date=FEB, token="sheet-b", lines=[line(p["ani"], mandatory=10_000)]
        )

    assert (
        "The meeting of 10-02-2017 is already recorded"
        in caught.value.message_dict["meeting_date"][0]
    )
    assert counts(group) == before


def test_withdrawals_beyond_the_cash_in_the_box_are_refused(book, ksm):
    (saver,) = add_members(ksm, ["Sari"])
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=80_000, entry_date=START
    )
    # Most of the box went to the bank: Rp 10.000 of cash is left.
    bank_transfer(
        book=book, direction="to_bank", amount=70_000, entry_date=START, description="Ke bank"
    )
    with pytest.raises(ValidationError, match="cannot be paid out"):
        meeting_record(
            book=book,
            meeting_date=FEB,
            token="sheet-cash",
            lines=[line(saver, voluntary_out=50_000)],
        )
    assert not Meeting.objects.exists()
    assert JournalEntry.objects.filter(book=book).count() == 2


def test_a_meeting_in_the_future_or_before_the_books_opened_is_refused(group):
    p = group.people
    for day in (timezone.localdate() + datetime.timedelta(days=1), datetime.date(2016, 12, 1)):
        with pytest.raises(ValidationError) as caught:
            meeting_record(
                book=group, meeting_date=day, token=f"sheet-{day}", lines=[line(p["ani"])]
            )
        assert "meeting_date" in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_the_books_stay_balanced_and_verified_after_a_meeting(group):
    from tests.finance.test_verify_books import verify

    p = group.people
    meeting_record(
        book=group,
        meeting_date=MARCH,
        token="sheet-verify",
        lines=[
            line(p["ani"], mandatory=10_000, repayment=370_000),
            line(p["budi"], repayment=100_000),
            line(p["citra"], voluntary_out=50_000, fine=1_000),
        ],
    )
    assert verify()[0] == 0
    ani = Loan.objects.get(pk=group.member_loans["ani"].pk)
    # Fines first (Rp 10.000), then three instalments' interest and principal.
    assert (ani.fines_paid, ani.interest_paid, ani.balance) == (D(10_000), D(60_000), D(700_000))


def test_wajib_or_an_instalment_for_an_absent_member_is_refused_unless_titip(group):
    p = group.people

    with pytest.raises(SheetError) as caught:
        meeting_record(
            book=group,
            meeting_date=FEB,
            token="absent-pays",
            lines=[
                line(p["ani"], present=False, mandatory=10_000, repayment=120_000),
                line(p["dewi"], present=False, fine=2_000),  # a fine is not refused
            ],
        )

    assert caught.value.lines == {
        p["ani"].pk: [
            ("mandatory", absent_message("mandatory")),
            ("repayment", absent_message("repayment")),
        ]
    }
    assert (
        not Meeting.objects.exists()
        and not JournalEntry.objects.filter(kind=EntryKind.MEETING).exists()
    )


def test_an_absent_member_pays_wajib_when_someone_brought_it_titip(group):
    p = group.people

    recorded = meeting_record(
        book=group,
        meeting_date=FEB,
        token="titip",
        lines=[
            SheetLine(member=p["ani"], present=False, paid_for=True, mandatory=D(10_000)),
        ],
    )

    saved = recorded.meeting.lines.get()
    assert (saved.present, saved.paid_for, saved.mandatory) == (False, True, D(10_000))
    assert saved.entry is not None
