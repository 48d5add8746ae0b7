"""A KSM's savings rules: pokok once per membership (or only the difference after the group
raised it), the rule kept per date with its history, and the meeting sheet's wajib prefilled
from the rule in force on the meeting date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from finance.models import JournalEntry, SavingsRule
from finance.selectors.meetings import meeting_sheet
from finance.services import savings_deposit
from finance.services.savings import savings_rule_set
from tests.finance.test_meeting_sheet import FEB, make_group
from tests.web.support import element, logged_in

pytestmark = pytest.mark.django_db
D = Decimal
JAN_2 = datetime.date(2017, 1, 2)


def pokok(book, member, amount, day=JAN_2, **kwargs):
    return savings_deposit(
        book=book,
        member=member,
        savings_type="savings_principal",
        amount=amount,
        entry_date=day,
        **kwargs,
    )


def test_a_second_pokok_for_the_same_membership_is_refused_and_nothing_is_written(book, saver):
    pokok(book, saver, 100_000)
    before = JournalEntry.objects.filter(book=book).count()

    with pytest.raises(ValidationError) as caught:
        pokok(book, saver, 100_000, day=datetime.date(2017, 2, 1))

    message = caught.value.message_dict["amount"][0]
    assert saver.full_name in message and "Rp\u00a0100.000" in message
    assert JournalEntry.objects.filter(book=book).count() == before


def test_pokok_under_a_rule_accepts_what_is_due_and_refuses_more(book, saver):
    savings_rule_set(book=book, valid_from=book.opening_date, pokok=D(100_000), wajib=D(10_000))

    with pytest.raises(ValidationError) as caught:
        pokok(book, saver, 150_000)
    assert "Rp\u00a0100.000" in caught.value.message_dict["amount"][0]

    pokok(book, saver, 100_000)
    with pytest.raises(ValidationError):
        pokok(book, saver, 1_000, day=datetime.date(2017, 2, 1))


def test_after_the_group_raises_its_pokok_only_the_difference_is_accepted(book, saver):
    savings_rule_set(book=book, valid_from=book.opening_date, pokok=D(100_000), wajib=D(10_000))
    pokok(book, saver, 100_000)
    savings_rule_set(
        book=book, valid_from=datetime.date(2017, 3, 1), pokok=D(150_000), wajib=D(15_000)
    )

    with pytest.raises(ValidationError) as caught:
        pokok(book, saver, 150_000, day=datetime.date(2017, 3, 5))
    assert "Rp\u00a050.000" in caught.value.message_dict["amount"][0]

    posted = pokok(book, saver, 50_000, day=datetime.date(2017, 3, 5))
    assert posted.created
    # Before the new rule's date the old one applies: nothing more was due then.
    with pytest.raises(ValidationError):
        pokok(book, saver, 50_000, day=datetime.date(2017, 2, 20))


def test_the_same_pokok_form_sent_twice_posts_once_and_is_not_refused(book, saver):
    first = pokok(book, saver, 100_000, token="pokok-once")
    again = pokok(book, saver, 100_000, token="pokok-once")
    assert again.entry == first.entry and not again.created


def test_a_rule_for_the_same_date_is_changed_with_its_history_kept(book):
    savings_rule_set(book=book, valid_from=book.opening_date, pokok=D(100_000), wajib=D(10_000))
    savings_rule_set(book=book, valid_from=book.opening_date, pokok=D(100_000), wajib=D(12_000))

    rule = SavingsRule.objects.get(book=book)
    assert rule.wajib == D(12_000)
    assert [h.wajib for h in rule.history.order_by("history_date")] == [D(10_000), D(12_000)]


def test_negative_amounts_and_a_date_before_the_books_are_refused(book):
    with pytest.raises(ValidationError) as caught:
        savings_rule_set(book=book, valid_from=book.opening_date, pokok=D(-1), wajib=D(0))
    assert "pokok" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        savings_rule_set(book=book, valid_from=datetime.date(2016, 12, 31), pokok=D(1), wajib=D(1))
    assert "valid_from" in caught.value.message_dict
    assert not SavingsRule.objects.exists()


def test_the_meeting_sheet_prefills_wajib_from_the_rule_in_force_on_the_meeting_date(book, ksm):
    group = make_group(book, ksm)  # the members' usual wajib is Rp 10.000
    savings_rule_set(
        book=group, valid_from=datetime.date(2017, 2, 1), pokok=D(50_000), wajib=D(20_000)
    )
    savings_rule_set(
        book=group, valid_from=datetime.date(2017, 3, 1), pokok=D(50_000), wajib=D(25_000)
    )

    sheet = meeting_sheet(group, FEB)

    assert sheet.wajib_from_rule and sheet.usual_wajib == D(20_000)
    assert {row.wajib for row in sheet.rows} == {D(20_000)}
    before_rules = meeting_sheet(group, datetime.date(2017, 1, 31))
    assert not before_rules.wajib_from_rule


def test_the_treasurer_sets_the_rule_on_the_settings_page(book, treasurer):
    client = logged_in(treasurer)
    url = reverse("finance:savings_rules", args=[book.pk])

    response = client.post(
        url, {"valid_from": "2017-01-01", "pokok": "100.000", "wajib": "Rp 10.000"}, follow=True
    )

    assert response.status_code == 200
    rule = SavingsRule.objects.get(book=book)
    assert (rule.pokok, rule.wajib, rule.set_by) == (D(100_000), D(10_000), treasurer)
    assert "Rp 100.000" in element(response, "rule-current").text


def test_an_ordinary_member_cannot_set_the_rule(book, member_user):
    client = logged_in(member_user)
    response = client.post(
        reverse("finance:savings_rules", args=[book.pk]),
        {"valid_from": "2017-01-01", "pokok": "1", "wajib": "1"},
    )
    assert response.status_code in (403, 404)
    assert not SavingsRule.objects.exists()
