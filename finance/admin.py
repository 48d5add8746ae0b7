"""Books in admin. Posted records (entries, loans, meetings, SHU distributions, periods) are
read-only: they change only by the site's flows, which post reversals; their pages link there.
What staff may set up (a book's opening date, accounts, loan products) goes through
finance.services."""

import re

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ksm_portal.admin_actions import EXPORT_ACTIONS, reopen_last_month, reopen_periods
from ksm_portal.admin_base import PortalAdmin, ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin
from villages.admin_filters import region_filters

from .models import (
    Account,
    Book,
    BusinessUnit,
    FiscalPeriod,
    Instalment,
    JournalEntry,
    JournalLine,
    Loan,
    LoanProduct,
    LoanSchedule,
    Meeting,
    MeetingLine,
    SavingsRule,
    SurplusDistribution,
    SurplusShare,
)
from .services import accounts as account_services
from .services.loans import loan_product_save

BOOK_OWNERS = ("book__group", "book__bumdes", "book__cooperative")
BOOK_OWNERS_OF_BOOK = ("group", "bumdes", "cooperative")


def _book_id(request) -> int | None:
    value = request.GET.get("book", "")
    return int(value) if value.isdigit() else None


class SearchWithinBook:
    """Entries and accounts (tens of millions nationally) are searched within one book, whose
    index (book, ...) serves the search; without a book chosen, the search asks for one."""

    def get_search_results(self, request, queryset, search_term):
        if not (search_term or "").strip() or request.path.endswith("/autocomplete/"):
            return super().get_search_results(request, queryset, search_term)
        if _book_id(request) is None:
            self.message_user(
                request,
                _("Choose a book first (the links on a book's admin page), then search in it."),
                messages.WARNING,
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class BookFilter(admin.SimpleListFilter):
    """?book=<id>, as the links from a book's admin page give it; no list of every book."""

    title = _("book")
    parameter_name = "book"

    def lookups(self, request, model_admin):
        value = request.GET.get(self.parameter_name)
        if value and value.isdigit():
            book = Book.objects.filter(pk=value).select_related(*BOOK_OWNERS_OF_BOOK).first()
            if book:
                return [(str(book.pk), str(book))]
        return []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(book_id=int(value))
        return queryset


def _entry_links(entries):
    """Each entry: its admin page, its page in the site and the site's reversal form."""
    rows = [
        (
            reverse("admin:finance_journalentry_change", args=[entry.pk]),
            entry.reference,
            entry.description,
            entry.get_absolute_url(),
            _("open in the site"),
            reverse("finance:entry_reverse", args=[entry.book_id, entry.pk]),
            _("reverse"),
        )
        for entry in entries
    ]
    if not rows:
        return "-"
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            '<li><a href="{}">{}</a> {} · <a href="{}">{}</a> · <a href="{}">{}</a></li>',
            rows,
        ),
    )


@admin.register(Book)
class BookAdmin(PortalAdmin):
    list_display = ("__str__", "opening_date", "closed_through")
    list_filter = region_filters("group__village")
    search_fields = ("group__name", "bumdes__name", "cooperative__name")
    indexed_search = ((r".*/.*", "group__registration_number"),)
    list_select_related = BOOK_OWNERS_OF_BOOK
    autocomplete_fields = ("group", "bumdes", "cooperative")
    readonly_fields = ("closed_through", "created_at", "records")
    ordering = ("-pk",)
    actions = [*EXPORT_ACTIONS, reopen_last_month]

    @admin.display(description=_("records"))
    def records(self, obj):
        if obj.pk is None:
            return "-"
        links = [
            ("finance_journalentry", _("journal entries")),
            ("finance_loan", _("loans")),
            ("finance_meeting", _("monthly meetings")),
            ("finance_fiscalperiod", _("fiscal periods")),
            ("finance_account", _("accounts")),
        ]
        return format_html_join(
            " · ",
            '<a href="{}?book={}">{}</a>',
            ((reverse(f"admin:{name}_changelist"), obj.pk, label) for name, label in links),
        )

    def get_readonly_fields(self, request, obj=None):
        # A book keeps its owner; its opening date moves only while nothing is posted.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["group", "bumdes", "cooperative"]
            if obj.entries.exists():
                fields.append("opening_date")
        return fields

    def has_add_permission(self, request):
        return False  # books are opened from the owner's page (book_open, with the chart)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(SearchWithinBook, ServiceAdmin):
    list_display = ("code", "name", "book", "type", "normal_balance", "is_active")
    list_filter = (BookFilter, "type", "is_active")
    search_fields = ("^code", "name")
    list_select_related = BOOK_OWNERS
    autocomplete_fields = ("book", "parent")
    readonly_fields = ("role",)
    actions = [*EXPORT_ACTIONS]

    def get_readonly_fields(self, request, obj=None):
        # The rules of finance.services.accounts: accounts that feed the forms stay active
        # with their type; type and side change only while an account has no entries.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("book")
            if obj.role or obj.lines.exists():
                fields += ["type", "normal_balance", "is_active", "is_header", "parent"]
        return fields

    def has_add_permission(self, request):
        return False  # accounts are added on the book's chart page (account_create)

    def service_save(self, request, obj, change, dry_run=False, data=None):
        # account_update reads the saved row and checks what changed (type, deactivation).
        fields = {name: getattr(obj, name) for name in account_services.ACCOUNT_FIELDS}
        return account_services.account_update(account=obj, actor=request.user, **fields)


