from django.contrib import admin

from ksm_portal.admin_actions import EXPORT_ACTIONS
from ksm_portal.admin_base import ReadOnlyAdmin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Files are uploaded, checked and imported from the site's import pages (with their
    preview); admin shows them, who did what and when (History)."""

    list_display = (
        "file_name",
        "kind",
        "status",
        "rows_total",
        "rows_problem",
        "rows_new",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)
    search_fields = ("^file_name", "^created_by__username")
    date_hierarchy = "created_at"
    ordering = ("-pk",)
    actions = [*EXPORT_ACTIONS]
