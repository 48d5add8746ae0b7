"""The demo's trainings, mentoring visits and gradings for the Batang pilot, through the services.

`seed_demo` calls `demo_training_load` after the books. For each pilot village, its facilitator
organises three trainings: the treasurers' bookkeeping training (administration and financial
governance) in November 2016, group organising for the officers in May 2017, and a second
bookkeeping round in November 2017 for the treasurers of the groups formed or reactivated
since. Each KSM is visited every two to four months from its start until the end of the pilot
(March 2018), with findings and follow-up actions: the earlier ones done (now and then
dropped), those of the last visit still open. Two rounds of assessments (end of June 2017 for
the KSM running since 2016, end of January 2018 for all running by August 2017) show the
groups moving between levels; the criteria the books answer come from the books, the rest
from the facilitator's scores.

Deterministic: every village and KSM has its own random.Random seeded by the demo's seed and
its natural key. Idempotent: a training that exists (same title, village and date) is left
as it is, and a KSM that already has visits or assessments gets none added.
"""

import datetime
import random
from collections import Counter

from groups.models import Membership, SelfHelpGroup
from villages.models import FacilitatorAssignment

from .models import Assessment, Topic, TrainingEvent, Visit
from .services import (
    AttendanceRow,
    assessment_confirm,
    assessment_start,
    attendance_set_for_group,
    followup_close,
    training_create,
    training_invite,
    visit_record,
)

PILOT_END = datetime.date(2018, 3, 31)
TRAINER = "Tim Fasilitator Bina Swadaya"

TRAININGS = (
    # title, topic codes, date (day is shifted per village), roles invited to attend
    (
        "Pelatihan administrasi dan pembukuan bendahara KSM, angkatan 1",
        ("admin-keuangan", "simpan-pinjam"),
        datetime.date(2016, 11, 8),
        (Membership.Role.TREASURER,),
    ),
    (
        "Pelatihan pengorganisasian kelompok untuk pengurus KSM",
        ("pengorganisasian",),
        datetime.date(2017, 5, 9),
        (Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER),
    ),
    (
        "Pelatihan administrasi dan pembukuan bendahara KSM, angkatan 2",
        ("admin-keuangan",),
        datetime.date(2017, 11, 7),
        (Membership.Role.TREASURER, Membership.Role.CHAIR),
    ),
)
VENUES = ("Balai desa", "Pendopo kantor desa", "Rumah ketua KSM", "Aula BUMDes")

FINDINGS = (
    "Buku kas umum diisi sampai bulan lalu; saldo cocok dengan uang di kas.",
    "Simpanan wajib beberapa anggota menunggak dua bulan.",
    "Notulen rapat bulanan belum dibuat sejak dua rapat terakhir.",
    "Bendahara masih ragu mencatat pengambilan simpanan sukarela.",
    "Rapat dihadiri sebagian besar anggota; pengurus aktif memimpin.",
    "Usaha kelompok mulai dijual ke warung-warung desa.",
    "Kuitansi setoran belum diberi nomor urut.",
    "Pengurus ingin mengajukan pinjaman modal ke BUMDes.",
    "Aturan kelompok (AD/ART) belum disepakati secara tertulis.",
    "Buku simpanan anggota sudah lengkap dan ditandatangani bendahara.",
)
ACTIONS = (
    ("Lengkapi notulen rapat bulanan", "Sekretaris"),
    ("Tagih tunggakan simpanan wajib di rapat berikutnya", "Bendahara"),
    ("Beri nomor urut pada semua kuitansi", "Bendahara"),
    ("Susun draf aturan kelompok dan bahas di rapat anggota", "Ketua"),
    ("Cocokkan saldo kas dengan buku kas umum", "Bendahara"),
    ("Siapkan proposal pinjaman modal ke BUMDes", "Ketua"),
    ("Catat penjualan usaha kelompok setiap minggu", "Sekretaris"),
)
DISCUSSIONS = (
    "Membahas pencatatan simpanan dan pinjaman di buku anggota.",
    "Latihan menutup buku kas bulanan bersama bendahara.",
    "Diskusi rencana usaha dan pembagian tugas pengurus.",
    "",
)

ROUNDS = (
    # assessment date, KSM running since at least
    (datetime.date(2017, 6, 30), datetime.date(2016, 12, 31)),
    (datetime.date(2018, 1, 31), datetime.date(2017, 8, 1)),
)


def demo_training_load(*, actor, groups, seed: int) -> Counter:
    """Trainings, visits and assessments for the given KSM (the pilot's); returns what it
    created, for seed_demo's summary."""
    created = Counter()
    groups = SelfHelpGroup.objects.filter(pk__in=[g.pk for g in groups]).select_related("village")
    groups = sorted(groups, key=lambda g: (g.village.code, g.registration_number))
    villages = {}
    for group in groups:
        villages.setdefault(group.village, []).append(group)
    topics = {topic.code: topic for topic in Topic.objects.all()}
    facilitators = {}
    for index, (village, village_groups) in enumerate(villages.items()):
        facilitator = _facilitator(village) or actor
        facilitators[village.pk] = facilitator
        rng = random.Random(f"{seed}:training:{village.code}")
        created.update(_trainings(village, village_groups, index, facilitator, topics, rng))
    for group in groups:
        facilitator = facilitators[group.village_id]
        rng = random.Random(f"{seed}:mentoring:{group.village.code}:{group.registration_number}")
        created.update(_visits(group, facilitator, topics, rng))
        created.update(_assessments(group, facilitator, rng))
    return created


