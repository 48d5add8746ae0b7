"""The meeting sheet, summary and list pages as a treasurer, a facilitator and outsiders meet
them: prefilled boxes, a bad line marked and nothing posted, resubmission, stale sheets."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import ADMINISTRATORS
from finance import tokens
from finance.models import JournalEntry, Loan, Meeting, MeetingLine
from finance.services import book_open
from finance.services.meetings import meeting_record
from tests.finance.test_meeting_sheet import FEB, add_members, counts, lend, line, make_group
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory, UserFactory
from tests.villages.factories import BumdesFactory
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def client(treasurer):
    return logged_in(treasurer)


@pytest.fixture
def group(book, ksm):
    return make_group(book, ksm)


def sheet_url(book, day=FEB) -> str:
    return f"{reverse('finance:meeting_sheet', args=[book.pk])}?date={day.isoformat()}"


def open_sheet(client, book, day=FEB):
    response = client.get(sheet_url(book, day), follow=True)
    assert response.status_code == 200
    return response


def sheet_data(response) -> dict:
    """What the browser sends back from the sheet as the page gave it."""
    form = element(response, "meeting-sheet")
    data = {}
    for box in form.find_all("input") + form.find_all("textarea"):
        name = box.attrs.get("name")
        if not name:
            continue
        if box.attrs.get("type") == "checkbox":
            if "checked" in box.attrs:
                data[name] = "on"
        else:
            data[name] = box.attrs.get("value", "")
    return data


def box(member, name: str) -> str:
    return f"m{member.pk}-{name}"


def test_the_sheet_carries_its_token_and_prefills_what_is_due(client, group):
    first = client.get(sheet_url(group))
    assert first.status_code == 302 and "t=" in first["Location"]

    response = client.get(first["Location"])

    p = group.people
    data = sheet_data(response)
    assert data["meeting_date"] == "2017-02-10"
    assert data[box(p["ani"], "mandatory")] == "10.000"
    assert data[box(p["ani"], "repayment")] == "120.000"
    assert box(p["citra"], "repayment") not in data  # no loan, no instalment box
    assert data[box(p["citra"], "present")] == "on"
    card = element(response, f"line-{p['ani'].pk}")
    assert "PJ-0001" in card.text and "Rp 1.000.000" in card.text
    assert "Rp 50.000" in element(response, f"line-{p['citra'].pk}").text  # her sukarela
    amount_box = next(
        el for el in card.find_all("input") if el.attrs.get("name") == box(p["ani"], "mandatory")
    )
    assert amount_box.attrs["inputmode"] == "numeric"
    assert "Rp 10.000" in element(response, "sheet-basis").text


def test_a_sent_sheet_posts_and_shows_the_meeting_summary(client, group):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data.pop(box(p["dewi"], "present"))  # Dewi did not come
    data[box(p["dewi"], "mandatory")] = ""
    data[box(p["dewi"], "fine")] = "2.000"
    data[box(p["budi"], "voluntary_in")] = "Rp 25.000"
    data[box(p["citra"], "voluntary_out")] = "30000"

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    # Five members, the chair and the treasurer; Dewi stayed home.
    assert (meeting.members_count, meeting.present_count) == (6, 5)
    # Wajib 5 x 10.000, two instalments of 120.000, sukarela 25.000, a fine of 2.000.
    assert meeting.total_in == D(50_000 + 240_000 + 25_000 + 2_000)
    assert meeting.total_out == D(30_000)
    summary = client.get(response["Location"])
    assert element(summary, "meeting-attendance").text == "5 / 6"
    assert element(summary, "meeting-in").text == "Rp 317.000"
    assert element(summary, "meeting-out").text == "Rp 30.000"
    assert element(summary, "meeting-cash-after").text == f"Rp {meeting.cash_after:,.0f}".replace(
        ",", "."
    )
    dewi = element(summary, f"meeting-line-{p['dewi'].pk}")
    assert translated("absent") in dewi.text and "Rp 2.000" in dewi.text
    ani = element(summary, f"meeting-line-{p['ani'].pk}")
    entry = MeetingLine.objects.get(member=p["ani"]).entry
    assert "Rp 120.000" in ani.text and "PJ-0001" in ani.text and entry.reference in ani.text
    assert reverse("finance:loan", args=[group.pk, group.member_loans["ani"].pk]) in ani.hrefs()
    assert element(summary, "meeting-totals").rows()[0][1:6] == [
        "Rp 50.000",
        "Rp 25.000",
        "Rp 30.000",
        "Rp 240.000",
        "Rp 2.000",
    ]


def test_a_sheet_with_a_bad_line_posts_nothing_and_marks_the_line(client, group):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data[box(p["citra"], "voluntary_out")] = "60.000"  # she has Rp 50.000
    data[box(p["budi"], "repayment")] = "abc"
    before = counts(group)

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    assert response.status_code == 200
    assert counts(group) == before
    citra = element(response, f"line-{p['citra'].pk}")
    assert "border-danger" in citra.attrs["class"]
    assert translated("Only %(balance)s in voluntary savings.") % {"balance": "Rp 50.000"} in (
        citra.text
    )
    budi = element(response, f"line-{p['budi'].pk}")
    assert translated("Write the amount in rupiah, e.g. 25000 or 25.000.") in budi.text
    assert "border-danger" not in element(response, f"line-{p['ani'].pk}").attrs["class"]
    # The message at the top links each bad line.
    assert element(response, "sheet-bad-lines").hrefs() == [
        f"#line-{p['budi'].pk}",
        f"#line-{p['citra'].pk}",
    ]
    # What the treasurer typed is kept for the correction.
    assert sheet_data(response)[box(p["citra"], "voluntary_out")] == "60.000"


def test_a_bad_box_on_the_sheet_keeps_its_name_value_and_label_and_points_at_its_error(
    client, group
):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data[box(p["budi"], "repayment")] = "abc"
    data[box(p["budi"], "fine")] = "1.500"

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    card = element(response, f"line-{p['budi'].pk}")
    boxes = {el.attrs["name"]: el for el in card.find_all("input") if "name" in el.attrs}
    bad = boxes[box(p["budi"], "repayment")]
    assert bad.attrs["value"] == "abc" and bad.attrs["aria-invalid"] == "true"
    assert "is-invalid" in bad.attrs["class"]
    error = element(response, bad.attrs["aria-describedby"])
    assert error.text == translated("Write the amount in rupiah, e.g. 25000 or 25.000.")
    labels = {el.attrs["for"]: el.text for el in card.find_all("label")}
    assert p["budi"].full_name in labels[bad.attrs["id"]]
    fine = boxes[box(p["budi"], "fine")]
    assert fine.attrs["value"] == "1.500" and "aria-invalid" not in fine.attrs
    assert labels[fine.attrs["id"]] == translated("Other fines")
    # Every box comes back as it was sent (the CSRF token is a new one).
    sent_back = sheet_data(response)
    assert sent_back.pop("csrfmiddlewaretoken") and data.pop("csrfmiddlewaretoken")
    assert sent_back == data


def test_every_box_on_the_sheet_has_a_label_naming_the_member_and_the_loans_are_explained(
    client, group
):
    p = group.people
    response = open_sheet(client, group)
    form = element(response, "meeting-sheet")
    labels = {el.attrs["for"]: el.text for el in form.find_all("label")}
    boxes = [el for el in form.find_all("input") if el.attrs.get("type") in ("text", "checkbox")]
    # Six members (the chair and the treasurer too), each: present, titip, wajib, sukarela in
    # and out, a fine; Ani and Budi an instalment too.
    assert len(boxes) == 6 * 6 + 2
    for el in boxes:
        assert el.attrs["id"] == f"id_{el.attrs['name']}" and labels[el.attrs["id"]]
    ani = element(response, f"line-{p['ani'].pk}")
    assert labels[f"id_{box(p['ani'], 'mandatory')}"] == f"{translated('Wajib')}, Ani"
    assert labels[f"id_{box(p['ani'], 'repayment')}"] == (
        translated("Instalment, loan %(ref)s") % {"ref": "PJ-0001"} + ", Ani"
    )
    assert (
        translated("Owes %(balance)s; due now %(due)s")
        % {
            "balance": "Rp 1.000.000",
            "due": "Rp 120.000",
        }
        in ani.text
    )
    citra = element(response, f"line-{p['citra'].pk}")
    assert translated("Balance %(balance)s") % {"balance": "Rp 50.000"} in citra.text
    assert translated("Sukarela, fines") in citra.text and "\u2013" in citra.text  # no loan


def test_a_sheet_whose_only_problem_the_service_finds_names_the_member(client, group):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data[box(p["citra"], "voluntary_out")] = "60.000"

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    with translation.override("id"):
        summary = translation.ngettext(
            "Nothing was recorded: %(count)s line needs attention (marked below).",
            "Nothing was recorded: %(count)s lines need attention (marked below).",
            1,
        ) % {"count": 1}
    assert summary in element(response, "sheet-errors").text
    assert "border-danger" in element(response, f"line-{p['citra'].pk}").attrs["class"]
    assert not Meeting.objects.exists()
    assert not JournalEntry.objects.filter(kind="meeting").exists()


def test_the_same_sheet_sent_twice_records_once(client, group):
    data = sheet_data(open_sheet(client, group))
    url = reverse("finance:meeting_sheet", args=[group.pk])
    first = client.post(url, data, follow=True)
    before = counts(group)

    again = client.post(url, data, follow=True)

    assert again.redirect_chain == first.redirect_chain
    alerts = [el.text for el in parse(again).iter() if el.attrs.get("role") == "alert"]
    assert alerts == [translated("This sheet was already recorded.")]
    assert counts(group) == before
    # Going back to the sheet's page says it was sent.
    back = client.get(f"{url}?date=2017-02-10&t={data['token']}")
    assert element(back, "sheet-used")


def test_a_stale_sheet_is_refused_and_the_recorded_meeting_is_offered(client, group):
    data = sheet_data(open_sheet(client, group))
    recorded = meeting_record(
        book=group, meeting_date=FEB, token="other-phone", lines=[line(group.people["ani"])]
    )
    before = counts(group)

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    assert response.status_code == 200
    assert counts(group) == before
    errors = element(response, "sheet-errors")
    assert "10-02-2017" in errors.text
    assert recorded.meeting.get_absolute_url() in errors.hrefs()
    # Opening a sheet for that date now says so and offers no form.
    fresh = open_sheet(client, group)
    assert element(fresh, "sheet-recorded")
    assert parse(fresh).by_id("meeting-sheet") is None


def test_only_those_who_post_open_the_sheet_others_read_the_meetings(group, facilitator):
    meeting = meeting_record(
        book=group, meeting_date=FEB, token="t1", lines=[line(group.people["ani"])]
    ).meeting
    reader = logged_in(facilitator)
    assert reader.get(sheet_url(group)).status_code == 403
    assert reader.get(meeting.get_absolute_url()).status_code == 200
    listing = reader.get(reverse("finance:meetings", args=[group.pk]))
    assert meeting.get_absolute_url() in element(listing, "meetings").hrefs()
    book_page = reader.get(group.get_absolute_url())
    links = element(book_page, "meeting-links").hrefs()
    assert reverse("finance:meetings", args=[group.pk]) in links
    assert reverse("finance:meeting_sheet", args=[group.pk]) not in links


def test_books_outside_the_users_sight_and_non_ksm_books_are_404(client, group, other_village):
    stranger = logged_in(UserFactory())
    meeting = meeting_record(
        book=group, meeting_date=FEB, token="t2", lines=[line(group.people["ani"])]
    ).meeting
    for url in (sheet_url(group), meeting.get_absolute_url()):
        assert stranger.get(url).status_code == 404
    bumdes_book = book_open(
        owner=BumdesFactory(village=group.group.village), opening_date=datetime.date(2017, 1, 1)
    )
    staff = logged_in(UserFactory(staff_role=ADMINISTRATORS))
    assert staff.get(sheet_url(bumdes_book)).status_code == 404
    assert staff.get(reverse("finance:meetings", args=[bumdes_book.pk])).status_code == 404
    other = book_open(
        owner=SelfHelpGroupFactory(village=other_village), opening_date=datetime.date(2017, 1, 1)
    )
    assert client.get(sheet_url(other)).status_code == 404


def test_the_treasurers_book_page_links_the_sheet(client, group):
    links = element(client.get(group.get_absolute_url()), "meeting-links").hrefs()
    assert reverse("finance:meeting_sheet", args=[group.pk]) in links


def _queries(client, url, method="get", data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return len(captured)


def test_the_sheet_page_costs_the_same_queries_for_5_or_25_members(client, group, ksm):
    url = (
        open_sheet(client, group).request["PATH_INFO"]
        + "?"
        + open_sheet(client, group).request["QUERY_STRING"]
    )
    small = _queries(client, url)
    more = add_members(ksm, [f"Anggota {n}" for n in range(20)])
    product = group.member_loans["ani"].product
    for member in more[:8]:
        lend(group, member, group.people["chair"], product, amount=200_000)

    assert _queries(client, url) == small
    assert small <= 25


def test_sending_a_sheet_of_25_members_with_10_loans_has_a_bounded_query_count(client, group, ksm):
    more = add_members(ksm, [f"Anggota {n:02d}" for n in range(20)])
    product = group.member_loans["ani"].product
    for member in more[:8]:
        lend(group, member, group.people["chair"], product, amount=200_000)
    data = sheet_data(open_sheet(client, group))
    url = reverse("finance:meeting_sheet", args=[group.pk])

    queries = _queries(client, url, "post", data)

    meeting = Meeting.objects.get()
    # 24 members, the chair and the treasurer, each paying wajib.
    assert (meeting.members_count, meeting.lines.exclude(entry=None).count()) == (26, 26)
    assert Loan.objects.filter(balance__lt=1_000_000, principal=1_000_000).count() == 2
    # Each posted entry costs about 10 statements (lock, number, entry, lines, monthly and
    # daily totals, the member check, a savepoint) and each instalment about 6 more (its
    # position, its accounts, the loan's totals): the count grows with the sheet's lines,
    # never with the books.
    assert queries <= 30 + 11 * 26 + 7 * 10, queries


def test_the_meeting_list_paginates(client, group, settings):
    settings.PAGE_SIZE = 3
    for day in range(1, 6):
        Meeting.objects.create(
            group=group.group,
            book=group,
            meeting_date=datetime.date(2017, 1, day),
            token=f"list-{day}",
            members_count=5,
            present_count=4,
        )
    response = client.get(reverse("finance:meetings", args=[group.pk]))
    rows = element(response, "meetings").rows()[1:]
    assert [row[0] for row in rows] == ["05-01-2017", "04-01-2017", "03-01-2017"]
    assert rows[0][1] == "4 / 5"
    assert any("page=2" in href for href in parse(response).page_links())


def test_a_sheet_sent_after_the_member_list_changed_is_refused(client, group):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data[box(p["dewi"], "mandatory")] = "10000"
    membership = MembershipFactory._meta.model.objects.get(member=p["dewi"])
    membership.left_date = datetime.date(2017, 2, 5)
    membership.save()

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert (
        translated(
            "The member list changed since this sheet was opened (someone joined or left). "
            "Nothing was recorded: check the sheet below and send it again."
        )
        in element(response, "sheet-errors").text
    )
    # The sheet shown again has the current list.
    assert parse(response).by_id(f"line-{p['dewi'].pk}") is None


def test_a_sheet_sent_without_its_token_records_nothing(client, group):
    data = sheet_data(open_sheet(client, group))
    del data["token"]

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    assert response.status_code == 200
    assert translated(str(tokens.MISSING)) in element(response, "sheet-errors").text
    assert not Meeting.objects.exists()


def test_the_sheet_refuses_wajib_for_a_member_marked_absent_and_records_nothing(client, group):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data.pop(box(p["dewi"], "present"))  # unticked, but her wajib left in (no JavaScript)

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    assert response.status_code == 200 and not Meeting.objects.exists()
    dewi = element(response, f"line-{p['dewi'].pk}")
    assert (
        translated(
            "Marked absent: clear the wajib, or tick titip if someone paid it for the member."
        )
        in dewi.text
    )
    assert not JournalEntry.objects.filter(kind="meeting").exists()


def test_wajib_typed_with_thousands_dots_posts_the_right_amount(client, group):
    p = group.people
    data = sheet_data(open_sheet(client, group))
    data[box(p["ani"], "mandatory")] = "25.000"
    data.pop(box(p["dewi"], "present"))
    data[box(p["dewi"], "paid_for")] = "on"  # titip: her neighbour brought it
    data[box(p["dewi"], "mandatory")] = "Rp 10.000"

    response = client.post(reverse("finance:meeting_sheet", args=[group.pk]), data)

    assert response.status_code == 302
    lines = {ml.member_id: ml for ml in MeetingLine.objects.all()}
    assert lines[p["ani"].pk].mandatory == D(25_000)
    assert (lines[p["dewi"].pk].present, lines[p["dewi"].pk].paid_for) == (False, True)
    assert lines[p["dewi"].pk].mandatory == D(10_000)
