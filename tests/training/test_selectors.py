"""Coverage, the distribution of levels with their movement, and the agenda, on fixed data and
fixed dates, with exact expected results."""

import datetime
from decimal import Decimal

import pytest

from accounts.roles import ADMINISTRATORS
from finance.services import book_open, cash_receive
from groups.models import Membership
from groups.services import membership_change_role
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory, UserFactory
from tests.training.factories import (
    CORE_BOOKKEEPING,
    CORE_ORGANISING,
    AttendanceFactory,
    ConfirmedAssessmentFactory,
    FollowUpActionFactory,
    TrainingEventFactory,
    VisitFactory,
    level,
    topic,
)
from tests.villages.factories import DistrictFactory, VillageFactory
from training.models import Assessment
from training.selectors.agenda import facilitator_agenda
from training.selectors.coverage import (
    core_topics,
    coverage_report,
    groups_needing_training,
    needs_of,
    officers_trained,
    scope_for,
)
from training.selectors.grading import level_distribution, level_history

pytestmark = pytest.mark.django_db


# --- Coverage ---------------------------------------------------------------------------------


@pytest.fixture
def pilot(village, district):
    """Four KSM in two villages of one district, with what their officers attended.

    - Mawar (village 1): chair and treasurer attended bookkeeping and organising: covered.
    - Melati (village 1): both attended bookkeeping; nobody organising. Its treasurer went as
      a plain member and became treasurer later: covered for bookkeeping all the same.
    - Kenanga (village 2): only the treasurer attended bookkeeping.
    - Anggrek (village 2): no officers at all.
    """
    second = VillageFactory(district=district, code=f"{district.code}.2002", name="Kalisari")
    mawar = SelfHelpGroupFactory(village=village, name="KSM Mawar")
    melati = SelfHelpGroupFactory(village=village, name="KSM Melati")
    kenanga = SelfHelpGroupFactory(village=second, name="KSM Kenanga")
    anggrek = SelfHelpGroupFactory(village=second, name="KSM Anggrek")
    bookkeeping = TrainingEventFactory(village=village, topics=[topic(CORE_BOOKKEEPING)])
    organising = TrainingEventFactory(village=village, topics=[topic(CORE_ORGANISING)])

    mawar_officers = (
        MembershipFactory(group=mawar, chair=True),
        MembershipFactory(group=mawar, treasurer=True),
    )
    for event in (bookkeeping, organising):
        for officer in mawar_officers:
            AttendanceFactory(event=event, membership=officer)

    AttendanceFactory(event=bookkeeping, membership=MembershipFactory(group=melati, chair=True))
    future_treasurer = MembershipFactory(group=melati)
    AttendanceFactory(event=bookkeeping, membership=future_treasurer)  # as a member
    membership_change_role(actor=None, membership=future_treasurer, role=Membership.Role.TREASURER)

    MembershipFactory(group=kenanga, chair=True)
    AttendanceFactory(
        event=bookkeeping, membership=MembershipFactory(group=kenanga, treasurer=True)
    )
    MembershipFactory(group=anggrek)
    return {
        "second": second,
        "mawar": mawar,
        "melati": melati,
        "kenanga": kenanga,
        "anggrek": anggrek,
    }


def counts(row) -> tuple:
    return (row.total, [count for _topic, count in row.by_topic], row.complete)


def test_the_core_topics_are_the_pilots_bookkeeping_and_organising():
    assert [t.code for t in core_topics()] == [
        CORE_BOOKKEEPING,
        CORE_ORGANISING,
    ]


def test_district_coverage_counts_ksm_whose_chair_and_treasurer_attended_each_topic(
    pilot, staff_user, district, village
):
    report = coverage_report(user=staff_user, scope=scope_for(district.code))

    assert [(row.label, counts(row)) for row in report.rows] == [
        (village, (2, [2, 1], 1)),
        (pilot["second"], (2, [0, 0], 0)),
    ]
    assert counts(report.total) == (4, [2, 1], 1)
    assert report.total.complete_share == 25
    # The share of the district's KSM covered in each core topic.
    assert [(t.code, n, share) for t, n, share in report.total.topic_shares] == [
        (CORE_BOOKKEEPING, 2, 50),
        (CORE_ORGANISING, 1, 25),
    ]
    assert [share for _t, _n, share in report.rows[0].topic_shares] == [100, 50]
    # By the role they held at the training: Melati's treasurer went as a member.
    assert [(t.code, n) for t, n in report.treasurers_trained] == [
        (CORE_BOOKKEEPING, 2),
        (CORE_ORGANISING, 1),
    ]


