"""KSM, member, cooperative and officer pages. Every object comes through `visible_to` (404
outside the user's scope) and every write through a service."""

from .cooperatives import (
    cooperative_admit,
    cooperative_create,
    cooperative_detail,
    cooperative_list,
    cooperative_membership_end,
    cooperative_update,
)
from .ksm import group_create, group_detail, group_list_view, group_update
from .members import (
    member_add,
    member_search_view,
    member_update,
    membership_end,
    membership_role,
)
from .officers import (
    membership_login,
    membership_login_reset,
    officer_add,
    officer_end,
    officer_login,
    officer_login_reset,
)

__all__ = [
    "cooperative_admit",
    "cooperative_create",
    "cooperative_detail",
    "cooperative_list",
    "cooperative_membership_end",
    "cooperative_update",
    "group_create",
    "group_detail",
    "group_list_view",
    "group_update",
    "member_add",
    "member_search_view",
    "member_update",
    "membership_end",
    "membership_login",
    "membership_login_reset",
    "membership_role",
    "officer_add",
    "officer_end",
    "officer_login",
    "officer_login_reset",
]
