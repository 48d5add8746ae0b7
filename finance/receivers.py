"""Books opened: the owner's officers get a new roles stamp, so their menus (kept under it,
`ksm_portal.scope`) gain the links to the new books."""

from django.db.models.signals import post_save

from groups.receivers import ksm_officer_users, office_users
from ksm_portal.scope import roles_changed


def book_opened(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created:
        return
    if instance.group_id:
        roles_changed(ksm_officer_users(instance.group_id))
    elif instance.bumdes_id:
        roles_changed(office_users(bumdes=instance.bumdes_id))
    elif instance.cooperative_id:
        roles_changed(office_users(cooperative=instance.cooperative_id))


def connect():
    from .models import Book

    post_save.connect(book_opened, sender=Book, dispatch_uid="finance.book_opened")
