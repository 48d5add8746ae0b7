"""The rubric and levels are data: their checks (in model validation, so in admin too), the
database constraints behind the services, and the admin pages where staff edit them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.groups.factories import MembershipFactory, UserFactory
from tests.training.factories import (
    AttendanceFactory,
    ConfirmedAssessmentFactory,
    FollowUpActionFactory,
    TrainingEventFactory,
    VisitFactory,
)
from tests.web.support import logged_in, translated
from training.models import Answer, Area, Assessment, Criterion, FollowUpAction, Level

pytestmark = pytest.mark.django_db


def criterion(**fields) -> Criterion:
    values = {
        "area": Area.objects.get(code="keuangan"),
        "code": "uji",
        "text": "Uji",
        "max_score": 3,
        "source": "repayment_rate",
        "thresholds": "80, 90, 97",
    }
    values.update(fields)
    return Criterion(**values)


def test_the_default_rubric_has_five_areas_and_three_levels():
    assert list(Area.objects.values_list("name", flat=True)) == [
        "Organisasi",
        "Administrasi",
        "Keuangan",
        "Usaha",
        "Jaringan",
    ]
    assert list(Level.objects.values_list("name", "min_score")) == [
        ("Tumbuh", Decimal("0.00")),
        ("Berkembang", Decimal("50.00")),
        ("Mandiri", Decimal("75.00")),
    ]
    assert Criterion.objects.filter(is_active=True).count() == 15
    for item in Criterion.objects.all():
        item.full_clean()  # the shipped thresholds pass their own checks


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"thresholds": "80, 90"}, "Give exactly %(count)d thresholds, one per point."),
        ({"thresholds": "90, 80, 97"}, "The thresholds must rise, e.g. 50, 70, 85."),
        (
            {"source": "par30", "thresholds": "2, 5, 10"},
            "For this figure the thresholds must fall, e.g. 10, 5, 2.",
        ),
        (
            {"thresholds": "80, sembilan puluh, 97"},
            "Thresholds are numbers separated by commas, e.g. 50, 70, 85.",
        ),
        ({"source": "manual"}, "Only a criterion scored from a figure has thresholds."),
    ],
)
def test_badly_shaped_thresholds_are_refused(fields, message):
    with pytest.raises(ValidationError) as error:
        criterion(**fields).full_clean()
    expected = translated(message)
    if "%(count)d" in message:
        expected = expected % {"count": 3}
    assert error.value.message_dict["thresholds"] == [expected]


def test_a_figure_scores_a_point_for_each_threshold_it_meets():
    repayment = criterion()
    par30 = criterion(source="par30", thresholds="10, 5, 2")
    books = criterion(source="books_current", thresholds="")
    assert [repayment.score_for(v) for v in (79, 80, 96.9, 97, None)] == [0, 1, 2, 3, None]
    assert [par30.score_for(Decimal(v)) for v in ("12", "10", "4", "2")] == [0, 1, 2, 3]
    assert [books.score_for(v) for v in (True, False)] == [3, 0]


def test_a_second_level_at_the_same_score_is_refused():
    with pytest.raises(ValidationError) as error:
        Level(name="Maju", min_score=Decimal("50")).full_clean()
    assert error.value.message_dict["min_score"] == [
        translated("Another level already starts at this score.")
    ]


def test_the_database_refuses_an_answer_above_its_maximum_even_past_the_services(ksm):
    assessment = ConfirmedAssessmentFactory(group=ksm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            assessment=assessment, criterion=Criterion.objects.first(), max_score=3, score=4
        )


def test_the_database_refuses_a_closed_action_without_its_closing_date():
    action = FollowUpActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpAction.objects.filter(pk=action.pk).update(status="done")


def test_the_database_keeps_one_current_grading_per_group(ksm):
    ConfirmedAssessmentFactory(group=ksm)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConfirmedAssessmentFactory(group=ksm, assessment_date="2018-01-31")
    assert Assessment.objects.filter(group=ksm, is_current=True).count() == 1


@pytest.mark.parametrize(
    "model",
    ["topic", "level", "area", "criterion", "trainingevent", "attendance", "visit", "assessment"],
)
def test_staff_open_the_admin_pages_of_the_training_app(model, ksm):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    visit = VisitFactory(group=ksm)
    FollowUpActionFactory(visit=visit)
    event = TrainingEventFactory(village=ksm.village, invited=[ksm])
    AttendanceFactory(event=event, membership=MembershipFactory(group=ksm))
    ConfirmedAssessmentFactory(group=ksm)
    client = logged_in(admin)
    changelist = client.get(reverse(f"admin:training_{model}_changelist"))
    assert changelist.status_code == 200
    first = changelist.context["cl"].result_list[0]
    change = client.get(reverse(f"admin:training_{model}_change", args=[first.pk]))
    assert change.status_code == 200
