"""The training pages as each kind of user meets them: who may see and record what (404
outside their villages), the forms' answers to bad input, uploads, and pages whose database
work does not grow with the data."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.training.conftest import FakeHealth
from tests.training.factories import (
    AttendanceFactory,
    ConfirmedAssessmentFactory,
    FollowUpActionFactory,
    TrainingEventFactory,
    VisitFactory,
    level,
)
from tests.villages.factories import FacilitatorAssignmentFactory, VillageFactory
from tests.web.support import element, field_errors, logged_in, non_field_errors, parse, translated
from training.models import Assessment, Attendance, FollowUpAction, Material, TrainingEvent, Visit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def elsewhere(other_village):
    """What lies in a village nobody here looks after: a KSM with a visit, an open action,
    an assessment, and a training held there with a material."""
    group = SelfHelpGroupFactory(village=other_village, name="KSM Desa Seberang")
    visit = VisitFactory(group=group)
    action = FollowUpActionFactory(visit=visit)
    assessment = ConfirmedAssessmentFactory(group=group)
    event = TrainingEventFactory(village=other_village, invited=[group])
    material = Material.objects.create(
        event=event,
        title="Modul",
        file=SimpleUploadedFile("modul.pdf", b"%PDF-1.4 secret"),
        original_name="modul.pdf",
        size=15,
        content_type="application/pdf",
    )
    return {
        "group": group,
        "visit": visit,
        "action": action,
        "assessment": assessment,
        "event": event,
        "material": material,
    }


def test_a_facilitator_gets_404_for_everything_outside_their_villages(
    facilitator_client, elsewhere
):
    group, event = elsewhere["group"], elsewhere["event"]
    pages = {
        "group visits": reverse("training:group_visits", args=[group.pk]),
        "record visit": reverse("training:visit_create", args=[group.pk]),
        "visit": reverse("training:visit_detail", args=[elsewhere["visit"].pk]),
        "assessments": reverse("training:group_assessments", args=[group.pk]),
        "assessment": reverse("training:assessment_detail", args=[elsewhere["assessment"].pk]),
        "training": reverse("training:event_detail", args=[event.pk]),
        "training edit": reverse("training:event_update", args=[event.pk]),
        "invite": reverse("training:event_invite", args=[event.pk]),
        "attendance": reverse("training:event_attendance", args=[event.pk, group.pk]),
        "material": reverse("training:material_download", args=[elsewhere["material"].pk]),
    }
    statuses = {name: facilitator_client.get(url).status_code for name, url in pages.items()}
    assert statuses == dict.fromkeys(pages, 404)

    posts = {
        "close action": reverse("training:followup_close", args=[elsewhere["action"].pk]),
        "start assessment": reverse("training:assessment_start", args=[group.pk]),
        "upload": reverse("training:material_add", args=[event.pk]),
    }
    statuses = {
        name: facilitator_client.post(url, {"status": "done"}).status_code
        for name, url in posts.items()
    }
    assert statuses == dict.fromkeys(posts, 404)
    assert FollowUpAction.objects.get().status == "open"


def test_lists_show_only_what_the_user_may_see(facilitator_client, facilitator, ksm, elsewhere):
    own = VisitFactory(group=ksm, facilitator=facilitator, findings="Kas sudah rapi")
    TrainingEventFactory(village=ksm.village, title="Pelatihan di desa kita", start_date=TODAY())

    visits = facilitator_client.get(reverse("training:visit_list"))
    trainings = facilitator_client.get(reverse("training:event_list"))

    assert own.get_absolute_url() in element(visits, "visit-list").hrefs()
    assert elsewhere["visit"].get_absolute_url() not in element(visits, "visit-list").hrefs()
    assert element(trainings, "training-list").text.startswith("Pelatihan di desa kita")
    assert elsewhere["event"].title not in trainings.content.decode()


def test_an_officer_reads_the_groups_visits_but_cannot_record_or_close(treasurer, ksm):
    action = FollowUpActionFactory(visit=VisitFactory(group=ksm))
    client = logged_in(treasurer)

    assert client.get(reverse("training:group_visits", args=[ksm.pk])).status_code == 200
    assert client.get(reverse("training:visit_create", args=[ksm.pk])).status_code == 403
    response = client.post(reverse("training:followup_close", args=[action.pk]), {"status": "done"})
    assert response.status_code == 403
    assert FollowUpAction.objects.get().status == "open"


# --- Recording a visit ------------------------------------------------------------------------


def post_form(client, url, data, *, page=None, form="form", **kwargs):
    """Post as the browser does: with the one-time token the form's page gave it (`page`,
    default the form's own address, followed to the address that carries the token)."""
    response = client.get(page or url, follow=True)
    return client.post(url, {**data, "token": response.context[form].token}, **kwargs)


