"""Load the Batang pilot (May 2016 - early 2018) as demo data, through the services.

Jawa Tengah > Kabupaten Batang with its 15 kecamatan; 10 pilot villages in 9 kecamatan; 10 KSM
per village (37 new, 63 reactivated) with 10-25 members each and their officers; one BUMDes per
pilot village; 6 cooperatives joined by KSM; demo logins for each role.

The data is planned first from a fixed random seed, then written where missing, found by natural
keys (region code, KSM village + registration number, NIK, username, ...). So every run plans the
same rows, and a second run writes nothing. (Changing the plan, its lists or the seed, changes
the rows: load such a change into a fresh database.)

The regions are Indonesia's real ones (Jawa Tengah loaded from the idn-area-data package) and
the 10 pilot villages are real villages of Batang, but which villages took part is illustrative:
the seed document does not name them (see docs/demo.md).
"""

import argparse
import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import FINANCE_STAFF, PROGRAM_STAFF
from dashboard.services.rebuild import rollups_rebuild
from demo import names
from demo.alive import demo_alive_load, last_complete_month, month_end
from demo.alive_training import demo_alive_training_load, rollups_rebuilt_afterwards
from demo.names import words
from finance.demo import demo_books_load
from finance.models import Book
from groups.models import (
    BUMDES_ROLES,
    COOPERATIVE_ROLES,
    Cooperative,
    CooperativeMembership,
    Member,
    Membership,
    Officer,
    OfficerRole,
    SelfHelpGroup,
)
from groups.services import (
    Joining,
    cooperative_admit_group,
    cooperative_register,
    groups_register_bulk,
    member_update,
    members_join_bulk,
    officer_appoint,
    officer_update,
)
from ksm_portal.safety import refuse_unless_safe
from ksm_portal.services_base import generated_rows
from training.demo import demo_training_load
from villages.models import Bumdes, FacilitatorAssignment, Village
from villages.regions import regions_load
from villages.services import bumdes_register, facilitator_assign

SEED = 20160501
DEMO_PASSWORD = "batang2016"

PROVINCE = "33"  # Jawa Tengah; its regions come from the idn-area-data package
REGENCY = "33.25"  # Kabupaten Batang
# Real villages of Kabupaten Batang (Kemendagri codes and names), one or two in each of nine
# kecamatan. The seed article does not name the pilot villages: this choice is illustrative.
PILOT_VILLAGES = (
    ("33.25.01.2002", "Sodong"),  # Kec. Wonotunggal
    ("33.25.02.2005", "Binangun"),  # Kec. Bandar
    ("33.25.02.2003", "Wonodadi"),  # Kec. Bandar
    ("33.25.03.2004", "Gondang"),  # Kec. Blado
    ("33.25.04.2005", "Ngadirejo"),  # Kec. Reban
    ("33.25.05.2008", "Wonosari"),  # Kec. Bawang
    ("33.25.06.2014", "Tanjungsari"),  # Kec. Tersono
    ("33.25.08.2005", "Sidomulyo"),  # Kec. Limpung
    ("33.25.09.2021", "Sengon"),  # Kec. Subah
    ("33.25.10.2005", "Simbangdesa"),  # Kec. Tulis
)
KSM_PER_VILLAGE = 10
NEW_KSM_PER_VILLAGE = (4, 4, 4, 4, 4, 4, 4, 3, 3, 3)  # 37 new, 63 reactivated

# The seed article's group and member: KSM Guyub Rukun (reactivated), Mukaromah a member.
GUYUB_RUKUN = ("33.25.02.2005", 1, "KSM Guyub Rukun")
MUKAROMAH = "Mukaromah"

PILOT_START = datetime.date(2016, 5, 1)
PILOT_END = datetime.date(2018, 3, 31)
FORMING_PERIOD = (datetime.date(2016, 6, 1), datetime.date(2017, 10, 31))
EARLIER_FORMING_PERIOD = (datetime.date(2005, 1, 1), datetime.date(2014, 12, 31))

