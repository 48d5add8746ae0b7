"""Trainings, attendance, visits with follow-ups and assessments for the training tests.

Topics, levels and the rubric come from the app's data migration (the default rubric), so
tests read them by code: `topic("admin-keuangan")`, `level("Berkembang")`."""

import datetime

import factory
from factory.django import DjangoModelFactory

from tests.groups.factories import SelfHelpGroupFactory, UserFactory
from tests.villages.factories import VillageFactory
from training.models import (
    Assessment,
    Attendance,
    FollowUpAction,
    Invitation,
    Level,
    Topic,
    TrainingEvent,
    Visit,
)

CORE_BOOKKEEPING = "admin-keuangan"
CORE_ORGANISING = "pengorganisasian"


def topic(code: str) -> Topic:
    return Topic.objects.get(code=code)


def level(name: str) -> Level:
    return Level.objects.get(name=name)


class TrainingEventFactory(DjangoModelFactory):
    """A one-day training in 2017 on bookkeeping, organised by a facilitator."""

    class Meta:
        model = TrainingEvent
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Pelatihan pembukuan bendahara {n}")
    start_date = datetime.date(2017, 3, 14)
    end_date = factory.LazyAttribute(lambda o: o.start_date)
    village = factory.SubFactory(VillageFactory)
    venue = "Balai desa"
    trainer = "Tim Bina Swadaya"
    organiser = factory.SubFactory(UserFactory)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create:
            self.topics.set(extracted if extracted is not None else [topic(CORE_BOOKKEEPING)])

    @factory.post_generation
    def invited(self, create, extracted, **kwargs):
        for group in extracted or ():
            Invitation.objects.create(event=self, group=group)


class AttendanceFactory(DjangoModelFactory):
    """A member at a training, for the group of the given membership, in its role."""

    class Meta:
        model = Attendance
        exclude = ("membership",)

    membership = None
    event = factory.SubFactory(TrainingEventFactory)
    member = factory.LazyAttribute(lambda o: o.membership.member)
    group = factory.LazyAttribute(lambda o: o.membership.group)
    role = factory.LazyAttribute(lambda o: o.membership.role)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    group = factory.SubFactory(SelfHelpGroupFactory)
    facilitator = factory.SubFactory(UserFactory)
    visit_date = datetime.date(2017, 5, 10)
    findings = "Buku kas belum diisi sejak bulan lalu."


class FollowUpActionFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    visit = factory.SubFactory(VisitFactory)
    group = factory.LazyAttribute(lambda o: o.visit.group)
    description = factory.Sequence(lambda n: f"Isi buku kas bulan ini ({n})")
    responsible = "Bendahara"
    due_date = factory.LazyAttribute(lambda o: o.visit.visit_date + datetime.timedelta(days=14))
    status = FollowUpAction.Status.OPEN
    closed_date = None


class ConfirmedAssessmentFactory(DjangoModelFactory):
    """A confirmed grading written directly (the services are tested on their own): give it
    `level` and, for a second round, `previous_level`; it is the group's current one."""

    class Meta:
        model = Assessment

    group = factory.SubFactory(SelfHelpGroupFactory)
    assessment_date = datetime.date(2017, 6, 30)
    assessor = factory.SubFactory(UserFactory)
    status = Assessment.Status.CONFIRMED
    score = factory.LazyAttribute(lambda o: o.level.min_score)
    level = factory.LazyFunction(lambda: level("Tumbuh"))
    previous_level = None
    is_current = True
    confirmed_at = factory.LazyFunction(
        lambda: datetime.datetime(2017, 6, 30, 10, tzinfo=datetime.UTC)
    )
