"""Admin actions staff need, each over the rows ticked on a changelist (or all the filtered rows
with "select all"), each through the service the site uses.

An action checks first, for every row, that the user's role may change it by the site's rule
(`editable_by`, `may_reopen`); if one row is out of reach it says so and changes nothing. The
writes then run in one transaction: a row the service refuses rolls the others back, and the
service's message is shown.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exports import (
    AMOUNT,
    DATE,
    DATETIME,
    NUMBER,
    TEXT,
    Column,
    ListExport,
    filename,
    list_response,
)
from .forms import DateInput

# A cell a spreadsheet would run or split: =, +, -, @, a tab or a carriage return first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text a spreadsheet would read as a formula, behind an apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _kind(model_field) -> str:
    if isinstance(model_field, models.DecimalField):
        return AMOUNT
    if isinstance(model_field, models.DateTimeField):
        return DATETIME
    if isinstance(model_field, models.DateField):
        return DATE
    if isinstance(model_field, models.IntegerField) and not model_field.choices:
        return NUMBER
    return TEXT


def _reader(read):
    return lambda row: neutralise(read(row))


def export_columns(modeladmin, request) -> list[Column]:
    """The changelist's columns (or the admin's `export_fields`) as file columns."""
    model = modeladmin.model
    names = getattr(modeladmin, "export_fields", None) or modeladmin.get_list_display(request)
    columns = []
    for name in names:
        if name == "action_checkbox":
            continue
        if name == "__str__":
            columns.append(Column(str(model._meta.verbose_name), value=_reader(str)))
            continue
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            model_field = None
        if model_field is not None and model_field.concrete and not model_field.many_to_many:
            if model_field.choices:
                attribute = f"get_{name}_display"

                def read(row, attribute=attribute):
                    return getattr(row, attribute)()
            elif model_field.is_relation:

                def read(row, name=name):
                    related = getattr(row, name)
                    return str(related) if related is not None else None
            else:

                def read(row, name=name):
                    return getattr(row, name)

            kind = TEXT if model_field.is_relation or model_field.choices else _kind(model_field)
            columns.append(Column(str(model_field.verbose_name), kind, value=_reader(read)))
            continue
        method = getattr(modeladmin, name, None) or getattr(model, name, None)
        if method is None:
            continue
        label = getattr(method, "short_description", None) or name.replace("_", " ")
        if hasattr(modeladmin, name):
            read = method
        else:

            def read(row, name=name):
                value = getattr(row, name)
                return value() if callable(value) else value

        columns.append(Column(str(label), value=_reader(read)))
    return columns


def _filters(request, modeladmin) -> list[tuple[str, str]]:
    """The changelist's filters and search as the heading lists them (a region by its name)."""
    from villages.models import District, Province, Regency

    regions = {"province": Province, "regency": Regency, "district": District}
    pairs = []
    for key, value in request.GET.items():
        if key in ("o", "p", "_changelist_filters"):
            continue
        label = _("Search") if key == "q" else key
        if key in regions and value.isdigit():
            region = regions[key].objects.filter(pk=value).first()
            label = str(regions[key]._meta.verbose_name)
            value = str(region) if region else value
        pairs.append((label, neutralise(value)))
    return pairs


def _export(modeladmin, request, queryset, fmt: str):
    opts = modeladmin.model._meta
    title = str(opts.verbose_name_plural)
    export = ListExport(
        title=title,
        columns=export_columns(modeladmin, request),
        rows=queryset.order_by("pk"),
        name=filename(title, timezone.localdate()),
        filters=_filters(request, modeladmin),
    )
    return list_response(request, export, fmt)


@admin.action(description=gettext_lazy("Export the selected rows to xlsx"))
def export_xlsx(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, "xlsx")


@admin.action(description=gettext_lazy("Export the selected rows to csv"))
def export_csv(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, "csv")


# --- Actions that ask for something first ----------------------------------------------------


class DateForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=100,  # simple-history keeps it in history_change_reason (100 characters)
        help_text=gettext_lazy("Recorded in the month's history, e.g. a receipt found late."),
    )


