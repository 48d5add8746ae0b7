"""Members files: the preview says what each row would do, the import writes all or nothing,
and the same file again changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied  # noqa: F401 (documents the 403 path)

from groups.models import Member, Membership
from imports.kinds import kind_of
from imports.models import ImportBatch, ImportStatus, RowAction
from imports.services import (
    ImportRefused,
    batch_cancel,
    batch_check_step,
    batch_commit,
    batch_start,
)
from tests.groups.factories import MemberFactory, MembershipFactory, SelfHelpGroupFactory
from tests.imports.conftest import MEMBER_HEADERS, member_row, xlsx

pytestmark = pytest.mark.django_db


def checked(user, rows, *, kind="members", headers=MEMBER_HEADERS) -> ImportBatch:
    """Upload and run the check to the end, as the status page's progress bar does."""
    batch = batch_start(
        actor=user, kind=kind, file_name="anggota.xlsx", content=xlsx(rows, headers)
    )
    for _ in range(100):
        if batch.status != ImportStatus.CHECKING:
            return batch
        batch = batch_check_step(actor=user, batch=batch)
    raise AssertionError("the check never finished")


def problems_of(batch, line) -> list[str]:
    return batch.rows.get(line=line).problems


def test_a_clean_file_previews_then_imports_every_member(facilitator, ksm):
    rows = [member_row(ksm, 1, role="Ketua"), member_row(ksm, 2, role="Bendahara")]
    rows += [member_row(ksm, n) for n in range(3, 11)]
    batch = checked(facilitator, rows)
    assert batch.status == ImportStatus.READY
    assert (batch.rows_total, batch.rows_new, batch.rows_problem) == (10, 10, 0)
    assert not Member.objects.exists()  # nothing written by the preview

    batch = batch_commit(actor=facilitator, batch=batch)
    assert batch.status == ImportStatus.DONE
    active = Membership.objects.active().filter(group=ksm)
    assert active.count() == 10
    assert active.get(role="treasurer").member.nik == rows[1][2]
    chair = active.get(role="chair").member
    assert chair.village == ksm.village and chair.phone == rows[0][7]
    assert chair.history.count() == 1 and chair.created_by == facilitator


def test_importing_the_same_file_again_changes_nothing(facilitator, ksm):
    rows = [member_row(ksm, n) for n in range(1, 6)]
    batch_commit(actor=facilitator, batch=checked(facilitator, rows))
    before = list(Membership.objects.values_list("pk", "member_id", "role", "joined_date"))

    again = checked(facilitator, rows)
    assert again.status == ImportStatus.READY
    assert (again.rows_new, again.rows_unchanged) == (0, 5)
    batch_commit(actor=facilitator, batch=again)
    assert list(Membership.objects.values_list("pk", "member_id", "role", "joined_date")) == before
    assert Member.objects.count() == 5


def test_a_person_already_registered_joins_with_the_details_on_record(facilitator, ksm):
    other_ksm = SelfHelpGroupFactory(village=ksm.village)
    row = member_row(other_ksm, 7)
    batch_commit(actor=facilitator, batch=checked(facilitator, [row]))
    joining = member_row(ksm, 7)
    joining[7] = "081399999999"  # a new phone typed in the second file
    batch = checked(facilitator, [joining])
    assert batch.rows.get().action == RowAction.UPDATE
    batch_commit(actor=facilitator, batch=batch)
    person = Member.objects.get()
    assert person.memberships.count() == 2
    assert person.phone == row[7]


def test_each_bad_row_is_named_in_plain_indonesian(facilitator, ksm):
    good = member_row(ksm, 1)
    bad_nik = member_row(ksm, 2)
    bad_nik[2] = "33250112"
    wrong_sex = member_row(ksm, 3, sex="L")
    wrong_sex[5] = "P"  # the NIK says a man
    bad_date = member_row(ksm, 4)
    bad_date[6] = "31-02-1985"
    unknown_ksm = member_row(ksm, 5)
    unknown_ksm[1] = "999/KSM/2099"
    too_early = member_row(ksm, 6, joined=ksm.formed_date - datetime.timedelta(days=1))
    future = member_row(ksm, 7)
    future[10] = "01-01-2099"
    duplicate = list(good)
    bad_role = member_row(ksm, 8, role="Bendahara Umum")
    rows = [good, bad_nik, wrong_sex, bad_date, unknown_ksm, too_early, future, duplicate, bad_role]
    batch = checked(facilitator, rows)

    assert batch.status == ImportStatus.PROBLEMS
    assert batch.rows_problem == 8
    assert batch.rows.get(line=2).action == RowAction.CREATE
    assert "NIK: NIK harus tepat 16 angka." in problems_of(batch, 3)
    assert any("perempuan" in p for p in problems_of(batch, 4))
    assert any("bukan tanggal" in p for p in problems_of(batch, 5))
    assert any("tidak ada KSM 999/KSM/2099" in p for p in problems_of(batch, 6))
    assert any("sebelum" in p and ksm.name in p for p in problems_of(batch, 7))
    assert any("masa depan" in p for p in problems_of(batch, 8))
    assert any("dua kali" in p and "baris 2" in p for p in problems_of(batch, 9))
    assert any("Bendahara Umum" in p for p in problems_of(batch, 10))

    with pytest.raises(ImportRefused):
        batch_commit(actor=facilitator, batch=batch)
    assert not Member.objects.exists()