def visit_post(**overrides):
    data = {
        "visit_date": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        "findings": "Buku kas belum diisi.",
        "other_attendees": "Kepala desa",
        "discussion": "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "10",
        "actions-0-description": "Isi buku kas",
        "actions-0-responsible": "Bendahara",
        "actions-0-due_date": (TODAY() + datetime.timedelta(days=7)).isoformat(),
        "actions-1-description": "",
        "actions-1-responsible": "",
        "actions-1-due_date": "",
    }
    data.update(overrides)
    return data


def test_a_facilitator_records_a_visit_with_a_follow_up_and_sees_it(
    facilitator_client, facilitator, ksm
):
    chair = MembershipFactory(group=ksm, chair=True)
    url = reverse("training:visit_create", args=[ksm.pk])

    response = post_form(facilitator_client, url, visit_post(attendees=[str(chair.member_id)]))

    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert (visit.facilitator, visit.created_by, list(visit.attendees.all())) == (
        facilitator,
        facilitator,
        [chair.member],
    )
    page = facilitator_client.get(visit.get_absolute_url())
    assert "Isi buku kas" in element(page, "visit-actions").text
    assert element(page, "visit-findings").text == "Buku kas belum diisi."


@pytest.fixture
def leavers(ksm):
    """A member still in the KSM, one who left 20 days ago and one who left 13 months ago."""
    stays = MembershipFactory(group=ksm, member__full_name="Sri Rahayu")
    left = MembershipFactory(
        group=ksm, member__full_name="Bu Wartini", left_date=TODAY() - datetime.timedelta(days=20)
    )
    long_gone = MembershipFactory(
        group=ksm, member__full_name="Pak Darto", left_date=TODAY() - datetime.timedelta(days=400)
    )
    return stays, left, long_gone


def test_the_visit_form_offers_members_who_left_in_the_last_12_months(
    facilitator_client, ksm, leavers
):
    stays, left, _long_gone = leavers
    response = facilitator_client.get(reverse("training:visit_create", args=[ksm.pk]), follow=True)

    offered = {
        choice.data["value"].value: choice.data["label"]
        for choice in response.context["form"]["attendees"]
    }
    assert offered == {
        left.member_id: translated("%(name)s (left %(date)s)")
        % {"name": "Bu Wartini", "date": left.left_date.strftime("%d-%m-%Y")},
        stays.member_id: "Sri Rahayu",
    }


def test_a_back_dated_visit_names_a_member_who_has_left_since(facilitator_client, ksm, leavers):
    stays, left, _long_gone = leavers
    a_month_ago = (TODAY() - datetime.timedelta(days=30)).isoformat()

    response = post_form(
        facilitator_client,
        reverse("training:visit_create", args=[ksm.pk]),
        visit_post(visit_date=a_month_ago, attendees=[str(left.member_id), str(stays.member_id)]),
    )

    visit = Visit.objects.get()
    assert response.status_code == 302
    assert set(visit.attendees.all()) == {left.member, stays.member}


def test_a_member_who_had_left_before_the_visit_is_refused_with_a_message(
    facilitator_client, ksm, leavers
):
    _stays, left, _long_gone = leavers
    response = post_form(
        facilitator_client,
        reverse("training:visit_create", args=[ksm.pk]),
        visit_post(attendees=[str(left.member_id)]),  # yesterday: she left 20 days ago
    )

    assert response.status_code == 200
    assert field_errors(response, "attendees") == [
        translated("Not members of %(group)s on that day: %(names)s.")
        % {"group": ksm.name, "names": "Bu Wartini"}
    ]
    assert not Visit.objects.exists() and not FollowUpAction.objects.exists()


def test_a_visit_dated_tomorrow_is_refused_on_the_date_and_nothing_is_saved(
    facilitator_client, ksm
):
    url = reverse("training:visit_create", args=[ksm.pk])
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = post_form(facilitator_client, url, visit_post(visit_date=tomorrow))

    assert response.status_code == 200
    assert field_errors(response, "visit_date") == [translated("This date is in the future.")]
    assert not Visit.objects.exists() and not FollowUpAction.objects.exists()


