"""The admin actions on fixed data, the admin form refusing what the site refuses, and the
exports read back."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from finance.models import FiscalPeriod, JournalEntry, Loan
from groups.models import Membership, SelfHelpGroup
from tests.web.support import translated

pytestmark = pytest.mark.django_db


def _act(client, model_name, action, rows, **extra):
    url = reverse(f"admin:{model_name}_changelist")
    data = {"action": action, "index": 0, helpers.ACTION_CHECKBOX_NAME: [r.pk for r in rows]}
    data.update(extra)
    return client.post(url, data, follow=not extra.get("_nofollow"))


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_ending_memberships_asks_a_date_then_ends_them(admin_client, workbench):
    saver = workbench["saver"]
    page = _act(admin_client, "groups_membership", "end_memberships", [saver])
    assert page.status_code == 200 and b'name="date"' in page.content
    _act(admin_client, "groups_membership", "end_memberships", [saver], apply=1, date="2018-02-01")
    saver.refresh_from_db()
    assert saver.left_date == datetime.date(2018, 2, 1)


def test_finance_staff_may_not_end_memberships_and_nothing_changes(
    client, workbench, finance_staff
):
    client.force_login(finance_staff)
    saver = workbench["saver"]
    response = _act(
        client, "groups_membership", "end_memberships", [saver], apply=1, date="2018-02-01"
    )
    saver.refresh_from_db()
    assert saver.left_date is None
    refusal = translated(
        "Your role may not change %(count)s of the %(total)s rows selected; nothing was changed."
    ) % {"count": 1, "total": 1}
    assert refusal in _messages(response)


def test_deactivating_a_ksm_makes_it_dormant_through_the_service(admin_client, workbench):
    ksm = workbench["ksm"]
    _act(admin_client, "groups_selfhelpgroup", "deactivate_groups", [ksm])
    ksm.refresh_from_db()
    assert ksm.status == SelfHelpGroup.Status.DORMANT
    assert ksm.history.first().status == SelfHelpGroup.Status.DORMANT


def test_resetting_an_officers_login_gives_a_new_code_on_the_slip(admin_client, workbench):
    treasurer = workbench["treasurer"]
    treasurer.member.refresh_from_db()
    user = treasurer.member.user
    user.set_password("lama-sekali-123")
    user.save()
    response = _act(admin_client, "groups_membership", "reset_membership_login", [treasurer])
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert response.redirect_chain[-1][0] == reverse("accounts:slip")


def test_reopening_a_month_records_the_reason(admin_client, workbench):
    book = workbench["book"]
    period = FiscalPeriod.objects.get(book=book, month=datetime.date(2017, 1, 1))
    page = _act(admin_client, "finance_fiscalperiod", "reopen_periods", [period])
    assert b'name="reason"' in page.content
    _act(
        admin_client,
        "finance_fiscalperiod",
        "reopen_periods",
        [period],
        apply=1,
        reason="Nota terlambat",
    )
    book.refresh_from_db()
    assert book.closed_through is None
    assert period.history.first().history_change_reason == "Nota terlambat"


def test_program_staff_may_not_reopen_a_month(client, workbench, program_staff):
    client.force_login(program_staff)
    book = workbench["book"]
    period = FiscalPeriod.objects.get(book=book, month=datetime.date(2017, 1, 1))
    _act(client, "finance_fiscalperiod", "reopen_periods", [period], apply=1, reason="x")
    book.refresh_from_db()
    assert book.closed_through == datetime.date(2017, 1, 31)


def test_posted_records_are_read_only_even_for_an_administrator(admin_client, workbench):
    loan = workbench["loan"]
    balance = Loan.objects.get(pk=loan.pk).balance
    entry = JournalEntry.objects.filter(lines__loan=loan).order_by("pk").first()
    for name, obj in (("finance_loan", loan), ("finance_journalentry", entry)):
        url = reverse(f"admin:{name}_change", args=[obj.pk])
        page = admin_client.get(url)
        assert b'name="_save"' not in page.content
        assert admin_client.post(url, {}).status_code == 403
    page = admin_client.get(reverse("admin:finance_loan_change", args=[loan.pk])).content.decode()
    # The loan shows its entries, each with the site's reversal form.
    assert reverse("finance:entry_reverse", args=[entry.book_id, entry.pk]) in page
    assert Loan.objects.get(pk=loan.pk).balance == balance


def test_the_admin_form_refuses_what_the_site_refuses_in_its_words(admin_client, workbench):
    ksm = workbench["ksm"]
    url = reverse("admin:groups_selfhelpgroup_add")
    response = admin_client.post(
        url,
        {
            "village": ksm.village_id,
            "name": "KSM Kembar",
            "registration_number": ksm.registration_number,
            "origin": "new",
            "formed_date": "2016-06-01",
            "business_sector": "savings_loans",
            "status": "active",
        },
    )
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())
    assert translated("Another KSM in this village already has this registration number.") in errors
    assert SelfHelpGroup.objects.filter(name="KSM Kembar").count() == 0


def test_a_ksm_added_in_admin_counts_in_its_region(admin_client, workbench):
    ksm = workbench["ksm"]
    village = ksm.village
    before = type(village).objects.get(pk=village.pk).ksm_count
    response = admin_client.post(
        reverse("admin:groups_selfhelpgroup_add"),
        {
            "village": village.pk,
            "name": "KSM Baru Admin",
            "registration_number": "999/KSM/2016",
            "origin": "new",
            "formed_date": "2016-06-01",
            "business_sector": "savings_loans",
            "status": "active",
        },
    )
    assert response.status_code == 302
    assert type(village).objects.get(pk=village.pk).ksm_count == before + 1


def test_exports_read_back_with_formulas_neutralised(admin_client, workbench):
    member = workbench["saver"].member
    member.full_name = "=HYPERLINK(1)"
    member.save()
    rows = [member]
    response = _act(admin_client, "groups_member", "export_csv", rows, _nofollow=1)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["'=HYPERLINK(1)", member.nik] == lines[-1][:2]
    response = _act(admin_client, "groups_member", "export_xlsx", rows, _nofollow=1)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(workbook.active.iter_rows(values_only=True))
    assert values[-1][:2] == ("'=HYPERLINK(1)", member.nik)


def test_a_membership_inline_shows_the_ksm_with_its_officers(admin_client, workbench):
    ksm = workbench["ksm"]
    page = admin_client.get(reverse("admin:groups_selfhelpgroup_change", args=[ksm.pk]))
    assert workbench["chair"].member.full_name in page.content.decode()


def test_the_ksm_page_links_to_admin_for_staff_only(client, workbench, staff_user, facilitator):
    ksm = workbench["ksm"]
    admin_url = reverse("admin:groups_selfhelpgroup_change", args=[ksm.pk])
    client.force_login(staff_user)
    assert admin_url in client.get(ksm.get_absolute_url()).content.decode()
    client.force_login(facilitator)
    assert admin_url not in client.get(ksm.get_absolute_url()).content.decode()


def test_region_filter_narrows_regency_to_kecamatan(admin_client, workbench):
    ksm = workbench["ksm"]
    district = ksm.village.district
    url = reverse("admin:groups_selfhelpgroup_changelist")
    top = admin_client.get(url).content.decode()
    assert f"district={district.pk}" not in top  # no kecamatan listed before a regency
    narrowed = admin_client.get(
        url, {"province": district.regency.province_id, "regency": district.regency_id}
    )
    assert f"district={district.pk}" in narrowed.content.decode()
    shown = admin_client.get(url, {"district": district.pk + 10_000}).context["cl"].result_list
    assert list(shown) == []
    assert Membership.objects.exists()


def test_members_are_found_by_a_nik_prefix_and_ksm_by_a_village_code(admin_client, workbench):
    member = workbench["saver"].member
    found = admin_client.get(reverse("admin:groups_member_changelist"), {"q": member.nik[:10]})
    assert member in list(found.context["cl"].result_list)
    ksm = workbench["ksm"]
    found = admin_client.get(
        reverse("admin:groups_selfhelpgroup_changelist"), {"q": ksm.village.code}
    )
    assert list(found.context["cl"].result_list) == [ksm]


def test_entries_are_searched_within_a_book(admin_client, workbench):
    book = workbench["book"]
    entry = JournalEntry.objects.filter(book=book).order_by("pk").first()
    url = reverse("admin:finance_journalentry_changelist")
    within = admin_client.get(url, {"book": book.pk, "q": entry.reference})
    assert list(within.context["cl"].result_list) == [entry]
    everywhere = admin_client.get(url, {"q": entry.reference})
    assert list(everywhere.context["cl"].result_list) == []
    assert translated(
        "Choose a book first (the links on a book's admin page), then search in it."
    ) in _messages(everywhere)


def test_a_training_saved_in_admin_keeps_the_services_rules(admin_client, workbench):
    """training_update's own check (not the model's): with attendance recorded, a training
    cannot be moved into the future."""
    event = workbench["event"]
    url = reverse("admin:training_trainingevent_change", args=[event.pk])
    ahead = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    data = {
        "title": "Pelatihan diubah",
        "start_date": ahead,
        "end_date": ahead,
        "village": event.village_id,
        "organiser": event.organiser_id,
        "venue": event.venue,
        "trainer": event.trainer,
        "notes": "",
        "topics": [topic.pk for topic in event.topics.all()],
    }
    for prefix in ("invitations", "materials", "attendances"):
        data[f"{prefix}-TOTAL_FORMS"] = 0
        data[f"{prefix}-INITIAL_FORMS"] = 0
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert translated("Attendance is recorded, so the training cannot lie ahead.") in str(errors)
    event.refresh_from_db()
    assert event.title != "Pelatihan diubah"


def test_book_and_loan_pages_link_to_admin_for_staff(client, workbench, staff_user, facilitator):
    loan, book = workbench["loan"], workbench["book"]
    pages = {
        book.get_absolute_url(): reverse("admin:finance_book_change", args=[book.pk]),
        loan.get_absolute_url(): reverse("admin:finance_loan_change", args=[loan.pk]),
    }
    client.force_login(staff_user)
    for page, admin_url in pages.items():
        assert admin_url in client.get(page).content.decode()
    client.force_login(facilitator)
    for page, admin_url in pages.items():
        response = client.get(page)
        assert response.status_code == 200
        assert admin_url not in response.content.decode()
