"""The import pages: template, upload, progress, preview, confirm, and who may reach them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from groups.models import Membership
from imports.models import ImportBatch, ImportStatus
from tests.imports.conftest import MEMBER_HEADERS, member_row, xlsx
from tests.villages.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db


def upload(client, content, name="anggota.xlsx", kind="members"):
    return client.post(
        reverse("imports:start"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def run_check(client, batch):
    for _ in range(50):
        batch.refresh_from_db()
        if batch.status != ImportStatus.CHECKING:
            return batch
        response = client.post(reverse("imports:check", args=[batch.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code in (200, 204)
    raise AssertionError("never finished")


@pytest.mark.parametrize("kind", ["members", "ksm", "opening", "cashbook"])
def test_the_template_has_indonesian_headers_and_an_example_row(client, facilitator, kind):
    client.force_login(facilitator)
    response = client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert "Kode desa" in headers
    examples = list(sheet.iter_rows(min_row=2, max_row=3, values_only=True))
    # Every column is shown filled in at least one example row.
    assert all(any(row[index] for row in examples) for index in range(len(headers)))


@pytest.mark.parametrize("kind", ["members", "ksm", "opening", "cashbook"])
def test_the_templates_example_rows_read_back_without_a_format_problem(client, facilitator, kind):
    """A user who uploads a template as it is gets only problems about the register."""
    client.force_login(facilitator)
    content = client.get(reverse("imports:template", args=[kind])).content
    batch = ImportBatch.objects.get(pk=upload_and_find(client, content, kind=kind))
    assert batch.rows_total >= 1
    register = ("Kode desa", "No. registrasi", "NIK")
    for row in batch.rows.all():
        assert not [p for p in row.problems if not p.startswith(register)], row.problems


def upload_and_find(client, content, kind="members"):
    response = upload(client, content, kind=kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].rstrip("/").split("/")[-1])


def test_upload_progress_preview_and_import(client, facilitator, ksm):
    client.force_login(facilitator)
    rows = [member_row(ksm, 1, role="Bendahara"), member_row(ksm, 2)]
    batch = ImportBatch.objects.get(pk=upload_and_find(client, xlsx(rows, MEMBER_HEADERS)))
    page = client.get(batch.get_absolute_url()).content.decode()
    assert f'hx-post="{reverse("imports:check", args=[batch.pk])}"' in page
    batch = run_check(client, batch)
    page = client.get(batch.get_absolute_url() + "?rows=all").content.decode()
    assert "Impor sekarang" in page and "Anggota Impor 1" in page
    response = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert "2 baris ditulis" in response.content.decode()
    assert Membership.objects.filter(group=ksm).count() == 2
    # A second confirm (a double tap) writes nothing more.
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Membership.objects.filter(group=ksm).count() == 2


def test_a_bad_file_is_refused_on_the_form(client, facilitator):
    client.force_login(facilitator)
    response = upload(client, b"%PDF-1.4\x00\x00", name="laporan.xlsx")
    assert response.status_code == 200
    assert "bukan lembar kerja" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_same_file_again_says_so(client, facilitator, ksm):
    client.force_login(facilitator)
    content = xlsx([member_row(ksm, 1)], MEMBER_HEADERS)
    first = ImportBatch.objects.get(pk=upload_and_find(client, content))
    run_check(client, first)
    client.post(reverse("imports:commit", args=[first.pk]))
    response = upload(client, content)
    followed = client.get(response["Location"]).content.decode()
    assert "sudah diimpor" in followed


def test_another_facilitators_import_is_not_found(client, facilitator, ksm):
    client.force_login(facilitator)
    batch = ImportBatch.objects.get(
        pk=upload_and_find(client, xlsx([member_row(ksm, 1)], MEMBER_HEADERS))
    )
    other = FacilitatorAssignmentFactory().user
    client.force_login(other)
    for name in ("detail",):
        assert client.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    for name in ("check", "commit", "cancel"):
        assert client.post(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404


def test_officers_cannot_import(client, treasurer):
    client.force_login(treasurer)
    assert client.get(reverse("imports:start")).status_code == 403
    assert client.get(reverse("imports:template", args=["members"])).status_code == 403


def test_staff_reach_every_import(client, facilitator, program_staff, ksm):
    client.force_login(facilitator)
    pk = upload_and_find(client, xlsx([member_row(ksm, 1)], MEMBER_HEADERS))
    client.force_login(program_staff)
    assert client.get(reverse("imports:detail", args=[pk])).status_code == 200


def test_cancel_leaves_nothing_to_import(client, facilitator, ksm):
    client.force_login(facilitator)
    pk = upload_and_find(client, xlsx([member_row(ksm, 1)], MEMBER_HEADERS))
    client.post(reverse("imports:cancel", args=[pk]))
    batch = ImportBatch.objects.get(pk=pk)
    assert batch.status == ImportStatus.CANCELLED and not batch.rows.exists()
    client.post(reverse("imports:commit", args=[pk]))
    assert not Membership.objects.exists()