SECTORS = {
    SelfHelpGroup.Sector.SAVINGS_LOANS: 50,
    SelfHelpGroup.Sector.AGRICULTURE: 12,
    SelfHelpGroup.Sector.LIVESTOCK: 10,
    SelfHelpGroup.Sector.FOOD_PROCESSING: 10,
    SelfHelpGroup.Sector.TRADE: 8,
    SelfHelpGroup.Sector.CRAFTS: 5,
    SelfHelpGroup.Sector.SERVICES: 3,
    SelfHelpGroup.Sector.FISHERY: 2,
}
DUSUN = words("Krajan Kauman Karanganyar Sidorejo Tegalrejo Kebonsari Pucung Ngaliyan Gondang")
BUMDES_UNITS = (
    "Simpan pinjam",
    "Pengelolaan air bersih (PAMDes)",
    "Toko desa",
    "Pengelolaan sampah",
    "Wisata desa",
    "Penyewaan alat pertanian",
    "Pemasaran hasil bumi",
    "Pembayaran listrik dan pulsa",
)
BUMDES_SUFFIXES = words("Makmur Sejahtera Mandiri Berkah Maju Jaya Sentosa Lestari Mulya Barokah")
ROMAN_MONTHS = words("I II III IV V VI VII VIII IX X XI XII")
# (name, indexes into PILOT_VILLAGES whose KSM join it)
COOPERATIVES = (
    ("Koperasi Serba Usaha Guyub Makmur", (0, 1)),
    ("Koperasi Wanita Sekar Arum", (2, 3)),
    ("Koperasi Tani Subur Makmur", (4, 5)),
    ("Koperasi Simpan Pinjam Ngudi Rejeki", (6, 7)),
    ("Koperasi Produsen Sumber Pangan", (8,)),
    ("Koperasi Serba Usaha Mitra Desa", (9,)),
)
FACILITATORS = {"pendamping1": PILOT_VILLAGES[:5], "pendamping2": PILOT_VILLAGES[5:]}
# Officer logins: username -> (village code, KSM number in the village, role)
OFFICER_LOGINS = {
    "bendahara01": (GUYUB_RUKUN[0], GUYUB_RUKUN[1], Membership.Role.TREASURER),
    "bendahara02": ("33.25.01.2002", 2, Membership.Role.TREASURER),
    "bendahara03": ("33.25.04.2005", 3, Membership.Role.TREASURER),
    "bendahara04": ("33.25.06.2014", 1, Membership.Role.TREASURER),
    "bendahara05": ("33.25.09.2021", 4, Membership.Role.TREASURER),
    "ketua01": (GUYUB_RUKUN[0], GUYUB_RUKUN[1], Membership.Role.CHAIR),
}
# BUMDes and cooperative treasurers with a login: username -> (kind, village code or
# cooperative name). Every pilot BUMDes and cooperative has its officers; these two can log in.
ENTITY_LOGINS = {
    "bendahara.bumdes": ("bumdes", GUYUB_RUKUN[0]),
    "bendahara.koperasi": ("cooperative", COOPERATIVES[0][0]),
}
# Staff with one staff role each (staf is an administrator).
STAFF_LOGINS = {
    "staf.program": ("Staf", "Program", PROGRAM_STAFF),
    "staf.keuangan": ("Staf", "Keuangan", FINANCE_STAFF),
}


def _month(text: str) -> datetime.date:
    year, _dash, month = text.partition("-")
    try:
        return datetime.date(int(year), int(month), 1)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a month YYYY-MM: {text!r}") from error


@dataclass
class MemberPlan:
    nik: str
    family_card_number: str
    full_name: str
    sex: str
    birth_date: datetime.date
    phone: str
    address: str
    role: str
    joined_date: datetime.date


@dataclass
class GroupPlan:
    village_code: str
    number: int
    registration_number: str
    name: str
    origin: str
    formed_date: datetime.date
    reactivated_date: datetime.date | None
    business_sector: str
    meeting_day: int
    address: str
    members: list[MemberPlan] = field(default_factory=list)

    @property
    def start_date(self) -> datetime.date:
        return self.reactivated_date or self.formed_date


