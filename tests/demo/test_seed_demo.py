"""The Batang demo holds what the pilot report says, valid through and through, and loads once."""

import io
import random
import re

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from demo.management.commands.seed_demo import DEMO_PASSWORD, SEED, build_plan
from groups.models import Cooperative, Member, Membership, SelfHelpGroup
from tests.web.support import translated
from villages.models import Bumdes, District, Village

pytestmark = pytest.mark.django_db
PILOT_ONLY = "2018-03"  # the pilot as the seed tells it, without the years after it


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (it takes seconds) and rolled back after it.

    Each test still runs in its own savepoint (the `db` fixture), so a test that writes leaves
    the next one the same demo."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", until=PILOT_ONLY, stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def pilot_groups():
    return SelfHelpGroup.objects.filter(village__district__regency__code="33.25")


def test_the_demo_holds_the_100_ksm_of_the_pilot_37_new_and_63_reactivated(demo):
    assert pilot_groups().count() == 100
    assert pilot_groups().new().count() == 37
    assert pilot_groups().reactivated().count() == 63


def test_the_ten_pilot_villages_lie_in_nine_kecamatan_of_kabupaten_batang(demo):
    villages = Village.objects.filter(groups__isnull=False).distinct()
    assert villages.count() == 10
    assert {v.district.regency.code for v in villages} == {"33.25"}
    assert villages.values("district").distinct().count() == 9
    assert all(v.code.startswith(v.district.code + ".") for v in villages)
    assert all(v.groups.count() == 10 for v in villages)


def test_batang_has_its_fifteen_kecamatan_with_their_kemendagri_names(demo):
    districts = District.objects.filter(regency__code="33.25")
    assert districts.count() == 15
    assert districts.get(code="33.25.01").name == "Wonotunggal"
    assert districts.get(code="33.25.15").name == "Banyuputih"
    assert districts.get(code="33.25.01").regency.province.name == "Jawa Tengah"


def test_every_pilot_village_has_exactly_one_bumdes(demo):
    pilot_villages = Village.objects.filter(groups__isnull=False).distinct()
    assert Bumdes.objects.count() == 10
    assert set(Bumdes.objects.values_list("village", flat=True)) == set(
        pilot_villages.values_list("pk", flat=True)
    )


def test_six_cooperatives_are_each_joined_by_ksm(demo):
    cooperatives = Cooperative.objects.annotate(
        ksm=Count("memberships", filter=Q(memberships__left_date__isnull=True))
    )
    assert cooperatives.count() == 6
    assert all(cooperative.ksm >= 1 for cooperative in cooperatives)
    for cooperative in Cooperative.objects.all():
        for membership in cooperative.memberships.select_related("group"):
            assert membership.joined_date >= cooperative.established_date


def test_every_ksm_has_10_to_25_active_members_with_one_chair_and_one_treasurer(demo):
    groups = pilot_groups().annotate(
        active=Count("memberships", filter=Q(memberships__left_date__isnull=True)),
        chairs=Count("memberships", filter=Q(memberships__role="chair")),
        secretaries=Count("memberships", filter=Q(memberships__role="secretary")),
        treasurers=Count("memberships", filter=Q(memberships__role="treasurer")),
    )
    for group in groups:
        assert 10 <= group.active <= 25, group
        assert (group.chairs, group.secretaries, group.treasurers) == (1, 1, 1), group


def test_every_member_is_valid_with_a_nik_matching_sex_birth_date_and_kecamatan(demo):
    members = Member.objects.select_related("village__district")
    assert members.count() >= 1000
    for member in members:
        member.full_clean()  # field validators, clean() and every database constraint
        assert member.nik[:6] == member.village.district.code.replace(".", "")
        assert member.family_card_number[:4] == "3325"


def test_nothing_is_dated_in_the_future_and_members_join_once_their_ksm_exists(demo):
    today = timezone.localdate()
    for group in pilot_groups():
        assert group.formed_date <= today
        if group.origin == SelfHelpGroup.Origin.NEW:
            assert group.formed_date.year in (2016, 2017)
        else:
            assert group.formed_date.year < 2016
            assert group.reactivated_date.year in (2016, 2017)
    memberships = Membership.objects.select_related("group")
    assert all(m.group.formed_date <= m.joined_date <= today for m in memberships), (
        "a membership starts before its KSM was formed or in the future"
    )