def test_a_half_filled_follow_up_line_is_pointed_out(facilitator_client, ksm):
    url = reverse("training:visit_create", args=[ksm.pk])

    response = post_form(facilitator_client, url, visit_post(**{"actions-1-description": "Rapat"}))

    assert response.status_code == 200
    errors = response.context["actions"].errors[1]
    assert set(errors) == {"responsible", "due_date"}
    assert not Visit.objects.exists()


def test_a_facilitator_whose_assignment_began_after_the_date_is_told_so(
    facilitator_client, facilitator, ksm
):
    assignment = facilitator.assignments.get()
    assignment.start_date = TODAY() - datetime.timedelta(days=3)
    assignment.save()
    url = reverse("training:visit_create", args=[ksm.pk])
    last_month = (TODAY() - datetime.timedelta(days=30)).isoformat()

    response = post_form(facilitator_client, url, visit_post(visit_date=last_month))

    (message,) = field_errors(response, "visit_date")
    assert ksm.name in message
    assert not Visit.objects.exists()


def test_marking_an_action_done_from_the_agenda_returns_to_the_agenda(
    facilitator_client, facilitator, ksm
):
    visit = VisitFactory(group=ksm, facilitator=facilitator, visit_date=TODAY())
    action = FollowUpActionFactory(visit=visit, due_date=TODAY(), description="Isi buku kas")
    agenda_url = reverse("training:agenda")
    assert "Isi buku kas" in element(facilitator_client.get(agenda_url), "agenda-actions").text

    response = facilitator_client.post(
        reverse("training:followup_close", args=[action.pk]),
        {"status": "done", "next": agenda_url},
    )

    assert response.status_code == 302 and response["Location"] == agenda_url
    action.refresh_from_db()
    assert (action.status, action.closed_date) == ("done", TODAY())
    assert "Isi buku kas" not in element(facilitator_client.get(agenda_url), "agenda-actions").text


def test_a_next_address_off_the_site_is_not_followed(facilitator_client, facilitator, ksm):
    action = FollowUpActionFactory(visit=VisitFactory(group=ksm, facilitator=facilitator))
    response = facilitator_client.post(
        reverse("training:followup_close", args=[action.pk]),
        {"status": "dropped", "next": "https://example.com/"},
    )
    assert response["Location"] == action.visit.get_absolute_url()


