"""The training services: what they record, and the bad input they refuse with a clear
message while writing nothing."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from groups.models import Membership
from groups.services import membership_change_role
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.training.conftest import FakeHealth
from tests.training.factories import (
    CORE_BOOKKEEPING,
    CORE_ORGANISING,
    AttendanceFactory,
    FollowUpActionFactory,
    TrainingEventFactory,
    VisitFactory,
    level,
    topic,
)
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import translated as t
from training import services
from training.models import (
    Answer,
    Assessment,
    Attendance,
    FollowUpAction,
    Level,
    Material,
    TrainingEvent,
    Visit,
)
from training.services import AttendanceRow
from training.services.grading import assessment_score
from training.uploads import MAX_BYTES

pytestmark = pytest.mark.django_db

PILOT_DAY = datetime.date(2017, 3, 14)


def messages_of(error: pytest.ExceptionInfo) -> list[str]:
    return [str(message) for message in error.value.messages]


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


# --- Trainings --------------------------------------------------------------------------------


def test_a_facilitator_plans_a_training_in_their_village_with_its_topics(facilitator, village):
    event = services.training_create(
        actor=facilitator,
        topics=[topic(CORE_BOOKKEEPING)],
        title="Pelatihan pembukuan bendahara",
        start_date=_tomorrow(),
        end_date=_tomorrow() + datetime.timedelta(days=1),
        village=village,
        trainer="Tim Bina Swadaya",
    )

    assert event.organiser == facilitator
    assert event.created_by == facilitator
    assert [t.code for t in event.topics.all()] == [CORE_BOOKKEEPING]


def test_a_training_that_ends_before_it_starts_is_refused(facilitator, village):
    with pytest.raises(ValidationError) as error:
        services.training_create(
            actor=facilitator,
            topics=[topic(CORE_BOOKKEEPING)],
            title="Pelatihan",
            start_date=PILOT_DAY,
            end_date=PILOT_DAY - datetime.timedelta(days=1),
            village=village,
            trainer="Tim",
        )
    assert t("A training cannot end before it starts.") in messages_of(error)
    assert not TrainingEvent.objects.exists()


def test_a_training_in_a_village_the_organiser_does_not_look_after_is_refused(
    facilitator, other_village
):
    with pytest.raises(ValidationError) as error:
        services.training_create(
            actor=facilitator,
            topics=[topic(CORE_BOOKKEEPING)],
            title="Pelatihan",
            start_date=PILOT_DAY,
            end_date=PILOT_DAY,
            village=other_village,
            trainer="Tim",
        )
    assert error.value.message_dict["village"] == [
        t("%(name)s is not a facilitator of %(village)s.")
        % {"name": facilitator.get_full_name(), "village": other_village.name}
    ]
    assert not TrainingEvent.objects.exists()


def _training(**overrides) -> dict:
    fields = {
        "topics": [topic(CORE_BOOKKEEPING)],
        "title": "Pelatihan pembukuan bendahara",
        "start_date": PILOT_DAY,
        "end_date": PILOT_DAY,
        "trainer": "Tim Bina Swadaya",
    }
    fields.update(overrides)
    return fields


def test_staff_plan_a_training_for_a_facilitator_of_the_village(staff_user, facilitator, village):
    event = services.training_create(
        actor=staff_user, organiser=facilitator, **_training(village=village)
    )

    assert (event.organiser, event.created_by) == (facilitator, staff_user)


def test_staff_cannot_make_someone_from_another_village_the_organiser(
    staff_user, facilitator, other_village
):
    with pytest.raises(ValidationError) as error:
        services.training_create(
            actor=staff_user, organiser=facilitator, **_training(village=other_village)
        )
    assert error.value.message_dict["organiser"] == [
        t("%(name)s is not a facilitator of %(village)s.")
        % {"name": facilitator.get_full_name(), "village": other_village.name}
    ]
    assert not TrainingEvent.objects.exists()


def test_a_facilitator_stays_the_organiser_of_their_own_trainings(facilitator, village):
    colleague = FacilitatorAssignmentFactory(village=village).user
    with pytest.raises(ValidationError) as error:
        services.training_create(
            actor=facilitator, organiser=colleague, **_training(village=village)
        )
    assert error.value.message_dict["organiser"] == [
        t("A facilitator organises their own trainings; staff may choose another.")
    ]
    event = TrainingEventFactory(village=village, organiser=facilitator)
    with pytest.raises(ValidationError):
        services.training_update(actor=facilitator, event=event, organiser=colleague)
    event.refresh_from_db()
    assert event.organiser == facilitator
    assert TrainingEvent.objects.count() == 1


def test_staff_hand_a_training_to_another_facilitator_of_the_village(
    staff_user, facilitator, village
):
    colleague = FacilitatorAssignmentFactory(village=village).user
    event = TrainingEventFactory(village=village, organiser=facilitator)

    services.training_update(actor=staff_user, event=event, organiser=colleague)

    event.refresh_from_db()
    assert event.organiser == colleague


def test_a_training_needs_at_least_one_topic_and_is_not_saved_without(facilitator, village):
    with pytest.raises(ValidationError) as error:
        services.training_create(
            actor=facilitator,
            topics=[],
            title="Pelatihan",
            start_date=PILOT_DAY,
            end_date=PILOT_DAY,
            village=village,
            trainer="Tim",
        )
    assert error.value.message_dict["topics"] == [t("Choose at least one topic.")]
    assert not TrainingEvent.objects.exists()


# --- Attendance -------------------------------------------------------------------------------


@pytest.fixture
def training(ksm, facilitator):
    return TrainingEventFactory(
        village=ksm.village, organiser=facilitator, start_date=PILOT_DAY, invited=[ksm]
    )


def test_attendance_records_the_role_the_member_held_at_the_time(training, ksm, facilitator):
    treasurer = MembershipFactory(group=ksm, treasurer=True)

    attendance = services.attendance_record(
        actor=facilitator,
        event=training,
        group=ksm,
        member=treasurer.member,
        pre_score=40,
        post_score=85,
    )
    membership_change_role(actor=facilitator, membership=treasurer, role=Membership.Role.MEMBER)

    attendance.refresh_from_db()
    assert (attendance.role, attendance.pre_score, attendance.post_score) == ("treasurer", 40, 85)


def test_an_attendee_who_is_not_a_member_of_an_invited_group_is_refused(training, ksm, facilitator):
    stranger = MembershipFactory()  # a member of some other KSM

    with pytest.raises(ValidationError) as error:
        services.attendance_record(
            actor=facilitator, event=training, group=ksm, member=stranger.member
        )

    assert messages_of(error) == [
        t("%(name)s is not a member of %(group)s, an invited KSM.")
        % {"name": stranger.member.full_name, "group": ksm.name}
    ]
    assert not Attendance.objects.exists()


def test_a_member_who_left_before_the_training_is_not_a_member_then(training, ksm, facilitator):
    gone = MembershipFactory(
        group=ksm, joined_date=datetime.date(2016, 6, 1), left_date=datetime.date(2017, 1, 31)
    )
    with pytest.raises(ValidationError):
        services.attendance_record(actor=facilitator, event=training, group=ksm, member=gone.member)
    assert not Attendance.objects.exists()


def test_members_of_a_group_that_was_not_invited_are_refused(training, facilitator, village):
    uninvited = MembershipFactory(group=SelfHelpGroupFactory(village=village))
    with pytest.raises(ValidationError) as error:
        services.attendance_record(
            actor=facilitator, event=training, group=uninvited.group, member=uninvited.member
        )
    assert messages_of(error) == [
        t("%(group)s is not invited to this training.") % {"group": uninvited.group.name}
    ]


def test_attendance_cannot_be_recorded_before_the_training_starts(ksm, facilitator):
    planned = TrainingEventFactory(village=ksm.village, start_date=_tomorrow(), invited=[ksm])
    member = MembershipFactory(group=ksm).member
    with pytest.raises(ValidationError) as error:
        services.attendance_record(actor=facilitator, event=planned, group=ksm, member=member)
    assert messages_of(error) == [t("Attendance can be recorded once the training has started.")]


@pytest.mark.parametrize("score", [-1, 101])
def test_a_test_score_outside_0_to_100_is_refused(training, ksm, facilitator, score):
    member = MembershipFactory(group=ksm).member
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=facilitator, event=training, group=ksm, member=member, post_score=score
        )
    assert not Attendance.objects.exists()


def test_a_groups_attendance_list_is_saved_whole_or_not_at_all(training, ksm, facilitator):
    present = MembershipFactory(group=ksm, chair=True)
    absent = MembershipFactory(group=ksm)
    stranger = MembershipFactory()
    AttendanceFactory(event=training, membership=absent)  # recorded earlier by mistake

    with pytest.raises(ValidationError) as error:
        services.attendance_set_for_group(
            actor=facilitator,
            event=training,
            group=ksm,
            rows=[AttendanceRow(present.member_id, 50, 70), AttendanceRow(stranger.member_id)],
        )
    assert len(error.value.messages) == 1
    assert list(Attendance.objects.values_list("member_id", flat=True)) == [absent.member_id]

    services.attendance_set_for_group(
        actor=facilitator,
        event=training,
        group=ksm,
        rows=[AttendanceRow(present.member_id, 50, 70)],
    )
    assert list(Attendance.objects.values_list("member_id", "role", "pre_score", "post_score")) == [
        (present.member_id, "chair", 50, 70)
    ]


# --- Materials --------------------------------------------------------------------------------


def office_file(name: str, folder: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (SimpleUploadedFile("materi.pdf", b"%PDF-1.4\n%...\n"), "application/pdf"),
        (
            office_file("Modul Pembukuan.docx", "word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            office_file("latihan.xlsx", "xl/"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (SimpleUploadedFile("papan.PNG", PNG), "image/png"),
        (SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32), "image/jpeg"),
    ],
)
def test_documents_and_images_are_kept_with_their_type(
    training, facilitator, media_in_tmp, upload, content_type
):
    material = services.material_add(
        actor=facilitator, event=training, title="Modul", upload=upload
    )

    assert material.content_type == content_type
    assert material.original_name == upload.name
    stored = media_in_tmp / material.file.name
    assert stored.read_bytes() == upload.file.getvalue()
    assert not material.file.name.endswith(upload.name)  # stored under a name of our own


KINDS = "PDF, Word (doc, docx), Excel (xls, xlsx), PowerPoint (ppt, pptx), JPG or PNG"


def refusal(kind: str, **values) -> str:
    kinds = t(KINDS)
    if kind == "type":
        return t("This kind of file cannot be uploaded. Allowed: %(kinds)s.") % {"kinds": kinds}
    if kind == "content":
        return t(
            "The file's content is not a %(extension)s file. Only %(kinds)s files can be uploaded."
        ) % {"kinds": kinds, **values}
    if kind == "size":
        return t("The file is too large (%(size)s); the limit is %(limit)s.") % {
            "size": values["size"],
            "limit": filesizeformat(MAX_BYTES),
        }
    return t("The file is empty.")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), ("type", {})),
        (
            SimpleUploadedFile("materi.pdf", b"MZ\x90\x00 a program renamed to .pdf"),
            ("content", {"extension": "PDF"}),
        ),
        (
            SimpleUploadedFile("modul.docx", b"PK\x03\x04 not really a zip"),
            ("content", {"extension": "DOCX"}),
        ),
        (
            SimpleUploadedFile("video.pdf", b"%PDF-" + b"\x00" * MAX_BYTES),
            ("size", {"size": "5,1 MB"}),  # 5 bytes over reads as over, not as the limit
        ),
        (SimpleUploadedFile("kosong.pdf", b""), ("empty", {})),
    ],
)
def test_other_files_too_large_or_disguised_ones_are_refused_and_nothing_is_kept(
    training, facilitator, media_in_tmp, upload, message
):
    with pytest.raises(ValidationError) as error:
        services.material_add(actor=facilitator, event=training, title="x", upload=upload)

    kind, values = message
    assert error.value.message_dict["file"] == [refusal(kind, **values)]
    assert not Material.objects.exists()
    assert not media_in_tmp.exists() or not any(media_in_tmp.rglob("*.*"))


# --- Visits and follow-ups --------------------------------------------------------------------


def visit_fields(ksm, facilitator, **overrides):
    fields = {
        "actor": facilitator,
        "group": ksm,
        "facilitator": facilitator,
        "visit_date": datetime.date(2017, 5, 10),
        "findings": "Buku kas belum diisi sejak April.",
        "actions": [
            {
                "description": "Isi buku kas April dan Mei",
                "responsible": "Bendahara",
                "due_date": datetime.date(2017, 5, 24),
            }
        ],
    }
    fields.update(overrides)
    return fields


def test_a_visit_is_recorded_with_who_attended_and_its_follow_up(ksm, facilitator):
    chair = MembershipFactory(group=ksm, chair=True).member

    visit = services.visit_record(
        **visit_fields(ksm, facilitator, attendees=[chair], topics=[topic(CORE_ORGANISING)])
    )

    assert list(visit.attendees.all()) == [chair]
    assert [t.code for t in visit.topics.all()] == [CORE_ORGANISING]
    (action,) = visit.actions.all()
    assert (action.group, action.status, action.due_date) == (
        ksm,
        "open",
        datetime.date(2017, 5, 24),
    )


def test_a_visit_dated_in_the_future_is_refused(ksm, facilitator):
    with pytest.raises(ValidationError) as error:
        services.visit_record(**visit_fields(ksm, facilitator, visit_date=_tomorrow()))
    assert error.value.message_dict["visit_date"] == [t("This date is in the future.")]
    assert not Visit.objects.exists()


def test_a_visit_by_a_facilitator_not_assigned_to_the_village_is_refused(ksm, other_village):
    outsider = FacilitatorAssignmentFactory(village=other_village).user
    with pytest.raises(ValidationError) as error:
        services.visit_record(**visit_fields(ksm, outsider))
    assert error.value.message_dict["visit_date"] == [
        t(
            "%(name)s was not assigned to the village of %(group)s on %(date)s, so "
            "cannot have made this visit."
        )
        % {"name": outsider.get_full_name(), "group": ksm.name, "date": "10-05-2017"}
    ]
    assert not Visit.objects.exists() and not FollowUpAction.objects.exists()


def test_a_visit_before_the_facilitators_assignment_began_is_refused(ksm):
    late = FacilitatorAssignmentFactory(
        village=ksm.village, start_date=datetime.date(2018, 1, 1)
    ).user
    with pytest.raises(ValidationError):
        services.visit_record(**visit_fields(ksm, late))
    assert not Visit.objects.exists()


def test_people_who_are_not_members_cannot_be_listed_as_present(ksm, facilitator):
    stranger = MembershipFactory().member
    with pytest.raises(ValidationError) as error:
        services.visit_record(**visit_fields(ksm, facilitator, attendees=[stranger]))
    assert error.value.message_dict["attendees"] == [
        t("Not members of %(group)s on that day: %(names)s.")
        % {"group": ksm.name, "names": stranger.full_name}
    ]
    assert not Visit.objects.exists()


def test_a_follow_up_due_before_the_visit_refuses_the_whole_visit(ksm, facilitator):
    actions = [
        {
            "description": "Rapat pengurus",
            "responsible": "Ketua",
            "due_date": datetime.date(2017, 6, 1),
        },
        {
            "description": "Isi buku kas",
            "responsible": "Bendahara",
            "due_date": datetime.date(2017, 5, 1),
        },
    ]
    with pytest.raises(ValidationError) as error:
        services.visit_record(**visit_fields(ksm, facilitator, actions=actions))
    assert messages_of(error) == [
        t("Follow-up action %(number)d: %(message)s")
        % {"number": 2, "message": t("The due date cannot be before the visit.")}
    ]
    assert not Visit.objects.exists() and not FollowUpAction.objects.exists()


def test_an_open_action_is_marked_done_once(facilitator):
    action = FollowUpActionFactory()
    done_on = datetime.date(2017, 5, 20)

    services.followup_close(actor=facilitator, action=action, status="done", closed_date=done_on)
    with pytest.raises(ValidationError) as error:
        services.followup_close(
            actor=facilitator, action=action, status="dropped", closed_date=done_on
        )

    action.refresh_from_db()
    assert (action.status, action.closed_date, action.closed_by) == ("done", done_on, facilitator)
    assert messages_of(error) == [
        t("This action was already closed (%(status)s).") % {"status": t("Done").lower()}
    ]


def test_an_action_cannot_be_closed_before_its_visit(facilitator):
    action = FollowUpActionFactory(visit=VisitFactory(visit_date=datetime.date(2017, 5, 10)))
    with pytest.raises(ValidationError):
        services.followup_close(
            actor=facilitator, action=action, status="done", closed_date=datetime.date(2017, 5, 1)
        )
    action.refresh_from_db()
    assert action.status == "open"


# --- Grading ----------------------------------------------------------------------------------

# The facilitator's answers to the default rubric's eight criteria the data cannot answer.
MANUAL = {
    "rapat-rutin": 3,
    "aturan-kelompok": 2,
    "buku-anggota": 2,
    "arsip": 1,
    "usaha-berjalan": 2,
    "catatan-usaha": 1,
    "bumdes-koperasi": 0,
    "mitra-lain": 1,
}
FIGURES = FakeHealth(
    attendance_rate=Decimal("80.0"),  # 50, 70 met; 85 not: 2 points
    savings_regularity=Decimal("95"),  # 3
    savings_growth=Decimal("12.5"),  # 0, 10 met: 2
    repayment_rate=Decimal("92"),  # 80, 90: 2
    par30=Decimal("4"),  # at most 10, at most 5; not at most 2: 2
    books_current=True,  # 3
)
ASSESSED = datetime.date(2017, 12, 15)


@pytest.fixture
def officers(ksm):
    return (
        MembershipFactory(group=ksm, chair=True),
        MembershipFactory(group=ksm, treasurer=True),
    )


def scores_by_code(assessment, by_code: dict) -> dict:
    return {
        answer.pk: by_code[answer.criterion.code]
        for answer in assessment.answers.select_related("criterion")
        if not answer.is_auto
    }


def test_every_figure_the_rubric_reads_is_one_the_books_give():
    """The grading tests replace the books' figures with FakeHealth; this keeps the fake and
    the rubric's sources true to finance's GroupHealth, so a renamed figure cannot silently
    turn a criterion into one the facilitator scores by hand."""
    from dataclasses import fields

    from finance.selectors.health import GroupHealth
    from training.models import CriterionSource

    given = {f.name for f in fields(GroupHealth)}
    read = set(CriterionSource.values) - {"manual", "officers_trained"}
    assert read <= given
    assert {f.name for f in fields(FakeHealth)} <= given


def test_the_data_fills_in_what_it_answers_and_the_facilitator_the_rest(
    ksm, facilitator, officers, health
):
    health.figures = FIGURES

    assessment = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)

    answers = {
        a.criterion.code: (a.is_auto, a.score, a.figure)
        for a in assessment.answers.select_related("criterion")
    }
    assert answers["kehadiran-rapat"] == (True, 2, Decimal("80.00"))
    assert answers["keteraturan-simpanan"] == (True, 3, Decimal("95.00"))
    assert answers["pertumbuhan-simpanan"] == (True, 2, Decimal("12.50"))
    assert answers["tingkat-pengembalian"] == (True, 2, Decimal("92.00"))
    assert answers["par30"] == (True, 2, Decimal("4.00"))
    assert answers["buku-mutakhir"] == (True, 3, Decimal("1.00"))
    assert answers["pengurus-terlatih"] == (True, 0, Decimal("0.00"))  # nobody trained yet
    assert {code for code, (auto, _s, _f) in answers.items() if not auto} == set(MANUAL)
    assert health.calls == [(ksm.pk, ASSESSED)]


def test_a_confirmed_assessment_has_the_worked_example_score_and_level(
    ksm, facilitator, officers, health
):
    health.figures = FIGURES
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)

    confirmed = services.assessment_confirm(
        actor=facilitator, assessment=draft, scores=scores_by_code(draft, MANUAL)
    )

    # Organisation 7/12, administration 6/9, finance 9/12, business 3/6, networking 1/6;
    # equal weights: (7/12 + 8/12 + 9/12 + 6/12 + 2/12) / 5 = 8/15 = 53.33 %.
    assert confirmed.score == Decimal("53.33")
    assert confirmed.level.name == "Berkembang"
    assert (confirmed.status, confirmed.is_current, confirmed.previous_level) == (
        "confirmed",
        True,
        None,
    )


def test_the_levels_thresholds_are_data_a_higher_threshold_gives_a_lower_level(
    ksm, facilitator, officers, health
):
    Level.objects.filter(name="Berkembang").update(min_score=Decimal("60"))
    health.figures = FIGURES
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)

    confirmed = services.assessment_confirm(
        actor=facilitator, assessment=draft, scores=scores_by_code(draft, MANUAL)
    )

    assert (confirmed.score, confirmed.level.name) == (Decimal("53.33"), "Tumbuh")


def test_area_weights_are_data_too(ksm, facilitator, officers, health):
    health.figures = FIGURES
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    services.assessment_save(
        actor=facilitator, assessment=draft, scores=scores_by_code(draft, MANUAL)
    )
    answers = list(draft.answers.select_related("criterion__area"))
    finance_area = next(a.criterion.area for a in answers if a.criterion.code == "par30")
    finance_area.weight = 3
    finance_area.save()
    answers = list(draft.answers.select_related("criterion__area"))

    # (7/12 + 8/12 + 3 * 9/12 + 6/12 + 2/12) / 7 = 50/84 = 59.52 %
    assert assessment_score(answers) == Decimal("59.52")


def test_when_the_books_have_no_figures_the_facilitator_scores_every_criterion(
    ksm, facilitator, health
):
    health.figures = None  # no books, or the finance app has no health figures yet

    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)

    auto = draft.answers.filter(is_auto=True).values_list("criterion__code", flat=True)
    # Only the app's own figure is answered: without officers, they are not trained.
    assert list(auto) == ["pengurus-terlatih"]


def test_confirming_with_a_criterion_unscored_is_refused_and_nothing_changes(
    ksm, facilitator, officers, health
):
    health.figures = FIGURES
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    partial = scores_by_code(draft, {**MANUAL, "mitra-lain": None})

    with pytest.raises(ValidationError) as error:
        services.assessment_confirm(actor=facilitator, assessment=draft, scores=partial)

    assert messages_of(error) == [
        t("Score every criterion before confirming. Still open: %(list)s.")
        % {"list": "Terhubung dengan pemerintah desa, bank atau mitra lain"}
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.score, draft.level) == ("draft", None, None)
    assert not draft.answers.filter(is_auto=False, score__isnull=False).exists()


@pytest.mark.parametrize("score", [4, -1])
def test_a_rubric_score_out_of_range_is_refused(ksm, facilitator, officers, health, score):
    health.figures = FIGURES
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    scores = scores_by_code(draft, {**MANUAL, "arsip": score})

    with pytest.raises(ValidationError) as error:
        services.assessment_confirm(actor=facilitator, assessment=draft, scores=scores)

    assert messages_of(error) == [
        t("%(criterion)s: the score runs from 0 to %(max)d.")
        % {"criterion": "Notulen, kuitansi dan bukti kas tersimpan rapi", "max": 3}
    ]
    assert Assessment.objects.get().status == "draft"
    assert not Answer.objects.filter(is_auto=False, score__isnull=False).exists()


def test_a_second_assessment_remembers_the_level_before_and_becomes_current(
    ksm, facilitator, officers, health
):
    health.figures = FakeHealth()  # nothing from the books: all manual but the trained officers
    first = services.assessment_start(
        actor=facilitator, group=ksm, assessment_date=datetime.date(2017, 6, 30)
    )
    low = dict.fromkeys([*MANUAL, "kehadiran-rapat", "keteraturan-simpanan"], 0)
    low.update({"pertumbuhan-simpanan": 0, "tingkat-pengembalian": 0, "par30": 0})
    first = services.assessment_confirm(
        actor=facilitator, assessment=first, scores=scores_by_code(first, low)
    )
    second = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    high = dict.fromkeys(low, 3)
    second = services.assessment_confirm(
        actor=facilitator, assessment=second, scores=scores_by_code(second, high)
    )

    first.refresh_from_db()
    assert (first.level.name, first.is_current) == ("Tumbuh", False)
    # Full marks but the two yes/no figures (books not current, officers not trained):
    # (9/12 + 6/9 + 1 + 1 + 1) / 5 = 53/60 = 88.33 %.
    assert (second.score, second.level.name) == (Decimal("88.33"), "Mandiri")
    assert (second.previous_level, second.is_current) == (level("Tumbuh"), True)


def test_an_assessment_dated_before_the_latest_confirmed_one_is_refused(
    ksm, facilitator, officers, health
):
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    services.assessment_confirm(
        actor=facilitator,
        assessment=draft,
        scores={a.pk: 1 for a in draft.answers.filter(is_auto=False)},
    )
    with pytest.raises(ValidationError) as error:
        services.assessment_start(
            actor=facilitator, group=ksm, assessment_date=datetime.date(2017, 6, 30)
        )
    assert error.value.message_dict["assessment_date"] == [
        t("An assessment of %(date)s is already confirmed; a new one comes after it.")
        % {"date": "15-12-2017"}
    ]
    assert Assessment.objects.count() == 1


def test_a_group_has_one_assessment_in_progress_at_a_time(ksm, facilitator):
    services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    with pytest.raises(ValidationError) as error:
        services.assessment_start(
            actor=facilitator, group=ksm, assessment_date=datetime.date(2017, 12, 20)
        )
    assert messages_of(error) == [
        t("This KSM already has an assessment in progress; finish that one first.")
    ]


def test_a_confirmed_assessment_no_longer_changes(ksm, facilitator):
    draft = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    scores = {a.pk: 2 for a in draft.answers.filter(is_auto=False)}
    services.assessment_confirm(actor=facilitator, assessment=draft, scores=scores)
    with pytest.raises(ValidationError) as error:
        services.assessment_save(actor=facilitator, assessment=draft, scores=scores)
    assert messages_of(error) == [t("This assessment is confirmed; it can no longer change.")]


def test_officers_trained_counts_once_chair_and_treasurer_attended_every_core_topic(
    ksm, facilitator, officers, health
):
    chair, treasurer = officers
    for code in (CORE_BOOKKEEPING, CORE_ORGANISING):
        event = TrainingEventFactory(
            village=ksm.village, topics=[topic(code)], start_date=datetime.date(2017, 4, 1)
        )
        AttendanceFactory(event=event, membership=chair)
        AttendanceFactory(event=event, membership=treasurer)
    before = services.assessment_start(
        actor=facilitator, group=ksm, assessment_date=datetime.date(2017, 3, 31)
    )
    trained_before = before.answers.get(criterion__code="pengurus-terlatih")
    before.delete()
    after = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    trained_after = after.answers.get(criterion__code="pengurus-terlatih")

    assert (trained_before.score, trained_after.score) == (0, 3)


def test_officers_trained_looks_at_the_officers_in_office_on_the_assessment_date(
    ksm, facilitator, officers, health
):
    """The chair trained in 2017 left in 2018; her successor has had no training. An
    assessment dated in 2017 grades the officers of 2017, not today's."""
    chair, treasurer = officers
    for code in (CORE_BOOKKEEPING, CORE_ORGANISING):
        event = TrainingEventFactory(
            village=ksm.village, topics=[topic(code)], start_date=datetime.date(2017, 4, 1)
        )
        AttendanceFactory(event=event, membership=chair)
        AttendanceFactory(event=event, membership=treasurer)
    chair.left_date = datetime.date(2018, 6, 30)
    chair.save()
    MembershipFactory(group=ksm, chair=True, joined_date=datetime.date(2018, 7, 1))

    then = services.assessment_start(actor=facilitator, group=ksm, assessment_date=ASSESSED)
    trained_then = then.answers.get(criterion__code="pengurus-terlatih")
    then.delete()
    now = services.assessment_start(
        actor=facilitator, group=ksm, assessment_date=datetime.date(2018, 12, 15)
    )
    trained_now = now.answers.get(criterion__code="pengurus-terlatih")

    assert (trained_then.score, trained_now.score) == (3, 0)


def test_an_officer_who_left_on_the_assessment_date_was_still_in_office(ksm, officers):
    from training.selectors.coverage import officers_on

    chair, treasurer = officers
    chair.left_date = ASSESSED
    chair.save()
    successor = MembershipFactory(group=ksm, chair=True, joined_date=ASSESSED)

    assert officers_on(ksm, ASSESSED - datetime.timedelta(days=1)) == {
        "chair": chair.member_id,
        "treasurer": treasurer.member_id,
    }
    # On the day of the hand-over the one who joined last holds the office.
    assert officers_on(ksm, ASSESSED)["chair"] == successor.member_id
    assert officers_on(ksm, datetime.date(2016, 5, 31)) == {}  # before the KSM was formed
