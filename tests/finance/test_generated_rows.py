"""`generated_rows`: the demo's loaders leave the rows' constraints to the database alone, and
the database still refuses a row that breaks one, with the constraint's own message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import FiscalPeriod
from ksm_portal.services_base import generated_rows, row_clean, validated_save

pytestmark = pytest.mark.django_db


def test_a_row_breaking_a_constraint_is_refused_inside_and_outside(book):
    messages = []
    for trusted in (False, True):
        period = FiscalPeriod(book=book, month=datetime.date(2017, 3, 15))  # not the 1st
        with pytest.raises(ValidationError) as refused:
            if trusted:
                with generated_rows():
                    validated_save(period)
            else:
                validated_save(period)
        messages.append(refused.value.messages)
        assert not FiscalPeriod.objects.filter(book=book).exists()
    # The same words, asked of the database first or read off its refusal.
    assert messages[0] == messages[1] and messages[0]


def test_duplicates_are_refused_by_the_database_inside(book):
    validated_save(FiscalPeriod(book=book, month=datetime.date(2017, 3, 1)))
    with generated_rows(), pytest.raises(ValidationError):
        validated_save(FiscalPeriod(book=book, month=datetime.date(2017, 3, 1)))
    assert FiscalPeriod.objects.filter(book=book).count() == 1


def test_inside_the_checks_ask_the_database_nothing(book):
    period = FiscalPeriod(book=book, month=datetime.date(2017, 4, 1))
    with CaptureQueriesContext(connection) as outside:
        row_clean(period)
    with generated_rows(), CaptureQueriesContext(connection) as inside:
        row_clean(period)
    assert len(outside) >= 2  # the book exists, the month is not taken, the check holds
    assert len(inside) == 0
    # Fields are still checked inside.
    with generated_rows(), pytest.raises(ValidationError):
        row_clean(FiscalPeriod(book=book, month=None))
