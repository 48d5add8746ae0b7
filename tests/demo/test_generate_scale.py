"""generate_scale makes valid national-shaped data fast, appends on a re-run and resets cleanly."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q

from demo.management.commands.generate_scale import PREFIX
from groups.models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup
from villages.models import Regency, Village

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    output = io.StringIO()
    call_command("generate_scale", stdout=output, **options)
    return output.getvalue()


def synthetic_groups():
    return SelfHelpGroup.objects.filter(village__district__regency__name__startswith=PREFIX)


def test_it_makes_the_requested_ksm_each_with_25_members_and_its_officers():
    generate(ksm=30)

    groups = synthetic_groups().annotate(
        active=Count("memberships", filter=Q(memberships__left_date__isnull=True)),
        chairs=Count("memberships", filter=Q(memberships__role="chair")),
        secretaries=Count("memberships", filter=Q(memberships__role="secretary")),
        treasurers=Count("memberships", filter=Q(memberships__role="treasurer")),
    )
    assert groups.count() == 30
    assert Member.objects.count() == Membership.objects.count() == 750
    for group in groups:
        assert group.active == 25
        assert (group.chairs, group.secretaries, group.treasurers) == (1, 1, 1)
    assert Village.objects.filter(groups__in=groups).distinct().count() == 3  # 10 KSM a village


def test_generated_rows_pass_the_same_validation_as_the_services():
    generate(ksm=20)

    for member in Member.objects.order_by("pk")[::7]:
        member.full_clean()  # NIK matches sex and birth date, KK and phone shaped right
    for group in synthetic_groups()[:5]:
        group.full_clean()
    assert not synthetic_groups().filter(origin="reactivated", reactivated_date__isnull=True)
    assert not synthetic_groups().exclude(village__code__regex=r"^\d{2}\.\d{2}\.\d{2}\.2\d{3}$")


def test_it_uses_real_province_codes_and_leaves_jawa_tengah_to_the_demo():
    generate(ksm=12)

    codes = set(Regency.objects.filter(name__startswith=PREFIX).values_list("code", flat=True))
    assert codes
    assert not any(code.startswith("33.") for code in codes)


def test_members_per_ksm_can_be_chosen():
    generate(ksm=4, members_per_ksm=12)

    assert Membership.objects.count() == 48
    assert set(synthetic_groups().annotate(n=Count("memberships")).values_list("n", flat=True)) == {
        12
    }


def test_cooperatives_are_built_on_the_generated_ksm():
    generate(ksm=100)

    assert Cooperative.objects.exists()
    joined = CooperativeMembership.objects.select_related("cooperative", "group")
    assert joined.exists()
    for membership in joined:
        assert membership.joined_date >= membership.cooperative.established_date


def test_a_second_run_appends_in_new_regencies():
    generate(ksm=30)
    first = set(Regency.objects.values_list("code", flat=True))

    generate(ksm=30)

    assert synthetic_groups().count() == 60
    assert Member.objects.count() == 1500
    assert first < set(Regency.objects.values_list("code", flat=True))


def test_reset_deletes_the_synthetic_data_and_nothing_else(ksm):
    generate(ksm=30)

    output = generate(ksm=10, reset=True)

    assert "Reset: deleted" in output
    assert synthetic_groups().count() == 10
    assert SelfHelpGroup.objects.filter(pk=ksm.pk).exists()
    assert SelfHelpGroup.objects.count() == 11


def test_synthetic_facilitators_see_the_ksm_of_their_villages_only():
    generate(ksm=300)

    user = get_user_model().objects.get(username="sintetis_pendamping1")
    visible = SelfHelpGroup.objects.visible_to(user)
    assert 0 < visible.count() < synthetic_groups().count()
    assert set(visible) == set(
        SelfHelpGroup.objects.filter(village__in=Village.objects.assigned_to(user))
    )
