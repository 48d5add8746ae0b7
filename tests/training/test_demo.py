"""The Batang demo's trainings, visits and gradings: the pilot's treasurer bookkeeping
trainings with attendance, visits with follow-ups by each village's facilitator, and two rounds
of assessments showing movement; loaded once, and not again."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from demo.management.commands.seed_demo import SEED
from groups.models import SelfHelpGroup
from tests.web.support import element, logged_in
from training.demo import demo_training_load
from training.models import (
    Answer,
    Assessment,
    Attendance,
    FollowUpAction,
    Invitation,
    TrainingEvent,
    Visit,
)
from villages.models import FacilitatorAssignment

pytestmark = pytest.mark.django_db
PILOT_ONLY = "2018-03"  # the pilot as the seed tells it, without the years after it

TRAINING_MODELS = (TrainingEvent, Invitation, Attendance, Visit, FollowUpAction, Assessment, Answer)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", until=PILOT_ONLY, stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def pilot_groups():
    return SelfHelpGroup.objects.filter(village__district__regency__code="33.25")


def test_every_pilot_village_held_the_treasurers_bookkeeping_trainings(demo):
    bookkeeping = TrainingEvent.objects.filter(
        title__startswith="Pelatihan administrasi dan pembukuan bendahara",
        topics__code="admin-keuangan",
    )
    assert bookkeeping.values("village").distinct().count() == 10
    treasurers = Attendance.objects.filter(event__in=bookkeeping, role="treasurer")
    # Most treasurers of the pilot came, as treasurers at the time, with their test scores.
    assert treasurers.values("member").distinct().count() >= 80
    assert not treasurers.filter(Q(pre_score__isnull=True) | Q(post_score__lt=F("pre_score")))
    for attendance in treasurers.select_related("event", "group"):
        assert attendance.event.invitations.filter(group=attendance.group).exists()
    assert "training attendance" in demo


def test_every_pilot_ksm_was_visited_by_its_own_facilitator_with_follow_ups(demo):
    groups = pilot_groups().annotate(visit_count=Count("visits"))
    assert all(group.visit_count >= 2 for group in groups)
    for visit in Visit.objects.select_related("group").iterator():
        assert (
            FacilitatorAssignment.objects.current(visit.visit_date)
            .filter(user=visit.facilitator_id, village=visit.group.village_id)
            .exists()
        )
        assert visit.visit_date <= datetime.date(2018, 3, 31)
    statuses = Counter(FollowUpAction.objects.values_list("status", flat=True))
    assert statuses["open"] > 0 and statuses["done"] > statuses["open"]
    assert not FollowUpAction.objects.filter(closed_date__lt=F("visit__visit_date")).exists()


def test_two_rounds_of_assessments_show_groups_moving_between_levels(demo):
    confirmed = Assessment.objects.filter(status="confirmed")
    assert set(confirmed.values_list("assessment_date", flat=True)) == {
        datetime.date(2017, 6, 30),
        datetime.date(2018, 1, 31),
    }
    assert not Assessment.objects.filter(status="draft").exists()
    assert not Answer.objects.filter(assessment__status="confirmed", score__isnull=True)
    current = confirmed.filter(is_current=True)
    assert current.count() == pilot_groups().filter(assessments__isnull=False).distinct().count()
    second_round = current.filter(previous_level__isnull=False).select_related(
        "level", "previous_level"
    )
    assert second_round.count() >= 30
    for assessment in second_round:
        first = confirmed.get(group=assessment.group, assessment_date=datetime.date(2017, 6, 30))
        assert assessment.previous_level == first.level
    moves = Counter(
        (a.level.min_score > a.previous_level.min_score)
        - (a.level.min_score < a.previous_level.min_score)
        for a in second_round
    )
    assert moves[1] > 0, "no group moved up between the rounds"


def test_loading_the_training_demo_again_writes_nothing(demo):
    before = {model.__name__: model.objects.count() for model in TRAINING_MODELS}
    staff = get_user_model().objects.get(username="staf")

    created = demo_training_load(actor=staff, groups=list(pilot_groups()), seed=SEED)

    assert created == Counter()
    assert {model.__name__: model.objects.count() for model in TRAINING_MODELS} == before


def test_a_demo_facilitators_agenda_coverage_and_grading_pages_open(demo):
    client = logged_in(get_user_model().objects.get(username="pendamping1"))

    agenda = client.get(reverse("training:agenda"))
    coverage = client.get(reverse("training:coverage"))
    grading = client.get(reverse("training:grading"))

    assert agenda.status_code == coverage.status_code == grading.status_code == 200
    assert agenda.context["agenda"].overdue_actions > 0
    assert element(coverage, "coverage-total").rows()[0][1] == "50"  # the KSM of five villages
    assert grading.context["distribution"].total.groups == 50
