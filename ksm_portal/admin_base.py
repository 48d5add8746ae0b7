"""What every admin page of the portal shares.

- `PortalAdmin`: no COUNT(*) over a national table (estimated counts), and a History page that
  works for every model: django-simple-history's where the model keeps history, Django's own
  log otherwise (SimpleHistoryAdmin on a model without history answered 500). Reverting from a
  historical version is off: it would write the row without the service's checks.
- `ServiceAdmin`: master data saved through the same service the site uses (`service_save`),
  so its checks, counters and history apply. The admin form runs the service first in a
  savepoint that is always rolled back, so what the service refuses shows on the form, with
  the service's own Indonesian message, and nothing is written.
- `ReadOnlyAdmin`: posted financial records: no add, change or delete, for anyone.
"""

import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from .models_base import AUDIT_FIELDS
from .pagination import EstimatedCountPaginator
from .services_base import validated_save


def has_history(model) -> bool:
    """The model keeps django-simple-history records."""
    return hasattr(model._meta, "simple_history_manager_attribute")


class PortalAdmin(SimpleHistoryAdmin):
    show_full_result_count = False  # no COUNT(*) over a national table on every changelist
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # (pattern, lookup): a search term that matches the pattern searches those lookups only,
    # case-sensitively, so a btree index serves it: ("\d{4,16}", "nik__startswith") uses the
    # NIK's varchar_pattern_ops index. Django's own "^field" / "=field" compare UPPER(field),
    # which no plain index serves. Other terms go to `search_fields` (names: trigram indexes).
    indexed_search: tuple[tuple[str, str], ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        lookups = [lookup for pattern, lookup in self.indexed_search if re.fullmatch(pattern, term)]
        if lookups:
            condition = Q()
            for lookup in lookups:
                condition |= Q(**{lookup: term})
            return queryset.filter(condition), False
        return super().get_search_results(request, queryset, search_term)

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not has_history(model):
            # Django's own history template (the admin log) instead of simple-history's.
            self.object_history_template = None

    def history_view(self, request, object_id, extra_context=None):
        if not has_history(self.model):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not has_history(self.model):
            raise PermissionDenied
        if request.method == "POST":
            raise PermissionDenied  # a revert would bypass the service
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True


class _ServiceCheckedForm:
    """Mixed into the admin's ModelForm: after the model's own validation, the service is run
    on the instance inside a savepoint that is rolled back, and its ValidationError becomes the
    form's errors."""

    _service_admin = None
    _service_request = None
    _service_change = False

    class _DryRun(Exception):
        pass

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self._service_admin is None:
            return
        try:
            with transaction.atomic():
                self._service_admin.service_save(
                    self._service_request,
                    self.instance,
                    self._service_change,
                    dry_run=True,
                    data=self.cleaned_data,
                )
                raise self._DryRun
        except self._DryRun:
            pass
        except ValidationError as error:
            self._update_errors(error)
        except PermissionDenied as error:
            self.add_error(None, str(error))


class ServiceAdmin(PortalAdmin):
    """Admin saves go through `service_save(request, obj, change, dry_run, data)` (`data`: the
    form's cleaned data, for what the instance does not hold, such as many-to-many choices);
    subclasses call their app's service there. On add, a service that makes its own row
    returns it, and its values are copied onto the admin's object (for the log and the
    redirect)."""

    readonly_fields = AUDIT_FIELDS

    def service_save(self, request, obj, change: bool, dry_run: bool = False):
        return validated_save(obj, actor=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(
            form.__name__,
            (_ServiceCheckedForm, form),
            {"_service_admin": self, "_service_request": request, "_service_change": change},
        )

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, change, data=form.cleaned_data)
        if saved is not None and saved is not obj:
            for model_field in obj._meta.concrete_fields:
                setattr(obj, model_field.attname, getattr(saved, model_field.attname))
            obj._state.adding = False
            obj._state.db = saved._state.db

    def has_delete_permission(self, request, obj=None):
        # Master data is ended (a leaving date, a status), never deleted from admin.
        return False


# The name the apps' admin modules already use.
AuditedAdmin = ServiceAdmin


class ReadOnlyAdmin(PortalAdmin):
    """Posted records are changed only by the site's flows (reversals); admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionAdmin(ServiceAdmin):
    search_fields = ("name",)
    indexed_search = ((r"[\d.]+", "code__startswith"),)
    ordering = ("code",)
    list_display = ("code", "name")
    readonly_fields = ()
    # The service that writes the region (villages.services), as a staticmethod.
    upsert = None

    def get_readonly_fields(self, request, obj=None):
        # A region's code is its identity (the upsert finds the row by it).
        return ("code",) if obj is not None else ()

    def service_save(self, request, obj, change, dry_run=False, data=None):
        parent = {obj.parent_field: getattr(obj, obj.parent_field)} if obj.parent_field else {}
        # The upsert finds the row by its code (the form has refused a new row with a code
        # already taken) and sets its name and parent.
        return self.upsert(code=obj.code, name=obj.name, **parent)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
