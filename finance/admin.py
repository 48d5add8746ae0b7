from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ksm_portal.pagination import EstimatedCountPaginator

from .models import Account, Book, FiscalPeriod, JournalEntry, JournalLine


class ReadOnlyAdmin(admin.ModelAdmin):
    """Posted books are changed only by posting (reversals); admin shows them."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Book)
class BookAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "opening_date", "closed_through")
    search_fields = ("group__name", "bumdes__name", "cooperative__name")
    list_select_related = ("group", "bumdes", "cooperative")
    autocomplete_fields = ("group", "bumdes", "cooperative")
    readonly_fields = ("closed_through", "created_at")
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # A book keeps its owner; its opening date moves only while nothing is posted.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["group", "bumdes", "cooperative"]
            if obj.entries.exists():
                fields.append("opening_date")
        return fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "book", "type", "normal_balance", "is_active")
    list_filter = ("type", "is_active")
    search_fields = ("code", "name", "book__group__name")
    list_select_related = ("book__group", "book__bumdes", "book__cooperative")
    autocomplete_fields = ("book", "parent")
    readonly_fields = ("role",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_readonly_fields(self, request, obj=None):
        # The rules of finance.services.accounts: accounts that feed the forms stay active
        # with their type; type and side change only while an account has no entries.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.role or obj.lines.exists()):
            fields += ["type", "normal_balance", "is_active", "is_header", "parent", "book"]
        return fields

    def has_delete_permission(self, request, obj=None):
        # Accounts with lines are deactivated, never deleted.
        return obj is not None and not obj.lines.exists()


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    fields = ("account", "member", "debit", "credit", "memo")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "entry_date",
        "description",
        "kind",
        "book",
        "posted_by",
        "posted_at",
    )
    list_filter = ("kind",)
    search_fields = ("description", "receipt_ref", "book__group__name")
    list_select_related = ("book__group", "book__bumdes", "book__cooperative", "posted_by")
    inlines = [JournalLineInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FiscalPeriod)
class FiscalPeriodAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("book", "month", "closed_at", "closed_by", "reopened_at", "reopened_by")
    list_select_related = ("book__group", "closed_by", "reopened_by")
