"""Admin: the managed lists (topics, levels, rubric) are edited here by programme staff; the
records facilitators make (trainings, visits, assessments) are shown for lookup and kept to
the same validation as the services."""

from django.contrib import admin

from ksm_portal.admin_actions import EXPORT_ACTIONS
from ksm_portal.admin_base import AuditedAdmin, ReadOnlyAdmin
from villages.admin_filters import region_filters

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
from .services import trainings


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


class AttendanceInline(admin.TabularInline):
    """Who came, read with the training; recorded on the training's pages (attendance_record
    checks membership and invitation)."""

    model = Attendance
    extra = 0
    fields = ("member", "group", "role", "pre_score", "post_score")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "group")


@admin.register(TrainingEvent)
class TrainingEventAdmin(AuditedAdmin):
    list_display = ("title", "start_date", "end_date", "village", "trainer", "organiser")
    list_filter = (*region_filters("village"), "topics")
    search_fields = ("title", "trainer")
    indexed_search = ((r"\d{2}(\.\d{2}){0,2}(\.\d{1,4})?", "village__code__startswith"),)
    date_hierarchy = "start_date"
    ordering = ("-start_date", "-pk")
    list_select_related = ("village", "organiser")
    actions = [*EXPORT_ACTIONS]
    autocomplete_fields = ("village", "organiser")
    filter_horizontal = ("topics",)
    inlines = [InvitationInline, MaterialInline, AttendanceInline]

    def service_save(self, request, obj, change, dry_run=False, data=None):
        # training_create / training_update: the organiser must be the village's facilitator
        # (unless staff organise it themselves), at least one topic, no future date once
        # attendance is recorded.
        fields = {name: getattr(obj, name) for name in trainings.EVENT_FIELDS}
        topics = (data or {}).get("topics")
        organiser = obj.organiser if obj.organiser_id else None
        if change:
            return trainings.training_update(
                actor=request.user, event=obj, topics=topics, organiser=organiser, **fields
            )
        return trainings.training_create(
            actor=request.user, topics=topics or [], organiser=organiser, **fields
        )


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ("member", "group", "role", "event", "pre_score", "post_score")
    list_filter = (*region_filters("group__village"), "role")
    search_fields = ("member__full_name", "group__name", "event__title")
    indexed_search = ((r"\d{4,16}", "member__nik__startswith"),)
    list_select_related = ("member", "group", "event")
    ordering = ("-pk",)
    actions = [*EXPORT_ACTIONS]
    autocomplete_fields = ("member", "group", "event")


class FollowUpInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    fields = ("description", "responsible", "due_date", "status", "closed_date", "closing_note")


@admin.register(Visit)
class VisitAdmin(AuditedAdmin):
    list_display = ("group", "visit_date", "facilitator")
    list_filter = region_filters("group__village")
    search_fields = ("group__name", "facilitator__username")
    indexed_search = ((r".*/.*", "group__registration_number"),)
    date_hierarchy = "visit_date"
    ordering = ("-visit_date", "-pk")
    actions = [*EXPORT_ACTIONS]
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
    list_filter = (*region_filters("group__village"), "status", "level", "is_current")
    search_fields = ("group__name",)
    indexed_search = ((r".*/.*", "group__registration_number"),)
    date_hierarchy = "assessment_date"
    ordering = ("-assessment_date", "-pk")
    list_select_related = ("group", "level")
    actions = [*EXPORT_ACTIONS]
    inlines = [AnswerInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    """Uploaded on the training's page, which checks type and size."""

    list_display = ("title", "event", "original_name", "size", "created_at")
    search_fields = ("title", "event__title")
    list_select_related = ("event",)
    ordering = ("-pk",)


@admin.register(FollowUpAction)
class FollowUpActionAdmin(AuditedAdmin):
    list_display = ("description", "group", "responsible", "due_date", "status")
    list_filter = (*region_filters("group__village"), "status")
    search_fields = ("group__name", "responsible", "description")
    list_select_related = ("group",)
    autocomplete_fields = ("group", "visit")
    ordering = ("-due_date", "-pk")
    actions = [*EXPORT_ACTIONS]
