"""Fixed data with a row of every model registered in admin (built through the services where
one exists), for the admin crawl and the actions."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import LoginEvent
from finance.models import Meeting, SurplusDistribution
from finance.services import book_open, cash_receive, loan_product_save, savings_deposit
from finance.services.loans import loan_apply, loan_approve, loan_disburse, loan_repay
from finance.services.periods import period_close
from finance.services.savings import savings_rule_set
from finance.services.units import business_unit_create
from groups.services import (
    cooperative_admit_group,
    membership_login_grant,
    officer_appoint,
)
from imports.models import ImportBatch
from tests.groups.factories import MembershipFactory
from tests.training.factories import (
    AttendanceFactory,
    ConfirmedAssessmentFactory,
    FollowUpActionFactory,
    TrainingEventFactory,
)
from tests.villages.factories import FacilitatorAssignmentFactory
from training.models import Material


@pytest.fixture
def workbench(ksm, bumdes, cooperative, staff_user, django_user_model):
    """One KSM with officers and a member, its books with a loan repaid once, a meeting, a
    draft SHU plan and a closed month; a BUMDes with an officer and a business unit; a
    cooperative the KSM joined; a training with attendance, a visit with a follow-up."""
    chair = MembershipFactory(group=ksm, chair=True, joined_date=datetime.date(2016, 6, 1))
    treasurer = MembershipFactory(group=ksm, treasurer=True, joined_date=datetime.date(2016, 6, 1))
    saver = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1))
    membership_login_grant(actor=staff_user, membership=treasurer)
    officer = officer_appoint(
        actor=staff_user,
        entity=bumdes,
        full_name="Slamet Riyadi",
        role="director",
        start_date=max(bumdes.established_date, datetime.date(2018, 1, 1)),
    )
    cooperative_admit_group(
        actor=staff_user, cooperative=cooperative, group=ksm, joined_date=datetime.date(2018, 1, 1)
    )
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    cash_receive(
        book=book,
        source="grant",
        amount=5_000_000,
        entry_date=datetime.date(2017, 1, 1),
        description="Hibah modal",
    )
    savings_deposit(
        book=book,
        member=saver.member,
        savings_type="savings_mandatory",
        amount=400_000,
        entry_date=datetime.date(2017, 1, 1),
    )
    savings_rule_set(book=book, valid_from=datetime.date(2017, 1, 1), pokok=10_000, wajib=5_000)
    product = loan_product_save(
        book=book,
        name="Pinjaman usaha",
        interest_method="flat",
        monthly_rate=Decimal("2"),
        max_term_months=12,
        admin_fee_percent=Decimal("1"),
        fine_rule="fixed",
        fine_value=Decimal(5_000),
        grace_days=3,
        max_savings_multiple=Decimal("3"),
    )
    loan = loan_apply(
        book=book,
        product=product,
        member=saver.member,
        principal=1_000_000,
        term_months=10,
        purpose="Modal warung",
        applied_date=datetime.date(2017, 1, 5),
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair.member)
    loan_disburse(
        loan=loan,
        disbursed_date=datetime.date(2017, 1, 10),
        first_due_date=datetime.date(2017, 2, 10),
    )
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    period_close(book=book, month=datetime.date(2017, 1, 1), actor=None)
    Meeting.objects.create(
        group=ksm,
        book=book,
        meeting_date=datetime.date(2017, 3, 10),
        token="admin-crawl-meeting",
        members_count=3,
        present_count=3,
    )
    SurplusDistribution.objects.create(
        book=book, year=2017, decided_date=datetime.date(2018, 1, 20), reserve_pct=100
    )
    bumdes_book = book_open(owner=bumdes, opening_date=datetime.date(2018, 1, 1))
    business_unit_create(book=bumdes_book, name="Toko desa")
    event = TrainingEventFactory(village=ksm.village, invited=[ksm])
    AttendanceFactory(event=event, membership=treasurer)
    Material.objects.create(
        event=event,
        title="Modul",
        file="materials/modul.pdf",
        original_name="modul.pdf",
        size=10,
        content_type="application/pdf",
    )
    FollowUpActionFactory(visit__group=ksm)
    ConfirmedAssessmentFactory(group=ksm)
    FacilitatorAssignmentFactory(village=ksm.village)
    LoginEvent.objects.create(kind=LoginEvent._meta.get_field("kind").choices[0][0], username="x")
    ImportBatch.objects.create(
        kind="members", file_name="anggota.xlsx", file_sha256="0" * 64, created_by=staff_user
    )
    # django-axes' records, made by real logins: one that succeeds (an access log), then a
    # wrong password (an attempt and a failure log).
    django_user_model.objects.create_user("penjaga", password="kata-sandi-benar-123")
    login = reverse("login")
    Client().post(login, {"username": "penjaga", "password": "kata-sandi-benar-123"})
    Client().post(login, {"username": "penjaga", "password": "salah"})
    return {
        "ksm": ksm,
        "book": book,
        "loan": loan,
        "officer": officer,
        "saver": saver,
        "treasurer": treasurer,
        "chair": chair,
        "event": event,
    }
