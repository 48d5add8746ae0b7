"""BUMDes pages and the program overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from groups.selectors import program_overview, roles_for
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from . import services
from .forms import BumdesForm
from .models import Bumdes, Regency, Village


@login_required
def bumdes_list(request):
    bumdes = Bumdes.objects.visible_to(request.user).select_related("village__district")
    query = request.GET.get("q", "").strip()
    if query:
        bumdes = bumdes.filter(name__icontains=query)
    page, querystring = paginate(request, bumdes.order_by("village__code"))
    return render(
        request,
        "villages/bumdes_list.html",
        {
            "page": page,
            "querystring": querystring,
            "q": query,
            "can_create": roles_for(request.user).can_register,
        },
    )


@login_required
def bumdes_detail(request, pk):
    bumdes = get_object_or_404(
        Bumdes.objects.visible_to(request.user).select_related("village__district__regency"), pk=pk
    )
    return render(
        request,
        "villages/bumdes_detail.html",
        {
            "bumdes": bumdes,
            "can_edit": Bumdes.objects.editable_by(request.user).filter(pk=pk).exists(),
            "history": bumdes.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bumdes_create(request):
    if not roles_for(request.user).can_register:
        raise PermissionDenied
    villages = Village.objects.editable_by(request.user).filter(bumdes__isnull=True)
    initial = {}
    if request.GET.get("village", "").isdigit():
        initial["village"] = request.GET["village"]
    form = BumdesForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        village = data.pop("village")
        try:
            bumdes = services.bumdes_register(actor=request.user, village=village, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("BUMDes %(name)s has been registered.") % {"name": bumdes.name}
            )
            return redirect(bumdes)
    return render(request, "villages/bumdes_form.html", {"form": form, "bumdes": None})


@login_required
@require_http_methods(["GET", "POST"])
def bumdes_update(request, pk):
    bumdes = get_object_or_404(Bumdes.objects.visible_to(request.user), pk=pk)
    if not Bumdes.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = BumdesForm(request.POST or None, instance=bumdes)
    if request.method == "POST" and form.is_valid():
        try:
            services.bumdes_update(actor=request.user, bumdes=bumdes, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The BUMDes has been updated."))
            return redirect(bumdes)
    return render(request, "villages/bumdes_form.html", {"form": form, "bumdes": bumdes})


@login_required
def overview(request, regency_code=None):
    """Program figures for one regency: a staff report (facilitators see only their villages)."""
    if not request.user.is_staff:
        raise PermissionDenied
    regencies = Regency.objects.select_related("province").order_by("code")
    if regency_code is None:
        regency_code = request.GET.get("regency") or (
            regencies.filter(Exists(Village.objects.filter(district__regency=OuterRef("pk"))))
            .values_list("code", flat=True)
            .first()
        )
        if regency_code is None:
            return render(request, "villages/overview.html", {"regency": None})
        regency = get_object_or_404(regencies, code=regency_code)
        return redirect("villages:overview", regency_code=regency.code)
    regency = get_object_or_404(regencies, code=regency_code)
    context = program_overview(regency=regency, page_number=request.GET.get("page"))
    context.update(regency=regency, regencies=regencies)
    return render(request, "villages/overview.html", context)
