"""Admin: the managed lists (topics, levels, rubric) are edited here by programme staff; the
records facilitators make (trainings, visits, assessments) are shown for lookup and kept to
the same validation as the services."""

from django.contrib import admin

from ksm_portal.admin_base import AuditedAdmin

from .models import (
    Answer,
    Area,
    Assessment,
    Attendance,
    Criterion,
    FollowUpAction,
    Invitation,
    Level,
    Material,
    Topic,
    TrainingEvent,
    Visit,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_core", "is_active", "sort_order")
    list_editable = ("is_core", "is_active", "sort_order")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("name", "min_score")
    ordering = ("min_score",)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("sort_order", "code", "text", "source", "max_score", "thresholds", "is_active")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "weight", "sort_order")
    list_editable = ("weight", "sort_order")
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("text", "area", "source", "max_score", "thresholds", "is_active")
    list_filter = ("area", "source", "is_active")
    search_fields = ("text", "code")
    list_select_related = ("area",)


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ("group",)
    readonly_fields = ("created_at", "created_by")


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("title", "original_name", "size", "content_type", "created_at")
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the training page, which checks type and size


@admin.register(TrainingEvent)
class TrainingEventAdmin(AuditedAdmin):
    list_display = ("title", "start_date", "end_date", "village", "trainer", "organiser")
    list_filter = ("topics",)
    search_fields = ("title", "trainer", "village__name", "village__code")
    date_hierarchy = "start_date"
    list_select_related = ("village", "organiser")
    autocomplete_fields = ("village", "organiser")
    filter_horizontal = ("topics",)
    inlines = [InvitationInline, MaterialInline]


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ("member", "group", "role", "event", "pre_score", "post_score")
    list_filter = ("role",)
    search_fields = ("member__full_name", "=member__nik", "group__name", "event__title")
    list_select_related = ("member", "group", "event")
    autocomplete_fields = ("member", "group", "event")


class FollowUpInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    fields = ("description", "responsible", "due_date", "status", "closed_date", "closing_note")


@admin.register(Visit)
class VisitAdmin(AuditedAdmin):
    list_display = ("group", "visit_date", "facilitator")
    search_fields = ("group__name", "facilitator__username", "findings")
    date_hierarchy = "visit_date"
    list_select_related = ("group", "facilitator")
    autocomplete_fields = ("group", "facilitator", "attendees")
    filter_horizontal = ("topics",)
    inlines = [FollowUpInline]

    def save_formset(self, request, form, formset, change):
        for action in formset.save(commit=False):
            action.group_id = form.instance.group_id
            action.save()
        for action in formset.deleted_objects:
            action.delete()


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("criterion", "score", "max_score", "is_auto", "figure", "evidence")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(AuditedAdmin):
    """Read-only: assessments are scored and confirmed on the group's pages."""

    list_display = ("group", "assessment_date", "status", "score", "level", "is_current")
    list_filter = ("status", "level", "is_current")
    search_fields = ("group__name",)
    date_hierarchy = "assessment_date"
    list_select_related = ("group", "level")
    inlines = [AnswerInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
