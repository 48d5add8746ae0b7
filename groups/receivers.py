"""Roles kept in sessions (`ksm_portal.scope`): a KSM office, a BUMDes or cooperative office,
a member's login, or the village of an officer's KSM or BUMDes changing gives the logins
concerned a new roles stamp."""

from ksm_portal.scope import roles_changed, track_roles


def _membership_users(membership):
    from .models import Member, Membership

    if Membership.member.is_cached(membership):
        user_id = membership.member.user_id if membership.member else None
    else:
        user_id = (
            Member.objects.filter(pk=membership.member_id).values_list("user_id", flat=True)
        ).first()
    return [user_id] if user_id else []


def _member_users(member):
    return [member.user_id] if member.user_id else []


def _officer_users(officer):
    return [officer.user_id] if officer.user_id else []


def _village_moved(model, officers_of):
    """When a KSM's or a BUMDes's village changes, its officers read another village."""
    from django.db.models.signals import post_save, pre_save

    def before(sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        instance._roles_village_before = (
            sender._default_manager.filter(pk=instance.pk).values_list("village_id", flat=True)
        ).first()

    def after(sender, instance, raw=False, created=False, **kwargs):
        if raw or created:
            return
        if getattr(instance, "_roles_village_before", instance.village_id) != instance.village_id:
            roles_changed(officers_of(instance))

    uid = f"groups.roles.village_moved.{model._meta.label}"
    pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}.pre")
    post_save.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}.post")


def connect():
    from villages.models import Bumdes

    from .models import Member, Membership, Officer, SelfHelpGroup

    track_roles(Membership, _membership_users)
    track_roles(Member, _member_users)
    track_roles(Officer, _officer_users)
    _village_moved(
        SelfHelpGroup,
        lambda group: (
            Membership.objects.active()
            .officers()
            .filter(group=group, member__user__isnull=False)
            .values_list("member__user_id", flat=True)
        ),
    )
    _village_moved(
        Bumdes,
        lambda bumdes: (
            Officer.objects.current()
            .filter(bumdes=bumdes, user__isnull=False)
            .values_list("user_id", flat=True)
        ),
    )
