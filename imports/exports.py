"""The imports list and an import's rows as files (see ksm_portal.exports)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.exports import DATETIME, NUMBER, Column, ListExport, filename


def batches_export(batches) -> ListExport:
    columns = [
        Column(_("File"), value="file_name"),
        Column(_("Kind"), width=30, value=lambda batch: batch.kind_spec.title),
        Column(_("Rows"), NUMBER, value="rows_total"),
        Column(_("Status"), width=16, value="get_status_display"),
        Column(_("Uploaded"), DATETIME, value="created_at"),
    ]
    name = filename("impor", timezone.localdate())
    return ListExport(_("Your imports"), columns, batches, name)


def rows_export(batch, rows, filters) -> ListExport:
    """The rows of one file as the import's page lists them, each with its problems."""
    spec = batch.kind_spec
    columns = [
        Column(_("Line"), NUMBER, value="line"),
        Column(_("Row"), width=60, value=lambda row: spec.summary(row.data)),
        Column(_("Result"), width=16, value="get_action_display"),
        Column(_("Problems"), width=60, value=lambda row: "\n".join(map(str, row.problems))),
    ]
    name = filename("impor", batch.pk, timezone.localdate())
    owner = f"{batch.file_name} · {spec.title}"
    return ListExport(_("Import"), columns, rows, name, filters=filters, owner=owner)