class JournalLineInline(ReadOnlyInline):
    model = JournalLine
    fields = ("account", "member", "party_group", "loan", "debit", "credit", "memo")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("account", "member", "party_group", "loan")
        )


@admin.register(JournalEntry)
class JournalEntryAdmin(SearchWithinBook, ReadOnlyAdmin):
    list_display = ("reference", "entry_date", "description", "kind", "book", "posted_by")
    list_filter = (BookFilter, "kind")
    search_fields = ("receipt_ref", "description")
    search_help_text = _("Within a book: a reference such as 2017/00042, or a receipt number.")
    list_select_related = (*BOOK_OWNERS, "posted_by")
    ordering = ("-pk",)
    readonly_fields = ("site_links",)
    inlines = [JournalLineInline]
    actions = [*EXPORT_ACTIONS]

    @admin.display(description=_("in the site"))
    def site_links(self, obj):
        return _entry_links([obj])

    def get_search_results(self, request, queryset, search_term):
        match = re.fullmatch(r"\s*(\d{4})/(\d{1,9})\s*", search_term or "")
        if match and _book_id(request) is not None:
            year, number = int(match[1]), int(match[2])
            return queryset.filter(year=year, number=number), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(FiscalPeriod)
class FiscalPeriodAdmin(ReadOnlyAdmin):
    list_display = ("book", "month", "closed_at", "closed_by", "reopened_at", "reopened_by")
    list_filter = (BookFilter, ("closed_at", admin.EmptyFieldListFilter))
    list_select_related = (*BOOK_OWNERS, "closed_by", "reopened_by")
    ordering = ("-pk",)
    actions = [*EXPORT_ACTIONS, reopen_periods]


@admin.register(LoanProduct)
class LoanProductAdmin(ServiceAdmin):
    list_display = (
        "name",
        "book",
        "interest_method",
        "monthly_rate",
        "max_term_months",
        "is_active",
    )
    list_filter = (BookFilter, "interest_method", "is_active")
    search_fields = ("name",)
    list_select_related = BOOK_OWNERS
    autocomplete_fields = ("book",)
    actions = [*EXPORT_ACTIONS]

    readonly_fields = ()

    def get_readonly_fields(self, request, obj=None):
        return ("book",) if obj is not None else ()

    def service_save(self, request, obj, change, dry_run=False, data=None):
        fields = {
            f.name: getattr(obj, f.name)
            for f in LoanProduct._meta.concrete_fields
            if f.editable and f.name not in ("id", "book")
        }
        return loan_product_save(book=obj.book, product=obj if change else None, **fields)


class LoanScheduleInline(ReadOnlyInline):
    model = LoanSchedule
    fields = ("version", "start_date", "principal", "monthly_rate", "term_months", "reason")
    readonly_fields = fields
    show_change_link = False


