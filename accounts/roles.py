"""The staff roles, as Django groups whose permissions are kept here, in code.

- Program staff (Staf program): read every region and book; register and change KSM, members,
  BUMDes and cooperatives, and make officer logins, anywhere; read everything in admin.
- Finance staff (Staf keuangan): read every region and book; post to and correct any books and
  reopen closed months; read everything in admin.
- Administrators (Administrator): all of the above, and every change in admin (users too).

`staff_roles_sync` runs after every `migrate`: each group then holds exactly these permissions
(a permission added to a group by hand in admin is taken away again; change this file instead).
A staff member also needs "staff status" (`is_staff`) to open admin.
"""

from django.utils.translation import gettext_lazy as _

PROGRAM_STAFF = "Staf program"
FINANCE_STAFF = "Staf keuangan"
ADMINISTRATORS = "Administrator"

# The apps whose models staff read (and administrators change) in admin; "axes" holds the
# login attempts and lockouts (an administrator unlocks a login by deleting its lock).
PORTAL_APPS = ("villages", "groups", "finance", "training", "accounts", "imports", "axes")

STAFF_ROLES = {
    PROGRAM_STAFF: {
        "label": _("Program staff"),
        "permissions": ["accounts.view_all_regions", "accounts.change_register"],
        "admin": "view",
    },
    FINANCE_STAFF: {
        "label": _("Finance staff"),
        "permissions": [
            "accounts.view_all_regions",
            "accounts.post_entries",
            "accounts.reopen_periods",
        ],
        "admin": "view",
    },
    ADMINISTRATORS: {
        "label": _("Administrators"),
        "permissions": [
            "accounts.view_all_regions",
            "accounts.change_register",
            "accounts.post_entries",
            "accounts.reopen_periods",
        ],
        "admin": "all",
    },
}


def _role_permissions(Permission, spec) -> list:
    wanted = []
    for name in spec["permissions"]:
        app_label, codename = name.split(".")
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    portal = Permission.objects.filter(content_type__app_label__in=PORTAL_APPS)
    if spec["admin"] == "view":
        wanted += list(portal.filter(codename__startswith="view_"))
    else:
        wanted += list(portal)
        wanted += list(Permission.objects.filter(content_type__app_label="auth"))
    return wanted


def staff_roles_sync(sender=None, using="default", apps=None, **kwargs) -> None:
    """Create the staff role groups and give each exactly its permissions (idempotent)."""
    from django.apps import apps as registry
    from django.contrib.auth.models import Group, Permission

    if sender is not None:
        # post_migrate comes once per app: act after the last one, when every app's
        # permissions exist.
        with_models = [c for c in registry.get_app_configs() if c.models_module is not None]
        if sender is not with_models[-1]:
            return

    for name, spec in STAFF_ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(_role_permissions(Permission, spec))