@pytest.mark.parametrize("target", ["0", "agenda", "/a\r\nSet-Cookie: x=1", "/a\x00b"])
def test_a_next_address_that_is_no_path_returns_to_the_visit(
    facilitator_client, facilitator, ksm, target
):
    """A bare word was taken for a view name and a line break went into the header: a 500."""
    action = FollowUpActionFactory(visit=VisitFactory(group=ksm, facilitator=facilitator))
    response = facilitator_client.post(
        reverse("training:followup_close", args=[action.pk]),
        {"status": "done", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == action.visit.get_absolute_url()
    action.refresh_from_db()
    assert action.status == "done"


def test_a_follow_up_is_added_to_a_recorded_visit_and_a_bad_one_is_refused(
    facilitator_client, facilitator, ksm
):
    visit = VisitFactory(group=ksm, facilitator=facilitator, visit_date=TODAY())
    url = reverse("training:followup_add", args=[visit.pk])
    page = facilitator_client.get(visit.get_absolute_url())
    assert [form.attrs["action"] for form in element(page, "add-action").find_all("form")] == [url]

    early = (TODAY() - datetime.timedelta(days=1)).isoformat()
    refused = post_form(
        facilitator_client,
        url,
        {"add-description": "Rapat", "add-responsible": "Ketua", "add-due_date": early},
        page=visit.get_absolute_url(),
        form="add_form",
    )
    assert refused.status_code == 400
    assert field_errors(refused, "due_date", form_key="add_form") == [
        translated("The due date cannot be before the visit.")
    ]
    half = post_form(
        facilitator_client,
        url,
        {"add-description": "Rapat"},
        page=visit.get_absolute_url(),
        form="add_form",
    )
    assert half.status_code == 400
    assert set(half.context["add_form"].errors) == {"responsible", "due_date"}
    assert not FollowUpAction.objects.exists()

    due = (TODAY() + datetime.timedelta(days=10)).isoformat()
    added = post_form(
        facilitator_client,
        url,
        {"add-description": "Bahas AD/ART", "add-responsible": "Ketua", "add-due_date": due},
        page=visit.get_absolute_url(),
        form="add_form",
    )

    assert added.status_code == 302 and added["Location"] == visit.get_absolute_url()
    action = FollowUpAction.objects.get()
    assert (action.visit, action.group, action.status, action.due_date.isoformat()) == (
        visit,
        ksm,
        "open",
        due,
    )
    assert (
        "Bahas AD/ART"
        in element(facilitator_client.get(visit.get_absolute_url()), "visit-actions").text
    )


def test_only_who_records_for_the_group_may_add_a_follow_up(
    treasurer, facilitator_client, ksm, elsewhere
):
    visit = VisitFactory(group=ksm)
    data = {"add-description": "x", "add-responsible": "y", "add-due_date": TODAY().isoformat()}
    officer = logged_in(treasurer)

    assert officer.get(visit.get_absolute_url()).context["add_form"] is None
    assert officer.post(reverse("training:followup_add", args=[visit.pk]), data).status_code == 403
    outside = reverse("training:followup_add", args=[elsewhere["visit"].pk])
    assert facilitator_client.post(outside, data).status_code == 404
    assert not FollowUpAction.objects.exclude(pk=elsewhere["action"].pk).exists()


def test_staff_read_a_groups_visits_but_are_not_offered_to_record_one(staff_client, ksm):
    VisitFactory(group=ksm)
    visit_url = reverse("training:visit_create", args=[ksm.pk])

    group_page = staff_client.get(ksm.get_absolute_url())
    visits_page = staff_client.get(reverse("training:group_visits", args=[ksm.pk]))

    assert visit_url not in element(group_page, "mentoring-panel").hrefs()
    assert visit_url not in visits_page.content.decode()
    assert staff_client.get(visit_url).status_code == 403
    assert staff_client.post(visit_url, visit_post()).status_code == 403
    assert Visit.objects.count() == 1


# --- The group page's panel -------------------------------------------------------------------


def test_the_group_page_shows_visits_open_actions_and_the_current_level(
    facilitator_client, facilitator, ksm
):
    for day in (1, 2, 3, 4):
        visit = VisitFactory(
            group=ksm,
            facilitator=facilitator,
            visit_date=datetime.date(2017, 5, day),
            findings=f"Kunjungan ke-{day}",
        )
    FollowUpActionFactory(visit=visit, description="Rapat pengurus")
    FollowUpActionFactory(
        visit=visit,
        description="Sudah selesai",
        status="done",
        closed_date=datetime.date(2017, 5, 6),
    )
    ConfirmedAssessmentFactory(group=ksm, level=level("Berkembang"), score=Decimal("61.50"))

    page = facilitator_client.get(ksm.get_absolute_url())

    visits = element(page, "panel-visits").find_all("li")
    assert [li.text.split(" · ")[-1] for li in visits] == [
        "Kunjungan ke-4",
        "Kunjungan ke-3",
        "Kunjungan ke-2",
    ]
    assert "Rapat pengurus" in element(page, "panel-actions").text
    assert "Sudah selesai" not in element(page, "panel-actions").text
    assert "Berkembang" in element(page, "group-level").text
    assert (
        reverse("training:visit_create", args=[ksm.pk]) in element(page, "mentoring-panel").hrefs()
    )


def test_the_group_page_panel_does_the_same_queries_for_many_visits(
    facilitator_client, facilitator, ksm, django_assert_max_num_queries
):
    VisitFactory(group=ksm, facilitator=facilitator)
    with django_assert_max_num_queries(40) as few:
        facilitator_client.get(ksm.get_absolute_url())
    for day in range(1, 29):
        visit = VisitFactory(
            group=ksm, facilitator=facilitator, visit_date=datetime.date(2017, 2, day)
        )
        FollowUpActionFactory(visit=visit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        facilitator_client.get(ksm.get_absolute_url())


# --- Trainings, attendance and materials ------------------------------------------------------


def test_a_training_ending_before_it_starts_is_refused_on_the_form(facilitator_client, village):
    response = post_form(
        facilitator_client,
        reverse("training:event_create"),
        {
            "title": "Pelatihan pembukuan",
            "topics": [],
            "start_date": "2017-03-14",
            "end_date": "2017-03-13",
            "village": str(village.pk),
            "trainer": "Tim",
        },
    )
    assert response.status_code == 200
    assert field_errors(response, "end_date") == [
        translated("A training cannot end before it starts.")
    ]
    assert field_errors(response, "topics")
    assert not TrainingEvent.objects.exists()


def test_a_facilitator_plans_a_training_and_invites_only_ksm_they_look_after(
    facilitator_client, village, ksm, district
):
    from training.models import Topic

    neighbour = SelfHelpGroupFactory(
        village=VillageFactory(district=district, code="33.25.01.2009")
    )
    response = post_form(
        facilitator_client,
        reverse("training:event_create"),
        {
            "title": "Pelatihan pembukuan",
            "topics": [str(Topic.objects.get(code="admin-keuangan").pk)],
            "start_date": "2017-03-14",
            "end_date": "2017-03-14",
            "village": str(village.pk),
            "venue": "Balai desa",
            "trainer": "Tim Bina Swadaya",
        },
    )
    event = TrainingEvent.objects.get()
    assert response["Location"] == reverse("training:event_invite", args=[event.pk])

    invite = facilitator_client.get(response["Location"])
    offered = [choice.data["value"].value for choice in invite.context["form"]["groups"]]
    assert offered == [ksm.pk]  # not the neighbouring village's KSM, which is not ours

    facilitator_client.post(response["Location"], {"groups": [str(ksm.pk)]})
    refused = facilitator_client.post(response["Location"], {"groups": [str(neighbour.pk)]})
    assert list(event.invited_groups.all()) == [ksm]
    assert refused.status_code == 200


def _training_post(village, **overrides) -> dict:
    from training.models import Topic

    data = {
        "title": "Pelatihan pembukuan",
        "topics": [str(Topic.objects.get(code="admin-keuangan").pk)],
        "start_date": "2017-03-14",
        "end_date": "2017-03-14",
        "village": str(village.pk),
        "venue": "Balai desa",
        "trainer": "Tim Bina Swadaya",
    }
    data.update(overrides)
    return data


def test_staff_choose_the_organising_facilitator_on_the_training_form(
    staff_client, staff_user, facilitator, village
):
    form = staff_client.get(reverse("training:event_create"), follow=True).context["form"]
    offered = [choice.data["value"].value for choice in form["organiser"] if choice.data["value"]]
    assert offered == [facilitator.pk]

    response = post_form(
        staff_client,
        reverse("training:event_create"),
        _training_post(village, organiser=str(facilitator.pk)),
    )

    event = TrainingEvent.objects.get()
    assert response.status_code == 302
    assert (event.organiser, event.created_by) == (facilitator, staff_user)
    page = staff_client.get(event.get_absolute_url())
    assert facilitator.get_full_name() in page.content.decode()


def test_staff_are_told_when_the_chosen_organiser_does_not_work_in_the_village(
    staff_client, facilitator, other_village
):
    response = post_form(
        staff_client,
        reverse("training:event_create"),
        _training_post(other_village, organiser=str(facilitator.pk)),
    )

    assert response.status_code == 200
    assert field_errors(response, "organiser") == [
        translated("%(name)s is not a facilitator of %(village)s.")
        % {"name": facilitator.get_full_name(), "village": other_village.name}
    ]
    assert not TrainingEvent.objects.exists()


def test_staff_leaving_the_organiser_empty_organise_it_themselves(
    staff_client, staff_user, village
):
    post_form(staff_client, reverse("training:event_create"), _training_post(village, organiser=""))
    assert TrainingEvent.objects.get().organiser == staff_user


def test_a_facilitator_is_not_offered_an_organiser_and_organises_it_themselves(
    facilitator_client, facilitator, village
):
    colleague = FacilitatorAssignmentFactory(village=village).user
    form = facilitator_client.get(reverse("training:event_create"), follow=True).context["form"]
    assert "organiser" not in form.fields

    post_form(
        facilitator_client,
        reverse("training:event_create"),
        _training_post(village, organiser=str(colleague.pk)),
    )
    assert TrainingEvent.objects.get().organiser == facilitator


def test_staff_hand_a_training_to_another_facilitator_on_the_edit_form(
    staff_client, facilitator, village
):
    colleague = FacilitatorAssignmentFactory(village=village).user
    event = TrainingEventFactory(village=village, organiser=facilitator)
    url = reverse("training:event_update", args=[event.pk])
    assert staff_client.get(url).context["form"]["organiser"].value() == facilitator.pk

    response = staff_client.post(url, _training_post(village, organiser=str(colleague.pk)))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.organiser == colleague


def test_attendance_is_ticked_per_member_with_scores(facilitator_client, facilitator, ksm):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator, invited=[ksm])
    treasurer = MembershipFactory(group=ksm, treasurer=True)
    absent = MembershipFactory(group=ksm)
    url = reverse("training:event_attendance", args=[event.pk, ksm.pk])

    response = facilitator_client.post(
        url,
        {
            f"attended_{treasurer.member_id}": "on",
            f"pre_{treasurer.member_id}": "45",
            f"post_{treasurer.member_id}": "80",
            f"pre_{absent.member_id}": "",
        },
    )

    assert response.status_code == 302
    assert list(Attendance.objects.values_list("member_id", "role", "pre_score", "post_score")) == [
        (treasurer.member_id, "treasurer", 45, 80)
    ]
    detail = facilitator_client.get(event.get_absolute_url())
    assert translated("Treasurer") in element(detail, "attendance-by-role").text


def test_a_score_above_100_or_for_someone_absent_is_refused_and_nothing_saved(
    facilitator_client, facilitator, ksm
):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator, invited=[ksm])
    present = MembershipFactory(group=ksm)
    absent = MembershipFactory(group=ksm)
    url = reverse("training:event_attendance", args=[event.pk, ksm.pk])

    response = facilitator_client.post(
        url,
        {
            f"attended_{present.member_id}": "on",
            f"post_{present.member_id}": "120",
            f"pre_{absent.member_id}": "50",
        },
    )

    assert response.status_code == 200
    assert field_errors(response, f"post_{present.member_id}")
    assert field_errors(response, f"pre_{absent.member_id}")
    assert not Attendance.objects.exists()


def test_an_uninvited_groups_attendance_page_is_not_found(facilitator_client, facilitator, ksm):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator)
    url = reverse("training:event_attendance", args=[event.pk, ksm.pk])
    assert facilitator_client.get(url).status_code == 404


