"""Upload a file, watch it being checked, read the preview, import it all or nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ksm_portal.exports import list_format, list_response
from ksm_portal.pagination import paginate
from ksm_portal.scope import user_scope

from . import exports, services
from .forms import UploadForm
from .kinds import KINDS, kind_of
from .models import ImportBatch, ImportStatus, RowAction
from .reading import FileProblem
from .workbook import template_workbook

ROW_FILTERS = {
    "problems": (RowAction.PROBLEM,),
    "new": (RowAction.CREATE, RowAction.UPDATE),
    "unchanged": (RowAction.UNCHANGED,),
}


def _may_import(user) -> None:
    scope = user_scope(user)
    if not (scope.manages_register or scope.is_facilitator):
        raise PermissionDenied


def _batch(request, pk) -> ImportBatch:
    """Someone else's import answers 404, as if it did not exist."""
    _may_import(request.user)
    return get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    _may_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": "members"})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.batch_start(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
            )
        except FileProblem as problem:
            form.add_error("file", problem.message)
        else:
            earlier = (
                ImportBatch.objects.visible_to(request.user)
                .filter(kind=batch.kind, file_sha256=batch.file_sha256, status=ImportStatus.DONE)
                .first()
            )
            if earlier:
                messages.info(
                    request,
                    _(
                        "This same file was imported on %(date)s. Importing it again changes "
                        "nothing that is already there."
                    )
                    % {"date": f"{timezone.localtime(earlier.finished_at):%d-%m-%Y %H:%M}"},
                )
            return redirect(batch)
    batches = ImportBatch.objects.visible_to(request.user).select_related("created_by")
    if request.method == "GET" and (fmt := list_format(request)):
        return list_response(request, exports.batches_export(batches), fmt)
    page, querystring = paginate(request, batches, 20)
    return render(
        request,
        "imports/start.html",
        {"form": form, "kinds": KINDS.values(), "page": page, "querystring": querystring},
    )


@login_required
@require_GET
def import_template(request, kind):
    _may_import(request.user)
    spec = kind_of(kind)
    response = HttpResponse(
        template_workbook(spec),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="template-{spec.slug}.xlsx"'
    return response


@login_required
@require_GET
def import_detail(request, pk):
    batch = _batch(request, pk)
    shown = request.GET.get("rows", "problems" if batch.rows_problem else "")
    rows = batch.rows.order_by("line")
    if shown in ROW_FILTERS:
        rows = rows.filter(action__in=ROW_FILTERS[shown])
    else:
        shown = ""
    if fmt := list_format(request):
        labels = {"problems": _("Problems"), "new": _("New"), "unchanged": _("Already there")}
        filters = [(_("Rows"), labels[shown])] if shown else []
        return list_response(request, exports.rows_export(batch, rows, filters), fmt)
    page, querystring = paginate(request, rows, 50)
    spec = batch.kind_spec
    return render(
        request,
        "imports/detail.html",
        {
            "batch": batch,
            "spec": spec,
            "page": page,
            "rows": [(row, spec.summary(row.data)) for row in page],
            "querystring": querystring,
            "shown": shown,
        },
    )


@login_required
@require_POST
def import_check(request, pk):
    """One step of the check; htmx asks for the next until the file is done."""
    batch = services.batch_check_step(actor=request.user, batch=_batch(request, pk))
    if request.htmx and batch.status == ImportStatus.CHECKING:
        return render(request, "imports/progress.html", {"batch": batch})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(batch)


@login_required
@require_POST
def import_commit(request, pk):
    batch = _batch(request, pk)
    if batch.status == ImportStatus.DONE:
        messages.info(request, _("This file has already been imported."))
        return redirect(batch)
    try:
        batch = services.batch_commit(actor=request.user, batch=batch)
    except services.ImportRefused as refused:
        messages.error(request, refused.message)
    else:
        if batch.rows_new:
            messages.success(
                request,
                _("Imported: %(new)s rows written, %(unchanged)s already there.")
                % {"new": batch.rows_new, "unchanged": batch.rows_unchanged},
            )
        else:
            messages.info(
                request, _("Every row of this file is already there: nothing has changed.")
            )
    return redirect(batch)


@login_required
@require_POST
def import_cancel(request, pk):
    batch = _batch(request, pk)
    try:
        services.batch_cancel(actor=request.user, batch=batch)
    except services.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect(batch)
    messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("imports:start")
