"""The audit trail over the training work, business units and logins: every change keeps who
made it and when, and a member taken off a training's attendance is ended, not deleted."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import LoginEvent
from finance.services import book_open
from finance.services.units import business_unit_create
from groups.models import SelfHelpGroup
from tests.groups.factories import PASSWORD, MembershipFactory, UserFactory
from tests.training.factories import CORE_BOOKKEEPING, TrainingEventFactory, topic
from tests.web.support import element, logged_in, translated
from training import services
from training.models import Attendance, Topic
from training.selectors.coverage import covered, officers_trained
from training.services import AttendanceRow

pytestmark = pytest.mark.django_db
PILOT_DAY = datetime.date(2017, 3, 14)


@pytest.fixture
def training(ksm, facilitator):
    return TrainingEventFactory(
        village=ksm.village, organiser=facilitator, start_date=PILOT_DAY, invited=[ksm]
    )


def _set(facilitator, training, ksm, *memberships):
    return services.attendance_set_for_group(
        actor=facilitator,
        event=training,
        group=ksm,
        rows=[AttendanceRow(m.member_id) for m in memberships],
    )


def _by_role(client, training) -> str:
    response = client.get(reverse("training:event_detail", args=[training.pk]))
    return element(response, "attendance-by-role").text


def test_unticking_a_member_ends_their_attendance_and_the_history_says_who(
    training, ksm, facilitator
):
    chair = MembershipFactory(group=ksm, chair=True)
    treasurer = MembershipFactory(group=ksm, treasurer=True)
    _set(facilitator, training, ksm, chair, treasurer)
    client = logged_in(facilitator)
    assert translated("Treasurer") in _by_role(client, training)

    _set(facilitator, training, ksm, chair)

    # The page and the counts show the attendance as it stands now ...
    assert list(Attendance.objects.values_list("member_id", flat=True)) == [chair.member_id]
    assert translated("Treasurer") not in _by_role(client, training)
    # ... and the row taken off is kept, ended, with who ended it in its history.
    ended = Attendance.all_objects.get(member=treasurer.member)
    assert ended.removed_at is not None
    last = ended.history.order_by("-history_date", "-history_id").first()
    assert last.removed_at is not None and last.history_user == facilitator

    # Ticked again: the same row comes back.
    _set(facilitator, training, ksm, chair, treasurer)
    back = Attendance.objects.get(member=treasurer.member)
    assert back.pk == ended.pk and back.removed_at is None
    assert Attendance.all_objects.count() == 2


def test_a_changed_training_keeps_its_earlier_version_and_who_changed_it(training, facilitator):
    first_title = training.title
    services.training_update(actor=facilitator, event=training, title="Pembukuan, angkatan 2")
    versions = list(
        training.history.order_by("history_date", "history_id").values_list("title", "history_type")
    )
    assert versions == [(first_title, "+"), ("Pembukuan, angkatan 2", "~")]
    assert training.history.latest().history_user == facilitator


def test_a_business_unit_has_a_history(bumdes, staff_user):
    book = book_open(owner=bumdes, opening_date=datetime.date(2017, 1, 10))
    unit = business_unit_create(book=book, name="Air Bersih", actor=staff_user)
    unit.is_active = False
    unit.save()
    assert [h.is_active for h in unit.history.order_by("history_date")] == [True, False]


def test_logins_and_failed_logins_are_recorded(client):
    UserFactory(username="siti")
    url = reverse("login")
    client.post(url, {"username": "siti", "password": "salah"}, REMOTE_ADDR="10.0.0.7")
    client.post(url, {"username": "siti", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    events = list(
        LoginEvent.objects.order_by("at", "pk").values_list("kind", "username", "ip_address")
    )
    assert events == [
        (LoginEvent.Kind.LOGIN_FAILED, "siti", "10.0.0.7"),
        (LoginEvent.Kind.LOGIN_OK, "siti", "10.0.0.8"),
    ]


def test_an_officer_taken_off_the_attendance_no_longer_counts_as_trained(
    training, ksm, facilitator
):
    bookkeeping = topic(CORE_BOOKKEEPING)
    training.topics.set(Topic.objects.filter(is_core=True))
    chair = MembershipFactory(group=ksm, chair=True)
    treasurer = MembershipFactory(group=ksm, treasurer=True)
    _set(facilitator, training, ksm, chair, treasurer)
    assert SelfHelpGroup.objects.filter(covered(bookkeeping), pk=ksm.pk).exists()
    assert officers_trained(ksm) is True
    _set(facilitator, training, ksm, chair)
    assert not SelfHelpGroup.objects.filter(covered(bookkeeping), pk=ksm.pk).exists()
    assert officers_trained(ksm) is False