def test_ksm_guyub_rukun_of_the_seed_article_is_there_with_mukaromah_as_a_member(demo):
    guyub_rukun = pilot_groups().get(name="KSM Guyub Rukun")
    members = guyub_rukun.memberships.active().values_list("member__full_name", flat=True)
    assert "Mukaromah" in members


def test_each_facilitator_sees_exactly_the_ksm_of_their_five_villages(demo):
    User = get_user_model()
    seen = {}
    for username in ("pendamping1", "pendamping2"):
        user = User.objects.get(username=username)
        assigned = Village.objects.assigned_to(user)
        assert assigned.count() == 5
        visible = SelfHelpGroup.objects.visible_to(user)
        assert set(visible) == set(pilot_groups().filter(village__in=assigned))
        assert visible.count() == 50
        seen[username] = set(visible)
    assert not seen["pendamping1"] & seen["pendamping2"]


def test_a_treasurer_sees_only_the_group_whose_books_they_keep(demo):
    user = get_user_model().objects.get(username="bendahara01")
    visible = SelfHelpGroup.objects.visible_to(user)
    assert [group.name for group in visible] == ["KSM Guyub Rukun"]
    assert user.member.memberships.get().role == Membership.Role.TREASURER


def test_five_treasurer_logins_keep_the_books_of_five_different_ksm(demo):
    treasurers = Membership.objects.active().filter(
        role=Membership.Role.TREASURER, member__user__username__startswith="bendahara"
    )
    assert treasurers.count() == 5
    assert treasurers.values("group").distinct().count() == 5


def test_staff_sees_every_ksm_and_is_an_admin(demo):
    staff = get_user_model().objects.get(username="staf")
    assert staff.is_staff and staff.is_superuser
    assert SelfHelpGroup.objects.visible_to(staff).count() == SelfHelpGroup.objects.count()


def test_the_printed_logins_work_with_the_demo_password(demo):
    for username in ("staf", "pendamping1", "pendamping2", "bendahara01", "bendahara05"):
        assert username in demo
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None
    assert DEMO_PASSWORD in demo


def test_it_says_how_far_it_has_come_step_by_step(demo):
    """Minutes of loading on a small machine: each step is printed as it finishes, with the
    seconds since the start, before the summary and the logins."""
    lines = demo.splitlines()
    steps = [line for line in lines if re.match(r"^ +\d+ s  ", line)]
    books = translated("KSM books 2017: %(done)s of %(all)s")
    assert any(line.endswith(books % {"done": 10, "all": 100}) for line in steps)
    assert any(line.endswith(books % {"done": 100, "all": 100}) for line in steps)
    assert any(line.endswith(translated("Trainings, visits and assessments")) for line in steps)
    rebuilt = translated("Dashboard rollups rebuilt: %(months)s book months").split("%")[0]
    assert rebuilt in steps[-1]  # the last step: the dashboard's figures, once for all
    seconds = [int(line.split()[0]) for line in steps]
    assert seconds == sorted(seconds)
    assert lines.index(steps[-1]) < next(i for i, line in enumerate(lines) if "Batang demo" in line)


def test_the_plan_is_the_same_data_on_every_run():
    assert build_plan(random.Random(SEED)) == build_plan(random.Random(SEED))


def test_running_it_again_changes_nothing(demo):
    models = [*apps.get_app_config("groups").get_models()]
    models += [*apps.get_app_config("villages").get_models(), get_user_model()]

    def snapshot():
        counts = {model.__name__: model.objects.count() for model in models}
        latest = {
            model.__name__: model.objects.aggregate(latest=Max("updated_at"))["latest"]
            for model in models
            if any(f.name == "updated_at" for f in model._meta.fields)
        }
        sample = list(
            Member.objects.order_by("nik").values_list("nik", "full_name", "phone", "user_id")[::97]
        )
        passwords = dict(get_user_model().objects.values_list("username", "password"))
        return counts, latest, sample, passwords

    before = snapshot()
    output = io.StringIO()
    call_command("seed_demo", until=PILOT_ONLY, stdout=output)
    assert snapshot() == before
    assert "nothing changed" in output.getvalue()


def test_an_existing_login_keeps_its_password(demo):
    user = get_user_model().objects.get(username="pendamping1")
    user.set_password("changed-by-the-user")
    user.save()
    call_command("seed_demo", until=PILOT_ONLY, stdout=io.StringIO())
    assert authenticate(username="pendamping1", password="changed-by-the-user") is not None
