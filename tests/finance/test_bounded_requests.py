"""One request cannot hold a worker: a formset builds no more forms than its page has
(`absolute_max`), whatever TOTAL_FORMS a post claims, and a post with more fields than any
form has is refused at once (DATA_UPLOAD_MAX_NUMBER_FIELDS). Nothing is written."""

import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from finance.forms.records import GENERAL_MAX_LINES
from finance.forms.setup import OTHER_ROWS
from finance.models import JournalEntry
from tests.finance.test_entry_views import page_token, record_url
from tests.finance.test_opening import members, wizard_data  # noqa: F401 (fixture)
from tests.training.test_views import post_form, visit_post
from tests.web.support import logged_in, translated
from training.forms import FOLLOW_UP_MAX
from training.models import FollowUpAction, Visit

pytestmark = pytest.mark.django_db
QUICK = 3.0  # seconds; 1,030 journal lines took 15 s before the bound


def at_most(count: int) -> str:
    with translation.override("id"):
        return translation.ngettext(
            "Please submit at most %(num)d form.", "Please submit at most %(num)d forms.", count
        ) % {"num": count}


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_general_journal_claiming_1030_lines_is_refused_quickly(book, treasurer):
    client = logged_in(treasurer)
    url = record_url(book, "general")
    data = {
        "token": page_token(client, url),
        "entry_date": "2017-03-01",
        "description": "Banyak baris",
        "lines-TOTAL_FORMS": "1030",
        "lines-INITIAL_FORMS": "0",
    }

    response, seconds = timed(lambda: client.post(url, data))

    assert response.status_code == 200
    assert seconds < QUICK
    lines = response.context["form"].lines
    assert len(lines.forms) == GENERAL_MAX_LINES
    assert at_most(GENERAL_MAX_LINES) in [str(e) for e in lines.non_form_errors()]
    assert at_most(GENERAL_MAX_LINES) in response.content.decode()
    assert not JournalEntry.objects.filter(book=book).exists()


def test_a_post_with_more_fields_than_any_form_has_is_refused_at_once(book, treasurer):
    client = logged_in(treasurer)
    url = record_url(book, "general")
    data = {"lines-TOTAL_FORMS": "1030", "lines-INITIAL_FORMS": "0"}
    for index in range(1030):
        data.update({f"lines-{index}-account": "1", f"lines-{index}-debit": "1000"})
    assert len(data) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

    response, seconds = timed(lambda: client.post(url, data))

    assert response.status_code == 400
    assert seconds < QUICK
    assert translated("Request refused") in response.content.decode()
    assert not JournalEntry.objects.filter(book=book).exists()


def test_a_body_larger_than_a_form_can_be_is_refused(book, treasurer):
    client = logged_in(treasurer)
    response = client.post(
        record_url(book, "general"),
        {"description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code == 400


def test_the_opening_wizard_builds_no_more_rows_than_members(book, members, treasurer):  # noqa: F811
    client = logged_in(treasurer)
    url = reverse("finance:opening", args=[book.pk])
    on_page = [form.person for form in client.get(url).context["wizard"].members.forms]
    data = wizard_data(book, on_page, {})
    data.update({"members-TOTAL_FORMS": "1030", "other-TOTAL_FORMS": "1030"})

    response, seconds = timed(lambda: client.post(url, data))

    assert response.status_code == 200
    assert seconds < QUICK
    wizard = response.context["wizard"]
    assert len(wizard.members.forms) == len(on_page)
    assert len(wizard.other.forms) == OTHER_ROWS
    assert at_most(OTHER_ROWS) in [str(e) for e in wizard.other.non_form_errors()]
    assert not JournalEntry.objects.filter(book=book).exists()


def test_the_visit_form_builds_no_more_follow_ups_than_it_offers(facilitator, ksm):
    client = logged_in(facilitator)
    url = reverse("training:visit_create", args=[ksm.pk])
    data = visit_post(**{"actions-TOTAL_FORMS": "1030"})

    response, seconds = timed(lambda: post_form(client, url, data))

    assert response.status_code == 200
    assert seconds < QUICK
    actions = response.context["actions"]
    assert len(actions.forms) == FOLLOW_UP_MAX
    assert at_most(FOLLOW_UP_MAX) in [str(e) for e in actions.non_form_errors()]
    assert not Visit.objects.exists() and not FollowUpAction.objects.exists()