def test_a_material_is_uploaded_and_downloaded_by_who_may_see_the_training(
    facilitator_client, facilitator, ksm, treasurer, other_village
):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator, invited=[ksm])
    content = b"%PDF-1.4\nModul pembukuan KSM\n"

    response = post_form(
        facilitator_client,
        reverse("training:material_add", args=[event.pk]),
        {"title": "Modul pembukuan", "file": SimpleUploadedFile("Modul Pembukuan.pdf", content)},
        page=event.get_absolute_url(),
        form="material_form",
    )

    assert response.status_code == 302
    material = Material.objects.get()
    page = facilitator_client.get(event.get_absolute_url())
    assert material.get_absolute_url() in element(page, "materials").hrefs()
    download = logged_in(treasurer).get(material.get_absolute_url())  # their KSM was invited
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="Modul Pembukuan.pdf"' in download["Content-Disposition"]


def test_an_upload_that_is_not_a_document_is_refused_with_a_message(
    facilitator_client, facilitator, ksm
):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator)

    response = post_form(
        facilitator_client,
        reverse("training:material_add", args=[event.pk]),
        {"title": "", "file": SimpleUploadedFile("lagu.mp3", b"ID3\x03\x00")},
        page=event.get_absolute_url(),
        form="material_form",
        follow=True,
    )

    alerts = [el.text for el in parse(response).find_all("div") if el.attrs.get("role") == "alert"]
    kinds = translated(
        "PDF, Word (doc, docx), Excel (xls, xlsx), PowerPoint (ppt, pptx), JPG or PNG"
    )
    expected = translated("This kind of file cannot be uploaded. Allowed: %(kinds)s.")
    assert alerts == [expected % {"kinds": kinds}]
    assert not Material.objects.exists()