def _facilitator(village):
    assignment = (
        FacilitatorAssignment.objects.filter(village=village)
        .select_related("user")
        .order_by("start_date", "pk")
        .first()
    )
    return assignment.user if assignment else None


def _start(group: SelfHelpGroup) -> datetime.date:
    return group.reactivated_date or group.formed_date


def _members_on(group: SelfHelpGroup, day: datetime.date) -> list[Membership]:
    return [
        m
        for m in group.memberships.select_related("member").order_by("joined_date", "member__nik")
        if m.joined_date <= day and (m.left_date is None or m.left_date >= day)
    ]


def attendance_rows(
    memberships, roles, rng: random.Random, *, pre=(25, 65), gain=(5, 35)
) -> list[AttendanceRow]:
    """Who of these members came (those in `roles`, nine in ten of them) and their scores:
    before the training within `pre`, after it higher by a number within `gain`."""
    rows = []
    for membership in memberships:
        if membership.role not in roles or rng.random() > 0.9:
            continue
        before = rng.randint(*pre)
        rows.append(
            AttendanceRow(
                member_id=membership.member_id,
                pre_score=before,
                post_score=min(100, before + rng.randint(*gain)),
            )
        )
    return rows


def _trainings(village, groups, index, facilitator, topics, rng) -> Counter:
    created = Counter()
    for title, codes, date, roles in TRAININGS:
        day = date + datetime.timedelta(days=index)
        if TrainingEvent.objects.filter(title=title, village=village, start_date=day).exists():
            continue
        invited = [group for group in groups if _start(group) <= day]
        if not invited:
            continue
        event = training_create(
            actor=facilitator,
            organiser=facilitator,
            topics=[topics[code] for code in codes],
            title=title,
            start_date=day,
            end_date=day + datetime.timedelta(days=1),
            village=village,
            venue=rng.choice(VENUES),
            trainer=TRAINER,
            notes="",
        )
        training_invite(actor=facilitator, event=event, groups=invited)
        created["training"] += 1
        for group in invited:
            rows = attendance_rows(_members_on(group, day), roles, rng)
            if rows:
                attendance_set_for_group(actor=facilitator, event=event, group=group, rows=rows)
                created["training attendance"] += len(rows)
    return created


def _visit_dates(group: SelfHelpGroup, rng) -> list[datetime.date]:
    day = max(_start(group), datetime.date(2016, 6, 1)) + datetime.timedelta(
        days=rng.randint(14, 45)
    )
    dates = []
    while day <= PILOT_END:
        dates.append(day)
        day += datetime.timedelta(days=rng.randint(60, 120))
    return dates


def _visits(group, facilitator, topics, rng) -> Counter:
    created = Counter()
    if Visit.objects.filter(group=group).exists():
        return created
    topic_list = [topics[code] for code in sorted(topics)]
    dates = _visit_dates(group, rng)
    for number, day in enumerate(dates):
        present = _members_on(group, day)
        officers = [m.member for m in present if m.role != Membership.Role.MEMBER]
        others = [m.member for m in present if m.role == Membership.Role.MEMBER]
        attendees = officers + rng.sample(others, min(len(others), rng.randint(0, 5)))
        planned = [
            {
                "description": text,
                "responsible": who,
                "due_date": day + datetime.timedelta(days=rng.choice((14, 21, 30))),
            }
            for text, who in rng.sample(ACTIONS, rng.choice((0, 1, 1, 2)))
        ]
        visit = visit_record(
            actor=facilitator,
            group=group,
            facilitator=facilitator,
            visit_date=day,
            attendees=attendees,
            topics=rng.sample(topic_list, rng.randint(0, 2)),
            discussion=rng.choice(DISCUSSIONS),
            findings=" ".join(rng.sample(FINDINGS, 2)),
            actions=planned,
        )
        created["visit"] += 1
        created["follow-up action"] += len(planned)
        is_last = number == len(dates) - 1
        for action in visit.actions.order_by("pk"):
            if is_last and rng.random() < 0.8:
                continue  # still open at the end of the pilot
            closed = min(action.due_date + datetime.timedelta(days=rng.randint(-10, 10)), PILOT_END)
            followup_close(
                actor=facilitator,
                action=action,
                status="dropped" if rng.random() < 0.1 else "done",
                closed_date=max(closed, day),
            )
    return created


def _assessments(group, facilitator, rng) -> Counter:
    created = Counter()
    if Assessment.objects.filter(group=group).exists():
        return created
    maturity = rng.uniform(0.15, 0.75)
    for round_number, (day, running_since) in enumerate(ROUNDS):
        if _start(group) > running_since:
            continue
        if round_number:
            maturity = min(1.0, max(0.0, maturity + rng.uniform(-0.1, 0.3)))
        draft = assessment_start(actor=facilitator, group=group, assessment_date=day)
        scores = {}
        for answer in draft.answers.filter(is_auto=False):
            share = min(1.0, max(0.0, maturity + rng.uniform(-0.2, 0.2)))
            scores[answer.pk] = round(share * answer.max_score)
        assessment_confirm(actor=facilitator, assessment=draft, scores=scores)
        created["assessment"] += 1
    return created