@dataclass
class Plan:
    groups: list[GroupPlan]
    bumdes: dict[str, dict]  # village code -> bumdes_register fields
    cooperatives: list[tuple[dict, list[tuple[GroupPlan, datetime.date]]]]


def build_plan(rng: random.Random) -> Plan:
    """Everything the demo holds, decided before looking at the database."""
    ksm_names = iter(_shuffled(rng, names.KSM_NAMES))
    serial = iter(range(1, 10000))
    groups = []
    for (code, village_name), new_count in zip(
        PILOT_VILLAGES, _shuffled(rng, NEW_KSM_PER_VILLAGE), strict=True
    ):
        numbers = range(1, KSM_PER_VILLAGE + 1)
        candidates = [n for n in numbers if (code, n) != GUYUB_RUKUN[:2]]
        new_numbers = set(rng.sample(candidates, new_count))
        for number in numbers:
            group = _plan_group(rng, code, village_name, number, number in new_numbers)
            if (code, number) == GUYUB_RUKUN[:2]:
                group.name = GUYUB_RUKUN[2]
                group.members = _plan_members(rng, code, group, serial, last_member=MUKAROMAH)
            else:
                group.name = next(ksm_names)
                group.members = _plan_members(rng, code, group, serial)
            groups.append(group)

    bumdes = {code: _plan_bumdes(rng, village_name) for code, village_name in PILOT_VILLAGES}

    cooperatives = []
    for index, (name, village_indexes) in enumerate(COOPERATIVES):
        established = names.random_date(rng, datetime.date(2017, 3, 1), datetime.date(2017, 11, 30))
        month = ROMAN_MONTHS[established.month - 1]
        fields = {
            "name": name,
            "legal_entity_number": f"{517 + index * 7}/BH/XIV.11/{month}/2017",
            "established_date": established,
            "address": f"Desa {PILOT_VILLAGES[village_indexes[0]][1]}, Kabupaten Batang",
        }
        joining = []
        for village_index in village_indexes:
            code = PILOT_VILLAGES[village_index][0]
            village_groups = [g for g in groups if g.village_code == code]
            for group in rng.sample(village_groups, rng.randint(4, 7)):
                earliest = max(established, group.start_date)
                joined = min(earliest + datetime.timedelta(days=rng.randint(0, 60)), PILOT_END)
                joining.append((group, joined))
        cooperatives.append((fields, joining))
    return Plan(groups=groups, bumdes=bumdes, cooperatives=cooperatives)


def _officer(planned: list[GroupPlan], code: str, number: int, role: str):
    """The planned KSM and member behind an officer login."""
    group = next(g for g in planned if (g.village_code, g.number) == (code, number))
    return group, next(m for m in group.members if m.role == role)


def _shuffled(rng: random.Random, values) -> list:
    values = list(values)
    rng.shuffle(values)
    return values


def _plan_group(rng, code, village_name, number, is_new) -> GroupPlan:
    if is_new:
        formed, reactivated = names.random_date(rng, *FORMING_PERIOD), None
    else:
        formed = names.random_date(rng, *EARLIER_FORMING_PERIOD)
        reactivated = names.random_date(rng, *FORMING_PERIOD)
    year = (reactivated or formed).year
    return GroupPlan(
        village_code=code,
        number=number,
        registration_number=f"{number:03d}/KSM/{year}",
        name="",
        origin=SelfHelpGroup.Origin.NEW if is_new else SelfHelpGroup.Origin.REACTIVATED,
        formed_date=formed,
        reactivated_date=reactivated,
        business_sector=rng.choices(list(SECTORS), weights=list(SECTORS.values()))[0],
        meeting_day=rng.randint(1, 28),
        address=f"Dusun {rng.choice(DUSUN)}, Desa {village_name}",
    )