def test_an_officer_may_not_upload(treasurer, ksm):
    event = TrainingEventFactory(village=ksm.village, invited=[ksm])
    response = logged_in(treasurer).post(
        reverse("training:material_add", args=[event.pk]),
        {"file": SimpleUploadedFile("m.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 403
    assert not Material.objects.exists()


# --- Grading ----------------------------------------------------------------------------------


def test_an_assessment_is_started_scored_and_confirmed_on_its_page(facilitator_client, ksm, health):
    health.figures = FakeHealth(
        attendance_rate=Decimal("90"),
        savings_regularity=Decimal("90"),
        savings_growth=Decimal("30"),
        repayment_rate=Decimal("98"),
        par30=Decimal("1"),
        books_current=True,
    )
    start = facilitator_client.post(
        reverse("training:assessment_start", args=[ksm.pk]),
        {"assessment_date": TODAY().isoformat()},
    )
    draft = Assessment.objects.get()
    assert start["Location"] == draft.get_absolute_url()
    manual = list(draft.answers.filter(is_auto=False))
    assert len(manual) == 8  # officers_trained is answered: no officers, so not trained

    bad = {f"answer_{a.pk}": "3" for a in manual} | {f"answer_{manual[0].pk}": "7"}
    refused = facilitator_client.post(draft.get_absolute_url(), {**bad, "confirm": "1"})
    assert refused.status_code == 200
    assert field_errors(refused, f"answer_{manual[0].pk}")
    draft.refresh_from_db()
    assert draft.status == "draft"

    good = {f"answer_{a.pk}": "3" for a in manual}
    confirmed = facilitator_client.post(draft.get_absolute_url(), {**good, "confirm": "1"})
    assert confirmed.status_code == 302
    draft.refresh_from_db()
    # Everything full but "officers trained" (0 of 3): organisation 9/12, the rest full.
    assert (draft.status, draft.score, draft.level.name) == (
        "confirmed",
        Decimal("95.00"),
        "Mandiri",
    )
    history = facilitator_client.get(reverse("training:group_assessments", args=[ksm.pk]))
    assert element(history, "level-history").rows()[1][1] == "Mandiri"


def test_the_assessment_page_fits_a_phone_and_says_the_score_in_indonesian(facilitator_client, ksm):
    facilitator_client.post(
        reverse("training:assessment_start", args=[ksm.pk]),
        {"assessment_date": TODAY().isoformat()},
    )
    draft = Assessment.objects.get()
    page = parse(facilitator_client.get(draft.get_absolute_url()))
    (notes,) = [el for el in page.iter() if el.attrs.get("id") == "id_notes"]
    assert "form-control" in notes.attrs["class"].split()  # not 40 columns wide
    radios = [el for el in page.iter() if el.tag == "input" and el.attrs.get("type") == "radio"]
    assert radios and all("btn-check" in el.attrs.get("class", "") for el in radios)

    answers = {f"answer_{a.pk}": "1" for a in draft.answers.filter(is_auto=False)}
    response = facilitator_client.post(
        draft.get_absolute_url(), {**answers, "confirm": "1"}, follow=True
    )

    draft.refresh_from_db()
    (message,) = [str(m) for m in response.context["messages"]]
    assert str(draft.score).replace(".", ",") in message
    assert str(draft.score) not in message


def test_confirming_with_open_criteria_says_which(facilitator_client, ksm):
    facilitator_client.post(
        reverse("training:assessment_start", args=[ksm.pk]),
        {"assessment_date": TODAY().isoformat()},
    )
    draft = Assessment.objects.get()
    response = facilitator_client.post(draft.get_absolute_url(), {"confirm": "1"})
    assert response.status_code == 200
    (message,) = non_field_errors(response)
    open_criteria = "; ".join(a.criterion.text for a in draft.answers.filter(is_auto=False))
    assert message == translated(
        "Score every criterion before confirming. Still open: %(list)s."
    ) % {"list": open_criteria}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_officer_sees_the_level_history_but_cannot_start_an_assessment(treasurer, ksm):
    client = logged_in(treasurer)
    assert client.get(reverse("training:group_assessments", args=[ksm.pk])).status_code == 200
    response = client.post(
        reverse("training:assessment_start", args=[ksm.pk]),
        {"assessment_date": TODAY().isoformat()},
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


# --- Reports and the agenda -------------------------------------------------------------------


def test_coverage_and_grading_pages_answer_staff_and_facilitators_but_not_officers(
    staff_client, facilitator_client, treasurer, ksm, regency
):
    for name in ("training:coverage", "training:grading"):
        assert staff_client.get(reverse(name)).status_code == 200
        assert facilitator_client.get(reverse(name)).status_code == 200
        assert logged_in(treasurer).get(reverse(name)).status_code == 403
    coverage = staff_client.get(reverse("training:coverage"), {"area": regency.code})
    assert element(coverage, "coverage-total").rows()[0] == [
        regency.name,
        "1",
        "0 (0%)",
        "0 (0%)",
        "0 (0%)",
    ]
    assert staff_client.get(reverse("training:coverage"), {"area": "12.34"}).status_code == 404


def test_a_facilitator_sees_no_ksm_of_other_villages_in_the_coverage(
    facilitator_client, ksm, elsewhere
):
    regency = elsewhere["group"].village.district.regency
    response = facilitator_client.get(reverse("training:coverage"), {"area": regency.code})
    assert element(response, "coverage-total").rows()[0][1] == "0"
    assert "KSM Desa Seberang" not in response.content.decode()


def test_the_agenda_does_the_same_queries_for_a_busy_facilitator(
    facilitator_client, facilitator, village, django_assert_max_num_queries
):
    def busy(count: int) -> None:
        for number in range(count):
            group = SelfHelpGroupFactory(village=village)
            visit = VisitFactory(
                group=group, facilitator=facilitator, visit_date=datetime.date(2017, 1, 1)
            )
            FollowUpActionFactory(visit=visit, due_date=datetime.date(2017, 1, 15))
            TrainingEventFactory(
                village=village, start_date=TODAY() + datetime.timedelta(days=number)
            )

    busy(25)  # every list is full: each shows its first lines and counts the rest
    with django_assert_max_num_queries(20) as full:
        facilitator_client.get(reverse("training:agenda"))
    busy(25)
    with django_assert_max_num_queries(len(full.captured_queries)):
        response = facilitator_client.get(reverse("training:agenda"))
    assert response.context["agenda"].actions.total == 50
    assert element(response, "agenda-actions").text.count(translated("Mark done")) == 20


def test_a_recent_meeting_keeps_the_books_current_on_the_agenda(facilitator_client, ksm):
    from finance.services import book_open

    Meeting = apps.get_model("finance", "Meeting")
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    stale = facilitator_client.get(reverse("training:agenda"))
    assert ksm.name in element(stale, "agenda-stale-books").text

    Meeting.objects.create(
        group=ksm,
        book=book,
        meeting_date=TODAY() - datetime.timedelta(days=10),
        token="rapat-1",
        members_count=12,
        present_count=10,
    )
    current = facilitator_client.get(reverse("training:agenda"))
    assert ksm.name not in element(current, "agenda-stale-books").text


def test_the_stale_books_line_shows_the_meeting_when_it_came_after_the_last_entry(
    facilitator_client, ksm
):
    from django.utils.formats import date_format
    from django.utils.translation import override

    from finance.services import book_open, cash_receive

    Meeting = apps.get_model("finance", "Meeting")
    book = book_open(owner=ksm, opening_date=TODAY() - datetime.timedelta(days=200))
    entry_date = TODAY() - datetime.timedelta(days=90)
    meeting_date = TODAY() - datetime.timedelta(days=40)
    cash_receive(
        book=book,
        source="income_business",
        amount="50000",
        entry_date=entry_date,
        description="Penjualan keripik",
    )
    Meeting.objects.create(
        group=ksm,
        book=book,
        meeting_date=meeting_date,
        token="rapat-1",
        members_count=12,
        present_count=10,
    )

    text = element(facilitator_client.get(reverse("training:agenda")), "agenda-stale-books").text

    with override("id"):
        shown, hidden = date_format(meeting_date), date_format(entry_date)
    assert ksm.name in text
    assert translated("last meeting %(date)s") % {"date": shown} in text
    assert hidden not in text


def test_staff_without_villages_are_told_their_agenda_is_empty(staff_client):
    response = staff_client.get(reverse("training:agenda"))
    assert response.status_code == 200
    assert response.context["agenda"].is_empty


def test_the_nav_offers_training_to_everyone_and_the_agenda_to_facilitators(
    facilitator_client, treasurer
):
    facilitator_nav = element(facilitator_client.get("/"), "main-nav").hrefs()
    officer_nav = element(logged_in(treasurer).get("/"), "main-nav").hrefs()
    assert reverse("training:agenda") in facilitator_nav
    assert reverse("training:event_list") in facilitator_nav
    assert reverse("training:agenda") not in officer_nav


def test_the_coverage_page_does_the_same_queries_for_more_ksm(
    staff_client, village, district, django_assert_max_num_queries
):
    def ksm_with_officers(in_village):
        group = SelfHelpGroupFactory(village=in_village)
        MembershipFactory(group=group, chair=True)
        AttendanceFactory(
            event=TrainingEventFactory(village=in_village, invited=[group]),
            membership=MembershipFactory(group=group, treasurer=True),
        )

    for _ in range(30):
        ksm_with_officers(village)
    url = reverse("training:coverage")
    with django_assert_max_num_queries(25) as few:
        staff_client.get(url, {"area": district.code})
    second = VillageFactory(district=district, code=f"{district.code}.2999")
    for _ in range(30):
        ksm_with_officers(second)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url, {"area": district.code})
    assert element(response, "coverage-total").rows()[0][1] == "60"
    assert len(response.context["needs"]) == 25  # a page of those still needing training