def _ask(modeladmin, request, queryset, form_class, title: str, intro: str):
    """The form the action needs, on a page of its own, or its cleaned data once posted."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            return form.cleaned_data
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "queryset": queryset[:20],
        "count": queryset.count(),
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "select_across": request.POST.get("select_across", "0"),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/ksm_action_form.html", context)


def _refuse_out_of_reach(request, modeladmin, out_of_reach: int, total: int) -> bool:
    if not out_of_reach:
        return False
    modeladmin.message_user(
        request,
        _("Your role may not change %(count)s of the %(total)s rows selected; nothing was changed.")
        % {"count": out_of_reach, "total": total},
        messages.ERROR,
    )
    return True


def _run_all(request, modeladmin, rows, write) -> int | None:
    """write(row) for every row in one transaction; the first refusal undoes them all."""
    try:
        with transaction.atomic():
            for row in rows:
                write(row)
    except ValidationError as error:
        modeladmin.message_user(
            request,
            _("Nothing was changed: %(row)s: %(problem)s")
            % {"row": row, "problem": " ".join(error.messages)},
            messages.ERROR,
        )
        return None
    except PermissionDenied as error:
        modeladmin.message_user(
            request, str(error) or _("Your role may not do this."), messages.ERROR
        )
        return None
    return len(rows)


@admin.action(description=gettext_lazy("End the selected memberships"))
def end_memberships(modeladmin, request, queryset):
    from groups.models import SelfHelpGroup
    from groups.services import membership_end

    rows = list(queryset.select_related("member", "group"))
    allowed = set(
        SelfHelpGroup.objects.editable_by(request.user)
        .filter(pk__in={row.group_id for row in rows})
        .values_list("pk", flat=True)
    )
    out = sum(1 for row in rows if row.group_id not in allowed)
    if _refuse_out_of_reach(request, modeladmin, out, len(rows)):
        return None
    asked = _ask(
        modeladmin,
        request,
        queryset,
        DateForm,
        _("End memberships"),
        _("The members leave their KSM on this date; a login with no office left stops."),
    )
    if not isinstance(asked, dict):
        return asked
    active = [row for row in rows if row.is_active]
    done = _run_all(
        request,
        modeladmin,
        active,
        lambda row: membership_end(actor=request.user, membership=row, left_date=asked["date"]),
    )
    if done is not None:
        modeladmin.message_user(
            request,
            _("%(count)s memberships ended; %(skipped)s had already ended.")
            % {"count": done, "skipped": len(rows) - len(active)},
            messages.SUCCESS,
        )
    return None


@admin.action(description=gettext_lazy("Deactivate the selected KSM (dormant)"))
def deactivate_groups(modeladmin, request, queryset):
    from groups.models import SelfHelpGroup
    from groups.services import group_update

    rows = list(queryset)
    allowed = set(
        SelfHelpGroup.objects.editable_by(request.user)
        .filter(pk__in=[row.pk for row in rows])
        .values_list("pk", flat=True)
    )
    out = sum(1 for row in rows if row.pk not in allowed)
    if _refuse_out_of_reach(request, modeladmin, out, len(rows)):
        return None
    active = [row for row in rows if row.status == SelfHelpGroup.Status.ACTIVE]
    done = _run_all(
        request,
        modeladmin,
        active,
        lambda row: group_update(
            actor=request.user, group=row, status=SelfHelpGroup.Status.DORMANT
        ),
    )
    if done is not None:
        modeladmin.message_user(
            request,
            _("%(count)s KSM are now dormant; %(skipped)s were not active.")
            % {"count": done, "skipped": len(rows) - len(active)},
            messages.SUCCESS,
        )
    return None


def _one(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(
            request, _("Select one officer at a time: each gets their own slip."), messages.ERROR
        )
        return None
    return queryset.first()


def _slip_for(request, modeladmin, reset, holder: str, role: str, entity):
    from accounts.slips import show_slip

    try:
        issued = reset(actor=request.user)
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        return None
    return show_slip(
        request,
        issued,
        holder=holder,
        role=role,
        entity=str(entity),
        back_url=request.get_full_path(),
    )


@admin.action(description=gettext_lazy("Reset the officer's login (a new code on a slip)"))
def reset_membership_login(modeladmin, request, queryset):
    from groups.models import SelfHelpGroup
    from groups.services import membership_login_reset

    membership = _one(modeladmin, request, queryset.select_related("member__user", "group"))
    if membership is None:
        return None
    if not SelfHelpGroup.objects.editable_by(request.user).filter(pk=membership.group_id).exists():
        _refuse_out_of_reach(request, modeladmin, 1, 1)
        return None
    return _slip_for(
        request,
        modeladmin,
        lambda **kw: membership_login_reset(membership=membership, **kw),
        membership.member.full_name,
        membership.get_role_display(),
        membership.group,
    )


@admin.action(description=gettext_lazy("Reset the officer's login (a new code on a slip)"))
def reset_officer_login(modeladmin, request, queryset):
    from groups.services import officer_login_reset

    officer = _one(modeladmin, request, queryset.select_related("bumdes", "cooperative", "user"))
    if officer is None:
        return None
    entity = officer.entity
    if not type(entity).objects.editable_by(request.user).filter(pk=entity.pk).exists():
        _refuse_out_of_reach(request, modeladmin, 1, 1)
        return None
    return _slip_for(
        request,
        modeladmin,
        lambda **kw: officer_login_reset(officer=officer, **kw),
        officer.full_name,
        officer.get_role_display(),
        entity,
    )


def _reopen(modeladmin, request, queryset, books_and_months):
    from finance.services.periods import may_reopen, period_reopen

    if not may_reopen(request.user):
        _refuse_out_of_reach(request, modeladmin, len(books_and_months), len(books_and_months))
        return None
    asked = _ask(
        modeladmin,
        request,
        queryset,
        ReasonForm,
        _("Reopen a closed month"),
        _(
            "The last closed month of each book opens again for corrections; the reason is "
            "kept in the month's history."
        ),
    )
    if not isinstance(asked, dict):
        return asked
    done = _run_all(
        request,
        modeladmin,
        books_and_months,
        lambda pair: period_reopen(
            book=pair[0], month=pair[1], actor=request.user, reason=asked["reason"]
        ),
    )
    if done is not None:
        modeladmin.message_user(
            request, _("%(count)s months reopened.") % {"count": done}, messages.SUCCESS
        )
    return None


class _BookMonth(tuple):
    def __str__(self):
        from finance.services.periods import month_label

        book, month = self
        return f"{book} {month_label(month)}" if month else str(book)


@admin.action(description=gettext_lazy("Reopen the selected months (with a reason)"))
def reopen_periods(modeladmin, request, queryset):
    rows = list(queryset.select_related("book__group", "book__bumdes", "book__cooperative"))
    return _reopen(
        modeladmin, request, queryset, [_BookMonth((row.book, row.month)) for row in rows]
    )


@admin.action(description=gettext_lazy("Reopen the last closed month (with a reason)"))
def reopen_last_month(modeladmin, request, queryset):
    rows = list(queryset.select_related("group", "bumdes", "cooperative"))
    return _reopen(modeladmin, request, queryset, [_BookMonth((book, None)) for book in rows])


EXPORT_ACTIONS = (export_xlsx, export_csv)