def test_regency_coverage_is_broken_down_by_district_and_village_coverage_by_ksm(
    pilot, staff_user, regency, district, village
):
    by_district = coverage_report(user=staff_user, scope=scope_for(regency.code))
    by_group = coverage_report(user=staff_user, scope=scope_for(village.code))

    assert [(row.label, counts(row)) for row in by_district.rows] == [(district, (4, [2, 1], 1))]
    assert sorted((row.label.name, counts(row)) for row in by_group.rows) == [
        ("KSM Mawar", (1, [1, 1], 1)),
        ("KSM Melati", (1, [1, 0], 0)),
    ]


def test_who_still_needs_training_names_the_topic_and_the_officer(pilot, staff_user, district):
    topics = core_topics()
    needing = groups_needing_training(
        user=staff_user, scope=scope_for(district.code), topics=topics
    )

    listed = {
        group.name: [(t.code, chair, treasurer) for t, chair, treasurer in needs_of(group, topics)]
        for group in needing
    }
    assert listed == {
        "KSM Melati": [(CORE_ORGANISING, False, False)],
        "KSM Kenanga": [(CORE_BOOKKEEPING, False, True), (CORE_ORGANISING, False, False)],
        "KSM Anggrek": [(CORE_BOOKKEEPING, False, False), (CORE_ORGANISING, False, False)],
    }


def test_a_facilitator_counts_only_the_ksm_of_their_own_villages(pilot, facilitator, regency):
    report = coverage_report(user=facilitator, scope=scope_for(regency.code))
    assert counts(report.total) == (2, [2, 1], 1)


def test_dissolved_ksm_are_left_out_of_coverage(pilot, staff_user, district):
    pilot["anggrek"].status = "dissolved"
    pilot["anggrek"].save()
    report = coverage_report(user=staff_user, scope=scope_for(district.code))
    assert report.total.total == 3


def test_officers_trained_is_the_grading_view_of_the_same_rule(pilot):
    assert officers_trained(pilot["mawar"]) is True
    assert officers_trained(pilot["melati"]) is False
    assert officers_trained(pilot["anggrek"]) is False
    # Before the trainings took place (14 March 2017), nobody was trained.
    assert officers_trained(pilot["mawar"], datetime.date(2017, 3, 1)) is False


def test_an_unknown_area_code_has_no_scope():
    assert scope_for("99.99") is None
    assert scope_for("nonsense") is None


# --- Levels: history, distribution, movement --------------------------------------------------


def test_distribution_by_district_with_movement_between_assessments(regency, district, village):
    other_district = DistrictFactory(regency=regency, code="33.25.02", name="Bandar")
    second = VillageFactory(district=other_district, code="33.25.02.2001")
    tumbuh, berkembang, mandiri = level("Tumbuh"), level("Berkembang"), level("Mandiri")
    up = SelfHelpGroupFactory(village=village)
    down = SelfHelpGroupFactory(village=village)
    first = SelfHelpGroupFactory(village=village)
    SelfHelpGroupFactory(village=village)  # never assessed
    same = SelfHelpGroupFactory(village=second)
    also_up = SelfHelpGroupFactory(village=second)
    SelfHelpGroupFactory(village=VillageFactory())  # another regency

    def graded(group, before, now):
        ConfirmedAssessmentFactory(
            group=group, level=before, is_current=False, assessment_date=datetime.date(2017, 1, 5)
        )
        ConfirmedAssessmentFactory(group=group, level=now, previous_level=before)

    graded(up, tumbuh, berkembang)
    graded(down, mandiri, berkembang)
    ConfirmedAssessmentFactory(group=first, level=tumbuh)
    graded(same, berkembang, berkembang)
    graded(also_up, tumbuh, mandiri)

    staff = UserFactory(staff_role=ADMINISTRATORS)
    result = level_distribution(user=staff, regency=regency)

    assert [level.name for level in result.levels] == ["Tumbuh", "Berkembang", "Mandiri"]
    rows = [
        (
            row.district.name,
            row.groups,
            row.by_level,
            row.not_assessed,
            (row.movement.up, row.movement.same, row.movement.down, row.movement.first),
        )
        for row in result.rows
    ]
    assert rows == [
        (district.name, 4, [1, 2, 0], 1, (1, 0, 1, 1)),
        ("Bandar", 2, [0, 1, 1], 0, (1, 1, 0, 0)),
    ]
    assert (result.total.groups, result.total.by_level, result.total.not_assessed) == (
        6,
        [1, 3, 1],
        1,
    )
    assert [(s.name if s else None, n) for s, n in result.transitions] == [
        (None, [1, 0, 0]),
        ("Tumbuh", [0, 1, 1]),
        ("Berkembang", [0, 1, 0]),
        ("Mandiri", [0, 1, 0]),
    ]


