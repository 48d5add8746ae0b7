"""Trainings, visits, coverage and grading as xlsx and csv: what the page shows, for what the
user may see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.export_support import read_csv, read_xlsx
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.training.factories import (
    CORE_BOOKKEEPING,
    AttendanceFactory,
    ConfirmedAssessmentFactory,
    TrainingEventFactory,
    VisitFactory,
    level,
    topic,
)
from tests.web.support import element, logged_in, translated
from training.models import Topic

pytestmark = pytest.mark.django_db
FORMULA = "=1+2"


def test_the_trainings_export_is_the_tab_shown(village, other_village, facilitator_client):
    past = TrainingEventFactory(village=village, title="Pelatihan lama")
    upcoming = TrainingEventFactory(
        village=village, start_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    TrainingEventFactory(village=other_village, title="Pelatihan jauh")
    url = reverse("training:event_list")

    table = read_xlsx(facilitator_client.get(url, {"when": "past", "format": "xlsx"}))

    assert [row[0] for row in table.rows] == [past.title]
    assert table.rows[0][1].date() == past.start_date
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("Trainings"),
            "value": translated("Past"),
        }
        in table.heading
    )
    upcoming_rows = read_csv(facilitator_client.get(url, {"format": "csv"})).rows
    assert [row[0] for row in upcoming_rows] == [upcoming.title]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_visits_export_has_the_facilitators_villages_only(
    ksm, other_village, facilitator, facilitator_client, fmt
):
    mine = VisitFactory(group=ksm, facilitator=facilitator, findings=FORMULA)
    colleague = VisitFactory(group=ksm, visit_date=datetime.date(2017, 4, 1))
    VisitFactory(group=SelfHelpGroupFactory(village=other_village))
    reader = read_xlsx if fmt == "xlsx" else read_csv
    url = reverse("training:visit_list")

    table = reader(facilitator_client.get(url, {"format": fmt}))

    assert [row[0] for row in table.rows] == [ksm.name, ksm.name]
    findings = [row[4] for row in table.rows]
    assert findings[1] == colleague.findings
    assert findings[0] == (FORMULA if fmt == "xlsx" else f"'{FORMULA}")
    only_mine = reader(facilitator_client.get(url, {"mine": "1", "format": fmt}))
    assert len(only_mine.rows) == 1 and mine.visit_date.strftime("%d-%m-%Y") in str(
        only_mine.rows[0][2] if fmt == "csv" else only_mine.rows[0][2].strftime("%d-%m-%Y")
    )


def test_a_ksm_visit_history_exports_and_stays_in_scope(ksm, other_village, treasurer):
    VisitFactory(group=ksm)
    elsewhere = SelfHelpGroupFactory(village=other_village)
    client = logged_in(treasurer)

    table = read_csv(client.get(reverse("training:group_visits", args=[ksm.pk]), {"format": "csv"}))
    assert len(table.rows) == 1 and table.heading[1].startswith(ksm.name)
    response = client.get(reverse("training:group_visits", args=[elsewhere.pk]), {"format": "csv"})
    assert response.status_code == 404


def test_the_coverage_export_has_the_table_and_who_still_needs_training(
    ksm, village, district, staff_client
):
    trained = SelfHelpGroupFactory(village=village, name="KSM Terlatih")
    core_topics = list(Topic.objects.filter(is_core=True, is_active=True))
    event = TrainingEventFactory(village=village, invited=[trained], topics=core_topics)
    for role in ("chair", "treasurer"):
        AttendanceFactory(event=event, membership=MembershipFactory(group=trained, **{role: True}))
    # The KSM's chair has had the bookkeeping training; its treasurer has not.
    AttendanceFactory(
        event=TrainingEventFactory(village=village, invited=[ksm]),
        membership=MembershipFactory(group=ksm, chair=True),
    )
    MembershipFactory(group=ksm, treasurer=True)
    url = reverse("training:coverage")

    page = staff_client.get(url, {"area": district.code})
    table = read_xlsx(staff_client.get(url, {"area": district.code, "format": "xlsx"}))

    page_rows = element(page, "coverage").rows()
    core = page_rows[0][2:-1]
    assert table.header == [translated("Village"), "KSM", *core, translated("All core topics")]
    bookkeeping = core.index(topic(CORE_BOOKKEEPING).name)
    assert table.rows[0][:2] == [village.name, 2]
    assert table.rows[0][2 + bookkeeping] == 1
    assert table.rows[-1][0] == district.name  # the area's total
    needs = read_csv(
        staff_client.get(url, {"area": district.code, "list": "needs", "format": "csv"})
    )
    assert [row[0] for row in needs.rows] == [ksm.name]
    assert needs.rows[0][2 + bookkeeping] == translated("treasurer")


def test_the_grading_export_has_the_levels_by_district(ksm, regency, district, facilitator_client):
    ConfirmedAssessmentFactory(group=ksm, level=level("Berkembang"))
    url = reverse("training:grading")

    table = read_xlsx(facilitator_client.get(url, {"regency": regency.code, "format": "xlsx"}))

    column = table.header.index("Berkembang")
    assert table.rows[0][0] == district.name and table.rows[0][column] == 1
    assert table.rows[-1][:2] == [translated("Total"), 1]
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("Regency"),
            "value": regency.name,
        }
        in table.heading
    )
    assert facilitator_client.get(url, {"regency": "99.99", "format": "csv"}).status_code == 404
