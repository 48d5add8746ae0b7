from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models_base import AUDIT_FIELDS
from .pagination import EstimatedCountPaginator
from .services_base import validated_save


class AuditedAdmin(SimpleHistoryAdmin):
    """Admin for audited models: audit fields read-only, saves through the validated write path
    (the same model validation and constraint messages as the services)."""

    readonly_fields = AUDIT_FIELDS
    show_full_result_count = False  # no COUNT(*) over a national table on every changelist
    paginator = EstimatedCountPaginator

    def save_model(self, request, obj, form, change):
        validated_save(obj, actor=request.user)


class RegionAdmin(admin.ModelAdmin):
    search_fields = ("code", "name")
    ordering = ("code",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_display = ("code", "name")
