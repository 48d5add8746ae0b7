"""BUMDes pages and the region tree."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate
from ksm_portal.scope import user_scope

from . import exports, services
from .forms import BumdesForm
from .models import Bumdes, District, Province, Regency, Village


@login_required
def bumdes_list(request):
    bumdes = Bumdes.objects.visible_to(request.user).select_related("village__district")
    query = request.GET.get("q", "").strip()
    if query:
        bumdes = bumdes.filter(name__icontains=query)
    bumdes = bumdes.order_by("village__code")
    fmt = list_format(request)
    if fmt:
        filters = [(_("Search"), query)] if query else []
        return list_response(request, exports.bumdes_export(bumdes, filters), fmt)
    page, querystring = paginate(request, bumdes)
    return render(
        request,
        "villages/bumdes_list.html",
        {
            "page": page,
            "querystring": querystring,
            "q": query,
            "can_create": user_scope(request.user).can_register,
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
    if not user_scope(request.user).can_register:
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


# --- The region tree ------------------------------------------------------------------------

LEVELS = (Province, Regency, District, Village)
CHILD = {None: Province, Province: Regency, Regency: District, District: Village}
CODE_LENGTH = {2: Province, 5: Regency, 8: District, 13: Village}
RELATED_CHILDREN = {Province: "regencies", Regency: "districts", District: "villages"}
REGION_PAGE = 100


@login_required
def regions(request, code=""):
    """Browse Indonesia's regions with the number of KSM at each level (program staff)."""
    scope = user_scope(request.user)
    if not (scope.sees_all or scope.manages_register):
        raise PermissionDenied
    node = None
    if code:
        model = CODE_LENGTH.get(len(code))
        if model is None:
            raise Http404
        node = get_object_or_404(model.objects.select_related(*_parents(model)), code=code)
        if model is Village:
            query = {
                "regency": node.district.regency_id,
                "district": node.district_id,
                "village": node.pk,
            }
            return redirect(f"{reverse('groups:list')}?{urlencode(query)}")
    child = CHILD[type(node) if node else None]
    children = child.objects.order_by("code")
    if node is not None:
        children = children.filter(**{node._meta.model_name: node})
    query = request.GET.get("q", "").strip()
    if query:
        children = Village.objects.select_related("district__regency").order_by("code")
        children = (
            children.filter(code__startswith=query)
            if query[:2].isdigit()
            else children.filter(name__icontains=query)
        )
        child = Village
    if child is not Village:
        children = children.annotate(children_count=Count(RELATED_CHILDREN[child]))
    fmt = list_format(request)
    if fmt:
        export = exports.regions_export(
            children,
            node=node,
            village_level=child is Village,
            filters=[(_("Find a village"), query)] if query else [],
        )
        return list_response(request, export, fmt)
    page, querystring = paginate(request, children, per_page=REGION_PAGE)
    return render(
        request,
        "villages/regions.html",
        {
            "node": node,
            "path": node.path() if node else [],
            "child_level": child._meta.verbose_name_plural,
            "is_village_level": child is Village,
            "page": page,
            "querystring": querystring,
            "q": query,
            "total_ksm": (
                node.ksm_count if node else Province.objects.aggregate(n=Sum("ksm_count"))["n"] or 0
            ),
        },
    )


def _parents(model) -> list[str]:
    return {
        Province: [],
        Regency: ["province"],
        District: ["regency__province"],
        Village: ["district__regency__province"],
    }[model]
