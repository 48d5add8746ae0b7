"""Every write of an import: staging an uploaded file, checking it step by step, committing it
all at once, or cancelling it."""

import hashlib
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .kinds import kind_of
from .kinds.base import RowsRefused
from .models import ImportBatch, ImportRow, ImportStatus, RowAction
from .reading import FileProblem, read_table

STAGE_BATCH = 2000
IN_LIST = 900  # keys per `IN (...)`, within SQLite's limit on query parameters


class ImportRefused(Exception):
    """The batch cannot be committed: rows have problems (shown on the preview)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def batch_start(*, actor, kind: str, file_name: str, content: bytes) -> ImportBatch:
    """Read the whole file, check every row on its own and against the others, and stage it.
    A file that cannot be read raises `FileProblem` and leaves nothing behind."""
    spec = kind_of(kind)
    table = read_table(content, file_name)
    mapping = spec.map_headers(table.headers)
    parsed = [spec.parse(line, cells, mapping) for line, cells in table.rows]
    spec.check_in_file(parsed)
    batch = ImportBatch(
        kind=kind,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        created_by=actor,
        rows_total=len(parsed),
    )
    batch._history_user = actor
    batch.save()
    ImportRow.objects.bulk_create(
        (
            ImportRow(
                batch=batch,
                line=row.line,
                raw=row.raw,
                data=row.data,
                problems=list(row.problems),
                action=RowAction.PROBLEM if row.problems else RowAction.PENDING,
            )
            for row in parsed
        ),
        batch_size=STAGE_BATCH,
    )
    _recount(batch)
    return batch


def _locked(batch: ImportBatch, actor) -> ImportBatch:
    """The batch's row, locked for this transaction, its history naming `actor`."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    locked._history_user = actor
    return locked


def _recount(batch: ImportBatch) -> None:
    counts = batch.rows.aggregate(
        checked=Count("pk", filter=~Q(action=RowAction.PENDING)),
        problem=Count("pk", filter=Q(action=RowAction.PROBLEM)),
        new=Count("pk", filter=Q(action__in=(RowAction.CREATE, RowAction.UPDATE))),
        unchanged=Count("pk", filter=Q(action=RowAction.UNCHANGED)),
    )
    status = batch.status
    batch.rows_checked = counts["checked"]
    batch.rows_problem = counts["problem"]
    batch.rows_new = counts["new"]
    batch.rows_unchanged = counts["unchanged"]
    if batch.rows_checked == batch.rows_total and batch.status == ImportStatus.CHECKING:
        batch.status = ImportStatus.PROBLEMS if batch.rows_problem else ImportStatus.READY
        batch.warnings = batch.kind_spec.warnings(batch)
    # A chunk checked is progress, not a change anyone made: history only when the status moves.
    if batch.status == status:
        batch.save_without_historical_record()
    else:
        batch.save()


@transaction.atomic
def batch_check_step(*, actor, batch: ImportBatch) -> ImportBatch:
    """Look the next chunk of rows up in the database (one short request of the progress
    bar). Two tabs polling the same batch take turns on the batch's lock."""
    batch = _locked(batch, actor)
    if batch.status != ImportStatus.CHECKING:
        return batch
    spec = batch.kind_spec
    rows = list(batch.rows.filter(action=RowAction.PENDING).order_by("line")[: spec.chunk_size])
    if rows:
        spec.check_rows(rows, user=actor)
        _save_checked(rows)
    _recount(batch)
    return batch


def _save_checked(rows: list[ImportRow]) -> None:
    """Store what the check found: one UPDATE per result for the whole chunk, and the
    problems of the rows that have any (what a check adds to `data` is worked out again
    by the commit's own check, so it is not stored)."""
    by_action = defaultdict(list)
    for row in rows:
        by_action[row.action].append(row.pk)
    for action, keys in by_action.items():
        for start in range(0, len(keys), IN_LIST):
            ImportRow.objects.filter(pk__in=keys[start : start + IN_LIST]).update(action=action)
    with_problems = [row for row in rows if row.problems]
    ImportRow.objects.bulk_update(with_problems, ["problems"], batch_size=500)


def batch_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Write the whole file in one transaction, or nothing. Every row is checked again inside
    the transaction (someone may have registered the same NIK since the preview); if any row
    now has a problem, nothing is written and the preview shows it."""
    try:
        with transaction.atomic():
            batch = _locked(batch, actor)
            if batch.status != ImportStatus.READY:
                raise ImportRefused(_("This import is not ready: it has problems or is done."))
            spec = batch.kind_spec
            to_write = []
            rechecked = []
            rows = batch.rows.order_by("line")
            for start in range(0, batch.rows_total, spec.chunk_size):
                chunk = list(rows[start : start + spec.chunk_size])
                for row in chunk:
                    row.problems = []
                spec.check_rows(chunk, user=actor)
                rechecked.extend(chunk)
                to_write.extend(
                    row for row in chunk if row.action in (RowAction.CREATE, RowAction.UPDATE)
                )
            if any(row.action == RowAction.PROBLEM for row in rechecked):
                raise _Rechecked(rechecked)
            try:
                with transaction.atomic():
                    spec.commit_rows(to_write, user=actor)
            except RowsRefused as refused:
                for row in refused.rows:
                    row.problems.append(refused.message)
                    row.action = RowAction.PROBLEM
                raise _Rechecked(rechecked, refused.message) from None
            except IntegrityError as error:
                raise ImportRefused(
                    _(
                        "Someone changed the register while this file was being imported; "
                        "nothing was written. Check the file again and import it."
                    )
                ) from error
            batch.status = ImportStatus.DONE
            batch.finished_at = timezone.now()
            batch.rows_new = len(to_write)
            batch.rows_unchanged = batch.rows_total - len(to_write)
            batch.save()
            return batch
    except _Rechecked as found:
        with transaction.atomic():
            _save_checked(found.rows)
            batch = _locked(batch, actor)
            batch.status = ImportStatus.CHECKING
            _recount(batch)
        raise ImportRefused(
            found.message
            or _("Since the check, %(count)s rows have a problem; nothing was written.")
            % {"count": batch.rows_problem}
        ) from None


class _Rechecked(Exception):
    def __init__(self, rows, message: str = ""):
        super().__init__("rows changed since the check")
        self.rows = rows
        self.message = message


@transaction.atomic
def batch_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    batch = _locked(batch, actor)
    if not batch.is_open:
        raise ImportRefused(_("This import is already finished."))
    batch.status = ImportStatus.CANCELLED
    batch.save(update_fields=["status"])
    # The staged rows are of no further use; the batch itself stays as a record.
    batch.rows.all().delete()
    return batch


__all__ = [
    "FileProblem",
    "ImportRefused",
    "batch_cancel",
    "batch_check_step",
    "batch_commit",
    "batch_start",
]