def _plan_members(rng, code, group: GroupPlan, serial, last_member="") -> list[MemberPlan]:
    """10-25 members of one family each, living in the group's village; the first three are
    chair, secretary and treasurer. `last_member` names a woman known from the seed article."""
    region6 = code[:8].replace(".", "")  # the kecamatan: 33.25.01 -> 332501
    roles = [Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER]
    count = rng.randint(10, 25)
    members = []
    for index in range(count):
        sex = "F" if rng.random() < 0.6 else "M"
        full_name = names.person_name(rng, sex)
        if last_member and index == count - 1:
            sex, full_name = "F", last_member
        birth = names.random_date(rng, datetime.date(1952, 1, 1), datetime.date(1995, 12, 31))
        number = next(serial)
        members.append(
            MemberPlan(
                nik=names.nik(region6, sex, birth, number),
                family_card_number=names.family_card_number(
                    region6,
                    names.random_date(rng, datetime.date(2005, 1, 1), datetime.date(2015, 12, 31)),
                    number,
                ),
                full_name=full_name,
                sex=sex,
                birth_date=birth,
                phone=names.phone(rng) if rng.random() < 0.85 else "",
                address=f"Dusun {rng.choice(DUSUN)} RT {rng.randint(1, 6):03d}/RW "
                f"{rng.randint(1, 4):03d}",
                role=roles[index] if index < len(roles) else Membership.Role.MEMBER,
                joined_date=_joined_date(rng, group),
            )
        )
    return members


def _joined_date(rng, group: GroupPlan) -> datetime.date:
    """Founders join on the day the group forms; others later, or at the reactivation."""
    if rng.random() < 0.7:
        return group.formed_date
    if group.reactivated_date:
        return names.random_date(rng, group.formed_date, group.reactivated_date)
    later = group.formed_date + datetime.timedelta(days=rng.randint(30, 240))
    return min(later, PILOT_END)


def _plan_bumdes(rng, village_name) -> dict:
    if rng.random() < 0.3:
        established = names.random_date(rng, datetime.date(2012, 1, 1), datetime.date(2015, 12, 31))
    else:
        established = names.random_date(rng, datetime.date(2016, 8, 1), datetime.date(2017, 6, 30))
    return {
        "name": f"BUMDes {village_name} {rng.choice(BUMDES_SUFFIXES)}",
        "established_date": established,
        "business_units": "\n".join(rng.sample(BUMDES_UNITS, rng.randint(2, 4))),
        "status": Bumdes.Status.ACTIVE,
        "ranking": rng.choice(Bumdes.Ranking.values),
    }


