"""Every training form that creates something carries a one-time token: a double tap, a
reload of the answer, Back and send again, or a queued submission replayed makes one row."""

import datetime
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ksm_portal.once import MISSING, REFUSED_HERE
from tests.training.factories import TrainingEventFactory, VisitFactory
from tests.training.test_views import _training_post, visit_post
from tests.web.support import non_field_errors, translated
from training.models import FollowUpAction, Material, TrainingEvent, Visit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _page_token(client, url, form="form"):
    """The page's address after it put its token there, and the token."""
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response.request["PATH_INFO"], response.context[form].token


def test_the_visit_form_carries_its_token_in_its_address_and_keeps_it_on_reload(
    facilitator_client, ksm
):
    url = reverse("training:visit_create", args=[ksm.pk])
    first = facilitator_client.get(url)
    assert first.status_code == 302 and "?t=" in first["Location"]
    again = facilitator_client.get(first["Location"])
    assert again.status_code == 200
    carried = parse_qs(urlsplit(first["Location"]).query)["t"]
    assert carried == [again.context["form"].token]


def test_a_visit_sent_twice_is_recorded_once_and_the_second_says_so(facilitator_client, ksm):
    url = reverse("training:visit_create", args=[ksm.pk])
    _path, token = _page_token(facilitator_client, url)
    data = {**visit_post(), "token": token}

    first = facilitator_client.post(url, data)
    second = facilitator_client.post(url, data, follow=True)

    visit = Visit.objects.get()
    assert first["Location"] == visit.get_absolute_url()
    assert second.redirect_chain[-1][0] == visit.get_absolute_url()
    assert translated("This was already recorded.") in second.content.decode()
    assert FollowUpAction.objects.count() == 1  # its follow-up line once too


def test_a_replay_answers_with_the_visit_even_when_the_form_would_now_be_refused(
    facilitator_client, ksm
):
    from tests.groups.factories import MembershipFactory

    present = MembershipFactory(group=ksm, joined_date=TODAY() - datetime.timedelta(days=400))
    url = reverse("training:visit_create", args=[ksm.pk])
    _path, token = _page_token(facilitator_client, url)
    data = {**visit_post(attendees=[str(present.member_id)]), "token": token}
    facilitator_client.post(url, data)
    # Her leaving is recorded back-dated: the same form sent now would be refused on her.
    present.left_date = TODAY() - datetime.timedelta(days=5)
    present.save()

    replay = facilitator_client.post(url, data, follow=True)

    visit = Visit.objects.get()
    assert replay.redirect_chain[-1][0] == visit.get_absolute_url()
    assert translated("This was already recorded.") in replay.content.decode()


def test_a_visit_without_a_token_or_with_another_groups_is_refused(
    facilitator_client, ksm, village
):
    from tests.groups.factories import SelfHelpGroupFactory

    other = SelfHelpGroupFactory(village=village)
    url = reverse("training:visit_create", args=[ksm.pk])
    _path, foreign = _page_token(
        facilitator_client, reverse("training:visit_create", args=[other.pk])
    )

    missing = facilitator_client.post(url, visit_post())
    misplaced = facilitator_client.post(url, {**visit_post(), "token": foreign})

    assert non_field_errors(missing) == [translated(str(MISSING))]
    assert non_field_errors(misplaced) == [translated(str(REFUSED_HERE))]
    assert not Visit.objects.exists()


def test_a_follow_up_added_twice_is_added_once(facilitator_client, facilitator, ksm):
    visit = VisitFactory(group=ksm, facilitator=facilitator, visit_date=TODAY())
    _path, token = _page_token(facilitator_client, visit.get_absolute_url(), form="add_form")
    due = (TODAY() + datetime.timedelta(days=7)).isoformat()
    data = {
        "add-description": "Rapat",
        "add-responsible": "Ketua",
        "add-due_date": due,
        "token": token,
    }
    url = reverse("training:followup_add", args=[visit.pk])

    assert facilitator_client.post(url, data).status_code == 302
    assert facilitator_client.post(url, data)["Location"] == visit.get_absolute_url()
    assert FollowUpAction.objects.filter(visit=visit).count() == 1


def test_a_training_planned_twice_is_planned_once(facilitator_client, village):
    url = reverse("training:event_create")
    _path, token = _page_token(facilitator_client, url)
    data = {**_training_post(village), "token": token}

    first = facilitator_client.post(url, data)
    second = facilitator_client.post(url, data)

    event = TrainingEvent.objects.get()
    assert first["Location"] == reverse("training:event_invite", args=[event.pk])
    assert second["Location"] == event.get_absolute_url()


def test_another_users_training_token_is_refused(facilitator_client, staff_client, village):
    url = reverse("training:event_create")
    _path, staff_token = _page_token(staff_client, url)
    response = facilitator_client.post(url, {**_training_post(village), "token": staff_token})
    assert non_field_errors(response) == [translated(str(REFUSED_HERE))]
    assert not TrainingEvent.objects.exists()


def test_a_material_uploaded_twice_is_kept_once(facilitator_client, facilitator, ksm):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator)
    _path, token = _page_token(facilitator_client, event.get_absolute_url(), form="material_form")
    url = reverse("training:material_add", args=[event.pk])

    for _ in range(2):
        upload = SimpleUploadedFile("modul.pdf", b"%PDF-1.4 modul")
        response = facilitator_client.post(url, {"title": "Modul", "file": upload, "token": token})
        assert response["Location"] == event.get_absolute_url()

    assert Material.objects.filter(event=event).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
)
@pytest.mark.django_db(transaction=True)
def test_two_submissions_racing_make_one_visit(facilitator, ksm):
    """Both pass the first look before either has written: the unique key refuses the second,
    which answers with the first one's visit."""
    from django.test import Client

    url = reverse("training:visit_create", args=[ksm.pk])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(facilitator)
    _path, token = _page_token(clients[0], url)
    data = {**visit_post(), "token": token}
    start = threading.Barrier(2)
    answers = []

    def send(client):
        start.wait()
        try:
            answers.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [302, 302]
    assert Visit.objects.count() == 1


def test_invitations_and_attendance_sent_twice_leave_one_row_each(
    facilitator_client, facilitator, ksm
):
    """These two forms set a state (who is invited, who attended) rather than add a record, so
    a second identical submission finds it already set: no token is needed for one row."""
    from tests.groups.factories import MembershipFactory
    from training.models import Attendance, Invitation

    event = TrainingEventFactory(village=ksm.village, organiser=facilitator)
    invite = reverse("training:event_invite", args=[event.pk])
    for _ in range(2):
        assert facilitator_client.post(invite, {"groups": [str(ksm.pk)]}).status_code == 302
    assert Invitation.objects.filter(event=event).count() == 1

    member = MembershipFactory(group=ksm).member_id
    attendance = reverse("training:event_attendance", args=[event.pk, ksm.pk])
    data = {f"attended_{member}": "on", f"pre_{member}": "40", f"post_{member}": "75"}
    for _ in range(2):
        assert facilitator_client.post(attendance, data).status_code == 302
    assert list(Attendance.objects.values_list("member_id", "pre_score", "post_score")) == [
        (member, 40, 75)
    ]
