from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksm_portal.admin_actions import EXPORT_ACTIONS
from ksm_portal.admin_base import PortalAdmin

from .models import ActivationCode, LoginEvent
from .services import login_unlock


@admin.action(
    description=gettext_lazy("Unlock the selected logins (password and activation code)"),
    permissions=["unlock"],
)
def unlock_logins(modeladmin, request, queryset):
    """Lift the locks of the usernames and addresses of the ticked events, at once."""
    pairs = {
        (event.username, event.ip_address) for event in queryset.only("username", "ip_address")
    }
    for username, address in sorted(pairs, key=lambda pair: (pair[0], pair[1] or "")):
        login_unlock(username=username, ip_address=address)
    modeladmin.message_user(
        request,
        _("Unlocked: %(names)s. They can log in and activate again.")
        % {"names": ", ".join(sorted({username for username, _address in pairs}))},
        messages.SUCCESS,
    )


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
    actions = [*EXPORT_ACTIONS, unlock_logins]

    def has_unlock_permission(self, request):
        # The same right as deleting a lock in django-axes' own admin (administrators).
        return request.user.has_perm("axes.delete_accessattempt")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
