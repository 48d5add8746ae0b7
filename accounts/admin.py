from django.contrib import admin

from ksm_portal.admin_actions import EXPORT_ACTIONS
from ksm_portal.admin_base import PortalAdmin

from .models import ActivationCode, LoginEvent


@admin.register(ActivationCode)
class ActivationCodeAdmin(PortalAdmin):
    """Codes are made from the site (the officer's group page); admin only shows them."""

    list_display = ("user", "created_at", "created_by", "expires_at", "used_at", "revoked_at")
    list_select_related = ("user", "created_by")
    search_fields = ("^user__username",)
    ordering = ("-pk",)
    readonly_fields = [f.name for f in ActivationCode._meta.fields]
    exclude = ("code_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(PortalAdmin):
    list_display = ("at", "kind", "username", "ip_address")
    list_filter = ("kind",)
    search_fields = ("^username", "=ip_address")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")
    actions = [*EXPORT_ACTIONS]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
