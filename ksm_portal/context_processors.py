from groups.selectors import roles_for


def roles(request):
    """Expose the user's roles to every template (menus show only what the user may use)."""
    return {"roles": roles_for(request.user)}
