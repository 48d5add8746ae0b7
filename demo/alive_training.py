"""The pilot goes on: mentoring visits, trainings and assessments after March 2018.

`seed_demo` calls `demo_alive_training_load` after the continued books (demo/alive.py):

- every KSM is visited every two to four months from April 2018, its last visit within the
  last six weeks before the end of the last month; each visit has its findings, the officers
  and a few members present, now and then a follow-up action. The actions of earlier visits
  are done (now and then dropped), those of the last visit still open, due in the weeks
  around today. The pilot's actions still open are closed at the KSM's first visit after it.
  Visits and actions go in by bulk_create (some 3,000 visits), like the services would leave
  them: the same fields, the attendees and topics, the audit columns;
- each pilot village has a refresher training in the last months (through the services, with
  the invited KSM's treasurers and chairs attending and their scores) and one planned in the
  coming weeks;
- every KSM running has a current assessment from the last months (through the services, so
  the criteria the books answer come from the continued books).

Deterministic and idempotent like the rest of the demo: a KSM with a visit after March 2018
gets no more.
"""

import contextlib
import datetime
import random
from collections import Counter

from django.db.models.signals import post_save

from groups.models import Membership, SelfHelpGroup
from training.demo import (
    ACTIONS,
    DISCUSSIONS,
    FINDINGS,
    TRAINER,
    VENUES,
    _facilitator,
    attendance_rows,
)
from training.models import Assessment, Attendance, FollowUpAction, Topic, TrainingEvent, Visit
from training.services import (
    assessment_confirm,
    assessment_start,
    attendance_set_for_group,
    training_create,
    training_invite,
)

ALIVE_FROM = datetime.date(2018, 4, 1)
REFRESHER = "Pelatihan penyegaran pembukuan dan simpan pinjam KSM"
PLANNED = "Pelatihan perencanaan usaha dan RAT kelompok"
OPEN_AFTER_LAST_VISIT = 0.2  # the share of the last visit's actions not done yet
# Who attends the refresher trainings: each KSM's treasurer and chair.
OFFICER_ROLES = (Membership.Role.TREASURER, Membership.Role.CHAIR)


def demo_alive_training_load(*, actor, groups, last_day: datetime.date, seed: int) -> Counter:
    created = Counter()
    if last_day < ALIVE_FROM:
        return created  # the pilot alone (seed_demo --until 2018-03)
    groups = sorted(
        SelfHelpGroup.objects.filter(pk__in=[g.pk for g in groups]).select_related("village"),
        key=lambda g: (g.village.code, g.registration_number),
    )
    done = set(
        Visit.objects.filter(group__in=groups, visit_date__gte=ALIVE_FROM).values_list(
            "group_id", flat=True
        )
    )
    groups = [g for g in groups if g.pk not in done]
    if not groups:
        return created
    topics = {topic.code: topic for topic in Topic.objects.all()}
    facilitators = {}
    for group in groups:
        if group.village_id not in facilitators:
            facilitators[group.village_id] = _facilitator(group.village) or actor
    members = {}
    for membership in (
        Membership.objects.active()
        .filter(group__in=groups)
        .select_related("member")
        .order_by("joined_date", "member__nik")
    ):
        members.setdefault(membership.group_id, []).append(membership)
    created.update(_visits(groups, members, facilitators, topics, last_day, seed))
    with rollups_rebuilt_afterwards():
        created.update(_trainings(groups, members, facilitators, topics, last_day, seed))
        created.update(_assessments(groups, facilitators, last_day, seed))
    return created


@contextlib.contextmanager
def rollups_rebuilt_afterwards():
    """Without the dashboard's rollups following each posting (a KSM's village and every
    region above it) and its recount of a village's register at every attendance and
    assessment saved (each reads every month of the village): the demo loads thousands of
    them, and `seed_demo` rebuilds all the rollups after its steps (`rollups_rebuild`, which
    `rollups --check` compares with)."""
    from dashboard import receivers
    from finance.signals import book_figures_changed

    senders = (Attendance, Assessment)
    book_figures_changed.disconnect(receivers.book_changed)
    for sender in senders:
        post_save.disconnect(receivers.training_changed, sender=sender)
    try:
        yield
    finally:
        book_figures_changed.connect(receivers.book_changed)
        for sender in senders:
            post_save.connect(receivers.training_changed, sender=sender)


def _visit_dates(rng, last_day: datetime.date) -> list[datetime.date]:
    day = last_day - datetime.timedelta(days=rng.randint(0, 60))
    dates = []
    while day >= ALIVE_FROM + datetime.timedelta(days=14):
        dates.append(day)
        day -= datetime.timedelta(days=rng.randint(60, 120))
    return dates[::-1]


