"""Roles kept in sessions (`ksm_portal.scope`): a KSM office, a BUMDes or cooperative office,
a member's login, or the village or name of an officer's KSM, BUMDes or cooperative changing
gives the logins concerned a new roles stamp (their menus, kept under that stamp, name them)."""

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


def ksm_officer_users(group):
    """The logins of the KSM's officers now."""
    from .models import Membership

    return (
        Membership.objects.active()
        .officers()
        .filter(group=group, member__user__isnull=False)
        .values_list("member__user_id", flat=True)
    )


def office_users(**owner):
    """The logins holding an office of this BUMDes (`bumdes=`) or cooperative now."""
    from .models import Officer

    return (
        Officer.objects.current()
        .filter(**owner, user__isnull=False)
        .values_list("user_id", flat=True)
    )


def _shown_changed(model, fields, officers_of):
    """When a KSM's, BUMDes's or cooperative's village (their officers read another village)
    or name (their menus name it) changes."""
    from django.db.models.signals import post_save, pre_save

    def before(sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        instance._roles_shown_before = (
            sender._default_manager.filter(pk=instance.pk).values_list(*fields)
        ).first()

    def after(sender, instance, raw=False, created=False, **kwargs):
        if raw or created:
            return
        now = tuple(getattr(instance, name) for name in fields)
        if getattr(instance, "_roles_shown_before", now) != now:
            roles_changed(officers_of(instance))

    uid = f"groups.roles.shown_changed.{model._meta.label}"
    pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}.pre")
    post_save.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}.post")


def connect():
    from villages.models import Bumdes

    from .models import Cooperative, Member, Membership, Officer, SelfHelpGroup

    track_roles(Membership, _membership_users)
    track_roles(Member, _member_users)
    track_roles(Officer, _officer_users)
    _shown_changed(SelfHelpGroup, ("village_id", "name"), ksm_officer_users)
    _shown_changed(Bumdes, ("village_id", "name"), lambda bumdes: office_users(bumdes=bumdes))
    _shown_changed(Cooperative, ("name",), lambda coop: office_users(cooperative=coop))