def test_a_groups_level_history_lists_its_confirmed_assessments_newest_first(ksm):
    older = ConfirmedAssessmentFactory(
        group=ksm,
        level=level("Tumbuh"),
        is_current=False,
        assessment_date=datetime.date(2017, 1, 5),
    )
    newer = ConfirmedAssessmentFactory(
        group=ksm, level=level("Berkembang"), previous_level=level("Tumbuh"), score=Decimal("61")
    )
    Assessment.objects.create(
        group=ksm, assessor=newer.assessor, assessment_date=datetime.date(2017, 12, 1)
    )  # a draft: not history
    assert list(level_history(ksm)) == [newer, older]


# --- The agenda -------------------------------------------------------------------------------

TODAY = datetime.date(2024, 3, 1)  # 2024 is a leap year: 1 January is 60 days before


def days_before(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def week(village, other_village, facilitator):
    """A facilitator's village on 1 March 2024."""
    groups = {
        name: SelfHelpGroupFactory(
            village=village, name=name, formed_date=datetime.date(2016, 6, 1)
        )
        for name in ("KSM Visited", "KSM Sixty", "KSM Never", "KSM Young")
    }
    groups["KSM Young"].formed_date = days_before(30)
    groups["KSM Young"].save()
    elsewhere = SelfHelpGroupFactory(village=other_village, name="KSM Elsewhere")
    return {**groups, "elsewhere": elsewhere}


def test_the_agenda_lists_groups_not_visited_for_60_days_oldest_first(week, facilitator):
    VisitFactory(group=week["KSM Visited"], facilitator=facilitator, visit_date=days_before(59))
    VisitFactory(group=week["KSM Sixty"], facilitator=facilitator, visit_date=days_before(60))
    VisitFactory(group=week["KSM Sixty"], facilitator=facilitator, visit_date=days_before(200))
    VisitFactory(group=week["elsewhere"], visit_date=days_before(400))

    agenda = facilitator_agenda(user=facilitator, today=TODAY)

    assert [(g.name, g.last_visit) for g in agenda.not_visited.items] == [
        ("KSM Never", None),
        ("KSM Sixty", datetime.date(2024, 1, 1)),
        ("KSM Young", None),
    ]
    assert agenda.not_visited.total == 3


def test_the_agenda_lists_open_actions_overdue_or_due_within_two_weeks(week, facilitator):
    visit = VisitFactory(
        group=week["KSM Visited"], facilitator=facilitator, visit_date=days_before(30)
    )
    overdue = FollowUpActionFactory(visit=visit, due_date=days_before(1), description="Overdue")
    due_today = FollowUpActionFactory(visit=visit, due_date=TODAY, description="Today")
    soon = FollowUpActionFactory(visit=visit, due_date=TODAY + datetime.timedelta(days=14))
    FollowUpActionFactory(visit=visit, due_date=TODAY + datetime.timedelta(days=15))
    FollowUpActionFactory(
        visit=visit, due_date=days_before(10), status="done", closed_date=days_before(5)
    )
    FollowUpActionFactory(visit=VisitFactory(group=week["elsewhere"]), due_date=days_before(3))

    agenda = facilitator_agenda(user=facilitator, today=TODAY)

    assert agenda.actions.items == [overdue, due_today, soon]
    assert agenda.overdue_actions == 1


def test_the_agenda_lists_groups_whose_books_show_nothing_for_35_days(week, facilitator):
    for name, last_entry in (("KSM Visited", days_before(35)), ("KSM Sixty", days_before(36))):
        book = book_open(owner=week[name], opening_date=datetime.date(2023, 1, 1))
        cash_receive(
            book=book,
            source="income_business",
            amount="50000",
            entry_date=last_entry,
            description="Penjualan keripik",
        )
    book_open(owner=week["KSM Never"], opening_date=datetime.date(2023, 1, 1))  # no entries

    agenda = facilitator_agenda(user=facilitator, today=TODAY)

    assert [(g.name, g.last_entry) for g in agenda.stale_books.items] == [
        ("KSM Never", None),
        ("KSM Young", None),
        ("KSM Sixty", datetime.date(2024, 1, 25)),
    ]


def test_the_agenda_shows_the_later_of_the_last_entry_and_the_last_meeting(week, facilitator):
    """Books are stale when neither an entry nor a meeting lies within 35 days; what the line
    shows (and sorts by) is whichever of the two came last."""
    from django.apps import apps

    Meeting = apps.get_model("finance", "Meeting")
    for name, entry, meeting in (
        ("KSM Visited", days_before(80), days_before(40)),  # the meeting is later
        ("KSM Sixty", days_before(50), days_before(90)),  # the entry is later
        ("KSM Never", days_before(10), days_before(60)),  # a recent entry: current
    ):
        book = book_open(owner=week[name], opening_date=datetime.date(2023, 1, 1))
        cash_receive(
            book=book,
            source="income_business",
            amount="50000",
            entry_date=entry,
            description="Penjualan keripik",
        )
        Meeting.objects.create(
            group=week[name],
            book=book,
            meeting_date=meeting,
            token=f"rapat-{name}",
            members_count=12,
            present_count=10,
        )

    agenda = facilitator_agenda(user=facilitator, today=TODAY)

    assert [(g.name, g.last_activity) for g in agenda.stale_books.items] == [
        ("KSM Young", None),
        ("KSM Sixty", datetime.date(2024, 1, 11)),
        ("KSM Visited", datetime.date(2024, 1, 21)),
    ]


def test_the_agenda_lists_groups_due_for_assessment(week, facilitator):
    ConfirmedAssessmentFactory(group=week["KSM Visited"], assessment_date=days_before(100))
    ConfirmedAssessmentFactory(group=week["KSM Sixty"], assessment_date=days_before(182))
    Assessment.objects.create(
        group=week["KSM Never"], assessor=facilitator, assessment_date=days_before(2)
    )  # a draft under way: still due until confirmed

    agenda = facilitator_agenda(user=facilitator, today=TODAY)

    # KSM Young formed 30 days ago: not due before it has run half a year.
    assert [(g.name, g.last_assessed, g.has_draft) for g in agenda.due_assessment.items] == [
        ("KSM Never", None, True),
        ("KSM Sixty", datetime.date(2023, 9, 1), False),
    ]


def test_the_agenda_lists_trainings_ahead_in_or_for_the_facilitators_villages(
    week, facilitator, village, other_village
):
    ahead = TrainingEventFactory(village=village, start_date=TODAY + datetime.timedelta(days=4))
    ongoing = TrainingEventFactory(
        village=village, start_date=days_before(1), end_date=TODAY + datetime.timedelta(days=1)
    )
    for_us = TrainingEventFactory(
        village=other_village,
        start_date=TODAY + datetime.timedelta(days=9),
        invited=[week["KSM Visited"]],
    )
    TrainingEventFactory(village=village, start_date=days_before(3))  # over
    TrainingEventFactory(village=other_village, start_date=TODAY + datetime.timedelta(days=2))

    agenda = facilitator_agenda(user=facilitator, today=TODAY)

    assert agenda.trainings.items == [ongoing, ahead, for_us]


def test_someone_assigned_to_no_village_has_an_empty_agenda(week, staff_user):
    agenda = facilitator_agenda(user=staff_user, today=TODAY)
    assert agenda.is_empty
    assert agenda.not_visited.items == [] and agenda.actions.items == []