def _visits(groups, members, facilitators, topics, last_day, seed) -> Counter:
    created = Counter()
    topic_list = [topics[code] for code in sorted(topics)]
    visits, attendees, visit_topics, actions = [], [], [], []
    for group in groups:
        rng = random.Random(f"{seed}:alive-visits:{group.village.code}:{group.registration_number}")
        facilitator = facilitators[group.village_id]
        present = members.get(group.pk, [])
        officers = [m.member_id for m in present if m.role != Membership.Role.MEMBER]
        others = [m.member_id for m in present if m.role == Membership.Role.MEMBER]
        dates = _visit_dates(rng, last_day)
        for number, day in enumerate(dates):
            visit = Visit(
                group=group,
                facilitator=facilitator,
                visit_date=day,
                discussion=rng.choice(DISCUSSIONS),
                findings=" ".join(rng.sample(FINDINGS, 2)),
                created_by=facilitator,
                updated_by=facilitator,
            )
            visits.append(visit)
            chosen = officers + rng.sample(others, min(len(others), rng.randint(0, 5)))
            attendees.append((visit, chosen))
            visit_topics.append((visit, rng.sample(topic_list, rng.randint(0, 2))))
            is_last = number == len(dates) - 1
            for text, who in rng.sample(ACTIONS, rng.choice((0, 1, 1, 2))):
                due = day + datetime.timedelta(days=rng.choice((14, 21, 30)))
                status, closed = "open", None
                if is_last and rng.random() < OPEN_AFTER_LAST_VISIT:
                    # Still to do: due in the weeks around today.
                    due = max(due, last_day + datetime.timedelta(days=rng.randint(-5, 25)))
                else:
                    status = "dropped" if rng.random() < 0.1 else "done"
                    closed = max(day, due + datetime.timedelta(days=rng.randint(-10, 10)))
                    closed = min(closed, last_day)
                actions.append(
                    FollowUpAction(
                        visit=visit,
                        group=group,
                        description=text,
                        responsible=who,
                        due_date=due,
                        status=status,
                        closed_date=closed,
                        closed_by=facilitator if closed else None,
                        created_by=facilitator,
                        updated_by=facilitator,
                    )
                )
    Visit.objects.bulk_create(visits, batch_size=1000)
    through = Visit.attendees.through
    through.objects.bulk_create(
        [through(visit_id=v.pk, member_id=m) for v, chosen in attendees for m in chosen],
        batch_size=2000,
    )
    through = Visit.topics.through
    through.objects.bulk_create(
        [through(visit_id=v.pk, topic_id=t.pk) for v, chosen in visit_topics for t in chosen],
        batch_size=2000,
    )
    for action in actions:
        action.visit_id = action.visit.pk
    FollowUpAction.objects.bulk_create(actions, batch_size=1000)
    created["visit"] += len(visits)
    created["follow-up action"] += len(actions)
    # The pilot's actions still open: done at the KSM's first visit after the pilot.
    first_visit = {}
    for visit in visits:
        first_visit.setdefault(visit.group_id, visit)
    still_open = list(
        FollowUpAction.objects.filter(
            group__in=groups, status="open", visit__visit_date__lt=ALIVE_FROM
        )
    )
    for action in still_open:
        visit = first_visit.get(action.group_id)
        if visit is None:
            continue
        action.status = "done"
        action.closed_date = max(visit.visit_date, action.due_date)
        action.closed_by = visit.facilitator
        action.closing_note = "Sudah dikerjakan, diperiksa saat kunjungan"
    FollowUpAction.objects.bulk_update(
        [a for a in still_open if a.status == "done"],
        ["status", "closed_date", "closed_by", "closing_note"],
    )
    return created


def _trainings(groups, members, facilitators, topics, last_day, seed) -> Counter:
    created = Counter()
    villages = {}
    for group in groups:
        villages.setdefault(group.village, []).append(group)
    for index, (village, village_groups) in enumerate(villages.items()):
        rng = random.Random(f"{seed}:alive-training:{village.code}")
        facilitator = facilitators[village.pk]
        held = last_day - datetime.timedelta(days=rng.randint(20, 80))
        planned = last_day + datetime.timedelta(days=rng.randint(10, 40))
        for title, codes, day in (
            (REFRESHER, ("admin-keuangan", "simpan-pinjam"), held),
            (PLANNED, ("pengorganisasian",), planned),
        ):
            if TrainingEvent.objects.filter(title=title, village=village, start_date=day).exists():
                continue
            event = training_create(
                actor=facilitator,
                organiser=facilitator,
                topics=[topics[code] for code in codes if code in topics],
                title=title,
                start_date=day,
                end_date=day + datetime.timedelta(days=1),
                village=village,
                venue=rng.choice(VENUES),
                trainer=TRAINER,
                notes="",
            )
            training_invite(actor=facilitator, event=event, groups=village_groups)
            created["training"] += 1
            if day > last_day:
                continue  # planned: nobody has attended yet
            for group in village_groups:
                rows = attendance_rows(
                    members.get(group.pk, []), OFFICER_ROLES, rng, pre=(40, 75), gain=(5, 25)
                )
                if rows:
                    attendance_set_for_group(actor=facilitator, event=event, group=group, rows=rows)
                    created["training attendance"] += len(rows)
        del index
    return created


def _assessments(groups, facilitators, last_day, seed) -> Counter:
    created = Counter()
    for group in groups:
        rng = random.Random(
            f"{seed}:alive-grading:{group.village.code}:{group.registration_number}"
        )
        facilitator = facilitators[group.village_id]
        day = last_day - datetime.timedelta(days=rng.randint(5, 150))
        draft = assessment_start(actor=facilitator, group=group, assessment_date=day)
        maturity = rng.uniform(0.45, 0.95)
        scores = {}
        for answer in draft.answers.filter(is_auto=False):
            share = min(1.0, max(0.0, maturity + rng.uniform(-0.15, 0.15)))
            scores[answer.pk] = round(share * answer.max_score)
        assessment_confirm(actor=facilitator, assessment=draft, scores=scores)
        created["assessment"] += 1
    return created
