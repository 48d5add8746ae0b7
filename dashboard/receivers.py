"""How the rollups follow the books and the register, in the transaction of each change.

- A KSM book's monthly figures change (finance's `book_figures_changed`): the same change is
  queued for its village and every region above (RegionPending, in the posting's transaction),
  which `rollups_drain` adds to them.
- A register row is saved or deleted (a KSM, a membership, a member, a BUMDes, a cooperative,
  an attendance, an assessment), in a service or in admin: its village (or regency) is
  recounted. Bulk writes that send no model signals send `register_changed` instead.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from finance.models import Book
from finance.signals import book_figures_changed
from groups.models import Cooperative, Member, Membership, SelfHelpGroup
from ksm_portal.signals import register_changed
from training.models import Assessment, Attendance
from villages.models import Bumdes, Village

from .services.register import book_move, regencies_recount, villages_recount
from .services.rollups import pending_add


@receiver(book_figures_changed)
def book_changed(sender, book, changes, **kwargs):
    if not book.group_id:
        return  # BUMDes and cooperative books keep their own figures (BookMonth)
    code = _village_code(book)
    if code:
        pending_add(code, changes)


def _village_code(book) -> str | None:
    """The KSM's village code: from the objects the page already loaded with the book (the
    books views select the group and its village), else one small query. Posting is the hot
    path."""
    group = book.group if Book.group.is_cached(book) else None
    if group is not None and group.pk == book.group_id and SelfHelpGroup.village.is_cached(group):
        village = group.village
        if village is not None and village.pk == group.village_id:
            return village.code
    return Village.objects.filter(groups__pk=book.group_id).values_list("code", flat=True).first()


@receiver(register_changed)
def bulk_changed(sender, village_ids, **kwargs):
    villages_recount(village_ids)


@receiver(pre_save, sender=SelfHelpGroup)
def group_before(sender, instance, raw=False, **kwargs):
    instance._village_before = (
        SelfHelpGroup.objects.filter(pk=instance.pk).values_list("village_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=SelfHelpGroup)
def group_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_village_before", None)
    villages_recount({before, instance.village_id})
    if before and before != instance.village_id:
        book_id = Book.objects.filter(group=instance).values_list("pk", flat=True).first()
        if book_id:
            codes = dict(
                Village.objects.filter(pk__in=[before, instance.village_id]).values_list(
                    "pk", "code"
                )
            )
            book_move(book_id, codes[before], codes[instance.village_id])


@receiver(post_delete, sender=SelfHelpGroup)
def group_deleted(sender, instance, **kwargs):
    villages_recount({instance.village_id})


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        villages_recount(
            SelfHelpGroup.objects.filter(pk=instance.group_id).values_list("village_id", flat=True)
        )


@receiver(post_save, sender=Member)
def member_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:  # a new person has no membership yet
        return
    villages_recount(
        Membership.objects.filter(member=instance).values_list("group__village_id", flat=True)
    )


@receiver(post_save, sender=Bumdes)
@receiver(post_delete, sender=Bumdes)
def bumdes_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        villages_recount({instance.village_id})


@receiver(pre_save, sender=Cooperative)
def cooperative_before(sender, instance, raw=False, **kwargs):
    instance._regency_before = (
        Cooperative.objects.filter(pk=instance.pk).values_list("regency_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=Cooperative)
@receiver(post_delete, sender=Cooperative)
def cooperative_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        regencies_recount({getattr(instance, "_regency_before", None), instance.regency_id})


@receiver(post_save, sender=Attendance)
@receiver(post_delete, sender=Attendance)
@receiver(post_save, sender=Assessment)
@receiver(post_delete, sender=Assessment)
def training_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        villages_recount(
            SelfHelpGroup.objects.filter(pk=instance.group_id).values_list("village_id", flat=True)
        )
