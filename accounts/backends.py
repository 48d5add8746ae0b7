"""The login backends: Django's (and the throttled one), reading the user's roles stamp with
the user row, so that a scope kept in the session (`ksm_portal.scope`) is checked without a
query of its own."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery

from .models import RolesVersion


class StampedUserMixin:
    def get_user(self, user_id):
        """The user row with `roles_stamp` (None when no role of theirs ever changed)."""
        model = get_user_model()
        try:
            user = model._default_manager.annotate(
                roles_stamp=Subquery(
                    RolesVersion.objects.filter(user_id=OuterRef("pk")).values("stamp")[:1]
                )
            ).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PortalBackend(StampedUserMixin, ModelBackend):
    """`django.contrib.auth.backends.ModelBackend` with the roles stamp."""

    def get_all_permissions(self, user_obj, obj=None):
        """Django's permission set (admin links ask for it), kept in the session with the
        scope: read again only when the roles stamp changes."""
        if obj is None and user_obj.is_active and not hasattr(user_obj, "_perm_cache"):
            from ksm_portal.scope import session_kept

            held = session_kept(
                user_obj,
                "perms",
                lambda: sorted(ModelBackend.get_all_permissions(self, user_obj)),
            )
            user_obj._perm_cache = set(held)
        return super().get_all_permissions(user_obj, obj)
