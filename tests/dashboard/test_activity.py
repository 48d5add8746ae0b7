"""The staff activity page: who changed what and when across the audited models and the
logins, filterable by user, KSM and dates, a page at a time at a cost that does not grow with
the history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.activity import GROUP_PATHS, Cursor, audited_models, recent_activity
from groups.services import group_update
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.training.factories import TrainingEventFactory
from tests.web.support import element, logged_in, translated
from training import services
from training.services import AttendanceRow

pytestmark = pytest.mark.django_db
PILOT_DAY = datetime.date(2017, 3, 14)


def _rows(response):
    assert response.status_code == 200
    return element(response, "activity").rows()[1:]


def test_staff_see_who_changed_what_and_others_are_refused(
    ksm, facilitator, program_staff, treasurer
):
    training = TrainingEventFactory(
        village=ksm.village, organiser=facilitator, start_date=PILOT_DAY, invited=[ksm]
    )
    services.training_update(actor=facilitator, event=training, title="Pembukuan, angkatan 2")
    rows = _rows(logged_in(program_staff).get(reverse("dashboard:activity")))
    changed = next(
        row for row in rows if row[1] == "pendamping" and translated("Changed") in row[2]
    )
    assert "Pembukuan, angkatan 2" in changed[3]
    assert "→ Pembukuan, angkatan 2" in changed[4]
    # Logging in shows too (the staff member's own login, by the test client).
    assert any(row[2] == translated("Login") and row[1] == "staf.program" for row in rows)
    for user in (facilitator, treasurer):
        assert logged_in(user).get(reverse("dashboard:activity")).status_code == 403


def test_the_page_is_filtered_by_user_ksm_and_dates(ksm, facilitator, program_staff):
    other = SelfHelpGroupFactory(village=ksm.village, name="KSM Lain")
    group_update(actor=facilitator, group=ksm, name="KSM Sejahtera Baru")
    group_update(actor=program_staff, group=other, name="KSM Lain Baru")
    client = logged_in(program_staff)
    url = reverse("dashboard:activity")

    by_user = _rows(client.get(url, {"user": "pendamping"}))
    assert by_user and all(row[1] == "pendamping" for row in by_user)
    assert any("KSM Sejahtera Baru" in row[3] for row in by_user)
    assert not any("KSM Lain Baru" in row[3] for row in by_user)

    by_ksm = _rows(client.get(url, {"ksm": other.pk}))
    assert by_ksm and all("KSM Lain" in row[3] for row in by_ksm)

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    later = _rows(client.get(url, {"date_from": tomorrow.isoformat()}))
    assert later == [[translated("Nothing recorded for these filters.")]]

    refused = client.get(url, {"ksm": 999999, "date_from": "2018-02-01", "date_to": "2018-01-01"})
    assert refused.status_code == 200 and 'id="activity"' not in refused.content.decode()


def test_pages_follow_one_another_without_gaps_at_a_bounded_cost(ksm, facilitator):
    training = TrainingEventFactory(
        village=ksm.village, organiser=facilitator, start_date=PILOT_DAY, invited=[ksm]
    )
    members = [MembershipFactory(group=ksm) for _ in range(4)]

    def churn(times):
        for number in range(times):
            keep = members[: 1 + number % len(members)]
            services.attendance_set_for_group(
                actor=facilitator,
                event=training,
                group=ksm,
                rows=[AttendanceRow(m.member_id, number % 100) for m in keep],
            )

    churn(8)
    wanted = {
        (row.source, row.row_id) for row in recent_activity(user=facilitator, page_size=10_000).rows
    }
    seen, cursor = [], None
    while True:
        page = recent_activity(user=facilitator, cursor=cursor, page_size=7)
        seen.extend((row.source, row.row_id) for row in page.rows)
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor)
    assert len(seen) == len(set(seen)) and set(seen) == wanted and len(seen) > 14

    # One query per history table and one for the logins, and at most one look-back per
    # row shown for what changed: the same however long the history grows.
    bound = len(audited_models()) + 1 + 7
    churn(30)
    with CaptureQueriesContext(connection) as queries:
        recent_activity(page_size=7)
    assert len(queries) <= bound


def test_every_way_to_a_ksm_names_an_audited_model_and_reads(ksm):
    audited = {model._meta.label_lower: model for model in audited_models()}
    assert set(GROUP_PATHS) <= set(audited)
    for label, path in GROUP_PATHS.items():
        history = audited[label].history.model
        history.objects.filter(path(ksm.pk)).exists()  # a wrong path raises here