class Command(BaseCommand):
    help = "Load the Batang pilot demo (regions, 100 KSM, members, BUMDes, cooperatives, logins)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--until",
            type=_month,
            default=None,
            metavar="YYYY-MM",
            help="The last month the pilot's groups go on to (default: the last complete month "
            "before today).",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Load even into a database that looks like production (ksm_portal/safety.py).",
        )

    def handle(self, *args, **options):
        refuse_unless_safe(options["yes"], "seed_demo")
        started = self.started = time.monotonic()
        self.created = Counter()
        plan = build_plan(random.Random(SEED))
        until = options["until"]
        if isinstance(until, str):  # call_command(until="YYYY-MM") passes it unparsed
            until = _month(until)
        until = until or last_complete_month(timezone.localdate())
        # The dashboard's rollups are rebuilt at the end rather than followed row by row.
        # The services write the demo's rows with every rule of theirs; the rows' own
        # constraints are left to the database (generated_rows).
        with transaction.atomic(), rollups_rebuilt_afterwards(), generated_rows():
            users = self._users(plan.groups)
            staff = users["staf"]
            villages = self._regions()
            self._progress(_("Logins and regions"))
            self._bumdes(staff, villages, plan.bumdes)
            groups = self._groups(staff, villages, plan.groups)
            self._progress(_("BUMDes, KSM and their members"))
            self._cooperatives(staff, villages, groups, plan.cooperatives)
            self._assignments(staff, users, villages)
            officers = self._officer_logins(staff, users, groups, plan.groups)
            offices = self._entity_officers(staff, users, villages, plan.cooperatives)
            self._progress(_("Cooperatives, facilitators and officers"))
            self.created.update(
                demo_books_load(
                    actor=staff,
                    groups=[groups[(g.village_code, g.registration_number)] for g in plan.groups],
                    bumdes=Bumdes.objects.filter(village__in=villages.values()),
                    cooperatives=Cooperative.objects.filter(
                        name__in=[fields["name"] for fields, _joining in plan.cooperatives]
                    ),
                    seed=SEED,
                    progress=self._progress,
                )
            )
            pilot_groups = [groups[(g.village_code, g.registration_number)] for g in plan.groups]
            self.created.update(demo_training_load(actor=staff, groups=pilot_groups, seed=SEED))
            self._progress(_("Trainings, visits and assessments"))
            pilot_books = Book.objects.filter(
                Q(group__in=groups.values())
                | Q(bumdes__village__in=villages.values())
                | Q(
                    cooperative__name__in=[fields["name"] for fields, _joining in plan.cooperatives]
                )
            )
            alive = demo_alive_load(
                actor=staff, books=pilot_books, until=until, seed=SEED, progress=self._progress
            )
            self.created.update(alive)
            mentoring = demo_alive_training_load(
                actor=staff,
                groups=list(groups.values()),
                last_day=month_end(until),
                seed=SEED,
            )
            if mentoring:
                self.created.update(mentoring)
                self._progress(_("Visits, trainings and assessments after the pilot"))
            if self.created:
                written = rollups_rebuild(book_ids=list(pilot_books.values_list("pk", flat=True)))
                self._progress(
                    _("Dashboard rollups rebuilt: %(months)s book months")
                    % {"months": written["book months"]}
                )
        self._report(villages, officers, offices, time.monotonic() - started)

    def _progress(self, text: str) -> None:
        """One line per step as it finishes, with the seconds since the start: a long load
        that says where it is."""
        self.stdout.write(f"{time.monotonic() - self.started:6.0f} s  {text}")
        self.stdout.flush()

    # --- writing ---------------------------------------------------------------------------

    def _users(self, planned: list[GroupPlan]) -> dict:
        User = get_user_model()
        specs = {
            "staf": {
                "first_name": "Staf",
                "last_name": "Bina Swadaya",
                "is_staff": True,
                "is_superuser": True,
            }
        }
        for username, (first, last, _role) in STAFF_LOGINS.items():
            specs[username] = {"first_name": first, "last_name": last, "is_staff": True}
        for username in ENTITY_LOGINS:
            specs[username] = {"first_name": username.split(".")[0].title()}
        for index, username in enumerate(FACILITATORS, start=1):
            specs[username] = {"first_name": "Pendamping", "last_name": str(index)}
        for username, key in OFFICER_LOGINS.items():
            _group, member = _officer(planned, *key)
            specs[username] = {"first_name": member.full_name}
        users = {}
        hashed = None  # hashed once (a second of PBKDF2 per login on a small machine)
        for username, fields in specs.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, **fields)
                hashed = hashed or make_password(DEMO_PASSWORD)
                user.password = hashed
                user.save()
                self.created["user"] += 1
            users[username] = user
        for username, (_first, _last, role) in STAFF_LOGINS.items():
            if not users[username].groups.filter(name=role).exists():
                users[username].groups.add(Group.objects.get(name=role))
                self.created["staff role"] += 1
        return users

    def _regions(self) -> dict[str, Village]:
        """Jawa Tengah's real regions (unless the pilot villages are there already, as after
        `load_regions`, which `make demo` runs first), then the pilot villages among them."""
        codes = [code for code, _name in PILOT_VILLAGES]
        if Village.objects.filter(code__in=codes).count() < len(codes):
            report = regions_load(province=PROVINCE)
            if report.changed:
                added = sum(report.added.values()) + sum(report.renamed.values())
                self.created["region"] += added
        villages = {
            v.code: v
            for v in Village.objects.filter(
                code__in=[code for code, _name in PILOT_VILLAGES]
            ).select_related("district__regency")
        }
        missing = [code for code, _name in PILOT_VILLAGES if code not in villages]
        if missing:
            raise CommandError(f"Pilot villages missing from the region data: {missing}")
        return villages

    def _bumdes(self, actor, villages, planned: dict) -> None:
        pilot = Bumdes.objects.filter(village__in=villages.values())
        existing = set(pilot.values_list("village_id", flat=True))
        for code, fields in planned.items():
            if villages[code].pk not in existing:
                bumdes_register(actor=actor, village=villages[code], **fields)
                self.created["BUMDes"] += 1

    def _groups(self, actor, villages, planned: list[GroupPlan]) -> dict:
        """The missing KSM and their members, through the services' bulk paths (as a
        spreadsheet import registers them: each row validated, with its history and the
        region counts)."""
        by_key = self._existing_groups(villages)
        missing = [p for p in planned if (p.village_code, p.registration_number) not in by_key]
        if not missing:
            return by_key  # an existing KSM keeps its members as they are now
        new_groups = groups_register_bulk(
            actor=actor,
            groups=[
                SelfHelpGroup(
                    village=villages[plan.village_code],
                    name=plan.name,
                    registration_number=plan.registration_number,
                    origin=plan.origin,
                    formed_date=plan.formed_date,
                    reactivated_date=plan.reactivated_date,
                    business_sector=plan.business_sector,
                    meeting_day=plan.meeting_day,
                    address=plan.address,
                )
                for plan in missing
            ],
        )
        self.created["KSM"] += len(new_groups)
        known = {
            member.nik: member
            for member in Member.objects.filter(
                nik__in=[m.nik for plan in missing for m in plan.members]
            )
        }
        joinings = []
        for plan, group in zip(missing, new_groups, strict=True):
            by_key[(plan.village_code, plan.registration_number)] = group
            village = villages[plan.village_code]
            for member_plan in plan.members:
                member = known.get(member_plan.nik)
                if member is None:
                    member = known[member_plan.nik] = Member(
                        nik=member_plan.nik,
                        family_card_number=member_plan.family_card_number,
                        full_name=member_plan.full_name,
                        sex=member_plan.sex,
                        birth_date=member_plan.birth_date,
                        village=village,
                        address=member_plan.address,
                        phone=member_plan.phone,
                    )
                    self.created["member"] += 1
                joinings.append(
                    Joining(
                        member=member,
                        group=group,
                        role=member_plan.role,
                        joined_date=member_plan.joined_date,
                    )
                )
        self.created["membership"] += members_join_bulk(actor=actor, joinings=joinings)
        return by_key

    def _existing_groups(self, villages) -> dict:
        codes = {village.pk: code for code, village in villages.items()}
        return {
            (codes[group.village_id], group.registration_number): group
            for group in SelfHelpGroup.objects.filter(village__in=villages.values())
        }

    def _cooperatives(self, actor, villages, groups: dict, planned) -> None:
        regency = next(iter(villages.values())).district.regency
        for fields, joining in planned:
            cooperative = Cooperative.objects.filter(regency=regency, name=fields["name"]).first()
            if cooperative is None:
                cooperative = cooperative_register(actor=actor, regency=regency, **fields)
                self.created["cooperative"] += 1
            admitted = set(
                CooperativeMembership.objects.filter(
                    cooperative=cooperative, left_date__isnull=True
                ).values_list("group_id", flat=True)
            )
            for plan, joined in joining:
                group = groups[(plan.village_code, plan.registration_number)]
                if group.pk not in admitted:
                    cooperative_admit_group(
                        actor=actor, cooperative=cooperative, group=group, joined_date=joined
                    )
                    self.created["cooperative membership"] += 1

    def _assignments(self, actor, users, villages) -> None:
        for username, assigned in FACILITATORS.items():
            user = users[username]
            open_villages = set(
                FacilitatorAssignment.objects.filter(user=user, end_date__isnull=True).values_list(
                    "village_id", flat=True
                )
            )
            for code, _name in assigned:
                if villages[code].pk not in open_villages:
                    facilitator_assign(
                        actor=actor, user=user, village=villages[code], start_date=PILOT_START
                    )
                    self.created["facilitator assignment"] += 1

    def _officer_logins(self, actor, users, groups: dict, planned: list[GroupPlan]) -> dict:
        """Link each officer login to its member; returns username -> (role, group, member)."""
        linked = {}
        for username, (code, number, role) in OFFICER_LOGINS.items():
            group_plan, _member = _officer(planned, code, number, role)
            group = groups[(code, group_plan.registration_number)]
            membership = (
                group.memberships.active().filter(role=role).select_related("member").first()
            )
            if membership is None:
                self.stderr.write(f"{username}: {group} has no active {role}; login not linked")
                continue
            member, user = membership.member, users[username]
            if member.user_id is None:
                member_update(actor=actor, member=member, user=user)
                self.created["officer login link"] += 1
            elif member.user_id != user.pk:
                self.stderr.write(f"{username}: {member} already has another login; left as is")
            linked[username] = (role, group, member)
        return linked

    def _entity_officers(self, actor, users, villages, planned_cooperatives) -> dict:
        """A director, secretary and treasurer for each pilot BUMDes and a chair, secretary and
        treasurer for each cooperative; the treasurers named in ENTITY_LOGINS get the login.
        Returns username -> officer."""
        entities = [
            (Bumdes.objects.get(village=villages[code]), BUMDES_ROLES, code)
            for code, _name in PILOT_VILLAGES
        ] + [
            (Cooperative.objects.get(name=fields["name"]), COOPERATIVE_ROLES, fields["name"])
            for fields, _joining in planned_cooperatives
        ]
        logins = {key: username for username, (_kind, key) in ENTITY_LOGINS.items()}
        linked = {}
        for entity, roles, key in entities:
            rng = random.Random(f"{SEED}-officers-{key}")
            held = set(Officer.objects.of(entity).current().values_list("role", flat=True))
            for role in roles:
                sex = rng.choice("FM")
                name, phone = names.person_name(rng, sex), names.phone(rng)
                if role in held:
                    continue
                officer_appoint(
                    actor=actor,
                    entity=entity,
                    full_name=name,
                    role=role,
                    phone=phone,
                    start_date=entity.established_date,
                )
                self.created["officer"] += 1
            username = logins.get(key)
            if username:
                treasurer = Officer.objects.of(entity).current().get(role=OfficerRole.TREASURER)
                user = users[username]
                if treasurer.user_id is None:
                    officer_update(actor=actor, officer=treasurer, user=user)
                    self.created["officer login link"] += 1
                linked[username] = treasurer
        return linked

    # --- reporting -------------------------------------------------------------------------

    def _report(self, villages, officers: dict, offices: dict, seconds: float) -> None:
        write = self.stdout.write
        if self.created:
            done = ", ".join(f"{count} {what}" for what, count in self.created.items())
            write(f"Batang demo loaded in {seconds:.1f} s: created {done}.")
        else:
            write(f"Batang demo already loaded; nothing changed ({seconds:.1f} s).")
        counts = {
            "villages": len(villages),
            "KSM": SelfHelpGroup.objects.filter(village__in=villages.values()).count(),
            "members": Membership.objects.active()
            .filter(group__village__in=villages.values())
            .values("member")
            .distinct()
            .count(),
        }
        write("Pilot: " + ", ".join(f"{count} {what}" for what, count in counts.items()) + ".")
        write("")
        rows = [("username", "role", "sees")]
        rows.append(("staf", "Bina Swadaya staff, admin", "everything, every region; /admin/"))
        rows.append(("staf.program", "program staff", "reads every region; registers KSM"))
        rows.append(("staf.keuangan", "finance staff", "reads every region; posts, reopens"))
        for username, assigned in FACILITATORS.items():
            village_names = ", ".join(name for _code, name in assigned)
            rows.append((username, "facilitator (pendamping)", f"KSM of {village_names}"))
        village_names = {village.pk: village.name for village in villages.values()}
        for username, (role, group, member) in officers.items():
            label = "treasurer (bendahara)" if role == "treasurer" else "chair (ketua)"
            where = f"Desa {village_names[group.village_id]}"
            rows.append((username, label, f"own KSM only: {group.name}, {where} ({member})"))
        for username, officer in offices.items():
            rows.append((username, "treasurer (bendahara)", f"own books only: {officer.entity}"))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        write(f"Demo logins, password for all: {DEMO_PASSWORD}")
        for row in rows:
            write(f"  {row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}")
        write("(An existing account keeps the password it has; this command never resets it.)")