def test_officer_slots_are_checked_in_the_file_and_against_the_register(facilitator, ksm):
    sitting = MembershipFactory(group=ksm, role=Membership.Role.CHAIR)
    rows = [
        member_row(ksm, 1, role="Ketua"),
        member_row(ksm, 2, role="Bendahara"),
        member_row(ksm, 3, role="Bendahara"),
    ]
    batch = checked(facilitator, rows)
    assert any(sitting.member.full_name in p for p in problems_of(batch, 2))
    assert any("bendahara kedua" in p and "baris 3" in p for p in problems_of(batch, 4))
    assert batch.rows.get(line=3).action == RowAction.CREATE


def test_a_nik_registered_for_someone_else_is_a_problem(facilitator, ksm):
    person = MemberFactory(village=ksm.village)
    row = member_row(ksm, 1)
    row[2] = person.nik
    row[5] = "P" if person.sex == "F" else "L"
    row[6] = person.birth_date.strftime("%d-%m-%Y")
    row[4] = "Orang Lain Sama Sekali"
    batch = checked(facilitator, [row])
    assert any("sudah terdaftar" in p for p in problems_of(batch, 2))
    # The other person's name is not shown to whoever uploaded the file.
    assert not any(person.full_name in p for p in problems_of(batch, 2))


def test_a_ksm_without_a_treasurer_is_a_warning_not_a_block(facilitator, ksm):
    batch = checked(facilitator, [member_row(ksm, 1), member_row(ksm, 2)])
    assert batch.status == ImportStatus.READY
    assert any(ksm.name in warning and "bendahara" in warning for warning in batch.warnings)
    with_treasurer = checked(facilitator, [member_row(ksm, 3, role="Bendahara")])
    assert with_treasurer.warnings == []


def test_rows_of_a_village_outside_the_assignment_are_refused(facilitator, ksm):
    elsewhere = SelfHelpGroupFactory()
    batch = checked(facilitator, [member_row(ksm, 1), member_row(elsewhere, 2)])
    assert any("bukan desa dampingan Anda" in p for p in problems_of(batch, 3))
    with pytest.raises(ImportRefused):
        batch_commit(actor=facilitator, batch=batch)
    assert not Membership.objects.exists()


def test_a_row_that_went_wrong_since_the_preview_stops_the_whole_import(facilitator, ksm):
    rows = [member_row(ksm, n) for n in range(1, 4)]
    batch = checked(facilitator, rows)
    assert batch.status == ImportStatus.READY
    # Meanwhile someone registers the third person by hand, under another name.
    MemberFactory(
        nik=rows[2][2],
        family_card_number=rows[2][3],
        full_name="Nama Lain",
        sex="F",
        birth_date=datetime.datetime.strptime(rows[2][6], "%d-%m-%Y").date(),  # noqa: DTZ007
        village=ksm.village,
    )
    with pytest.raises(ImportRefused, match="1 baris"):
        batch_commit(actor=facilitator, batch=batch)
    assert Membership.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PROBLEMS
    assert batch.rows.get(line=4).action == RowAction.PROBLEM


def test_the_check_runs_in_steps(facilitator, ksm, settings, monkeypatch):
    from imports.kinds import kind_of

    monkeypatch.setattr(kind_of("members"), "chunk_size", 3)
    batch = batch_start(
        actor=facilitator,
        kind="members",
        file_name="a.xlsx",
        content=xlsx([member_row(ksm, n) for n in range(1, 8)], MEMBER_HEADERS),
    )
    seen = []
    while batch.status == ImportStatus.CHECKING:
        batch = batch_check_step(actor=facilitator, batch=batch)
        seen.append(batch.rows_checked)
    assert seen == [3, 6, 7]
    assert batch.status == ImportStatus.READY


def test_an_import_keeps_who_uploaded_checked_and_imported_it_not_each_chunk(
    facilitator, ksm, monkeypatch
):
    monkeypatch.setattr(type(kind_of("members")), "chunk_size", 10)
    rows = [member_row(ksm, n) for n in range(1, 31)]
    batch = checked(facilitator, rows)
    assert batch.rows_checked == 30  # in three chunks
    batch = batch_commit(actor=facilitator, batch=batch)
    history = list(batch.history.order_by("history_date", "history_id"))
    # Uploaded (checking), checked (ready), imported (done); the chunks of the progress bar
    # in between are not changes anyone made.
    assert [h.status for h in history] == ["checking", "ready", "done"]
    assert {h.history_user for h in history} == {facilitator}

    cancelled = checked(facilitator, [member_row(ksm, 40)])
    batch_cancel(actor=facilitator, batch=cancelled)
    assert cancelled.history.latest("history_date").status == "cancelled"