class RepaymentInline(ReadOnlyInline):
    """The loan's lines in the journal: disbursement, repayments, write-off."""

    model = JournalLine
    fk_name = "loan"
    verbose_name = _("journal line")
    verbose_name_plural = _("repayments and other lines")
    fields = ("entry", "entry_date", "account", "debit", "credit", "memo")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry", "account")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "book", "status", "principal", "balance", "applied_date")
    list_filter = (BookFilter, "status", "direction")
    search_fields = ("member__full_name",)
    indexed_search = ((r"\d{4,16}", "member__nik__startswith"),)
    list_select_related = (*BOOK_OWNERS, "member", "borrower_group")
    ordering = ("-pk",)
    readonly_fields = ("instalments", "entries", "site_link")
    inlines = [LoanScheduleInline, RepaymentInline]
    actions = [*EXPORT_ACTIONS]

    @admin.display(description=_("instalments"))
    def instalments(self, obj):
        schedule = obj.schedules.order_by("-version").first()
        if schedule is None:
            return "-"
        rows = Instalment.objects.filter(schedule=schedule).order_by("number")
        return format_html(
            "<table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("due on"),
            _("principal"),
            _("interest"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (i.number, i.due_date.strftime("%d-%m-%Y"), i.principal, i.interest)
                    for i in rows
                ),
            ),
        )

    @admin.display(description=_("journal entries"))
    def entries(self, obj):
        entries = JournalEntry.objects.filter(
            pk__in=JournalLine.objects.filter(loan=obj).values("entry_id")
        ).order_by("entry_date", "pk")
        return _entry_links(entries)

    @admin.display(description=_("in the site"))
    def site_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("open in the site"))


class MeetingLineInline(ReadOnlyInline):
    model = MeetingLine
    fields = ("member", "present", "mandatory", "voluntary_in", "voluntary_out", "repayment")
    fields += ("fine", "entry")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "entry")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "meeting_date", "present_count", "members_count", "total_in")
    list_filter = (BookFilter,)
    search_fields = ("group__name",)
    indexed_search = ((r".*/.*", "group__registration_number"),)
    list_select_related = ("group",)
    ordering = ("-pk",)
    date_hierarchy = None
    readonly_fields = ("entries", "site_link")
    inlines = [MeetingLineInline]
    actions = [*EXPORT_ACTIONS]

    @admin.display(description=_("journal entries"))
    def entries(self, obj):
        return _entry_links(JournalEntry.objects.filter(meeting_line__meeting=obj).order_by("pk"))

    @admin.display(description=_("in the site"))
    def site_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("open in the site"))


class SurplusShareInline(ReadOnlyInline):
    model = SurplusShare
    fields = ("group", "member", "transactions", "savings", "by_transactions", "by_savings")
    readonly_fields = fields
    show_change_link = False


@admin.register(SurplusDistribution)
class SurplusDistributionAdmin(ReadOnlyAdmin):
    list_display = ("book", "year", "decided_date", "surplus", "status")
    list_filter = (BookFilter, "status")
    list_select_related = BOOK_OWNERS
    ordering = ("-pk",)
    readonly_fields = ("entries",)
    inlines = [SurplusShareInline]
    actions = [*EXPORT_ACTIONS]

    @admin.display(description=_("journal entries"))
    def entries(self, obj):
        return _entry_links([obj.entry] if obj.entry_id else [])


@admin.register(BusinessUnit)
class BusinessUnitAdmin(ReadOnlyAdmin):
    """Made on the book's page (business_unit_create opens its two accounts)."""

    list_display = ("name", "book", "income_account", "expense_account", "is_active")
    list_filter = (BookFilter, "is_active")
    search_fields = ("name",)
    list_select_related = (*BOOK_OWNERS, "income_account", "expense_account")
    actions = [*EXPORT_ACTIONS]


@admin.register(SavingsRule)
class SavingsRuleAdmin(ReadOnlyAdmin):
    """Set on the book's savings page (savings_rule_set); every rule kept with its date."""

    list_display = ("book", "valid_from", "pokok", "wajib", "set_by")
    list_filter = (BookFilter,)
    list_select_related = (*BOOK_OWNERS, "set_by")
    ordering = ("-pk",)
    actions = [*EXPORT_ACTIONS]
