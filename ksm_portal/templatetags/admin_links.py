"""{% admin_link obj %}: "Open in admin" to the object's admin page, for staff who may see it
there; nothing for anyone else."""

from django import template
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def admin_url(user, obj) -> str | None:
    """The object's admin change page, if `user` is staff and may view it there."""
    if obj is None or not getattr(user, "is_staff", False) or not user.is_active:
        return None
    model_admin = admin.site._registry.get(type(obj))
    if model_admin is None:
        return None
    opts = obj._meta
    if not (
        user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    ):
        return None
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def admin_link(context, obj, css_class="btn btn-outline-secondary"):
    request = context.get("request")
    url = admin_url(getattr(request, "user", None), obj)
    if url is None:
        return ""
    return format_html(
        '<a class="{}" href="{}" data-admin-link>{}</a>', css_class, url, _("Open in admin")
    )
