"""Loans: what a book lends (to its members, or a cooperative's or BUMDes's to member KSM) and
what it borrows (from its BUMDes, its cooperative, a bank).

A loan's money is in the journal: the disbursement, every repayment's principal, interest and
fine lines, and a write-off carry the loan on their lines. The schedule (instalments with due
dates, principal and interest) is the contract, fixed at disbursement and replaced by a new
version when the loan is rescheduled. What is paid, late or outstanding is worked out by
setting the journal's payments against the schedule, so the two always tie. The loan row also
keeps running totals of what was paid, updated in the same transaction as the posting and
checked against the lines by `verify_books`; it is the row a repayment locks.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Member, SelfHelpGroup

from .books import MONEY, ZERO, Book

RATE = {"max_digits": 5, "decimal_places": 2}


class InterestMethod(models.TextChoices):
    FLAT = "flat", _("Flat")
    DECLINING = "declining", _("Declining balance")


class FineRule(models.TextChoices):
    NONE = "none", _("No fine")
    FIXED = "fixed", _("A fixed amount per late instalment")
    PERCENT = "percent", _("A percentage of the late amount per month late")


class LoanProduct(models.Model):
    """The terms a book lends on. A loan copies them when it is applied for, so changing a
    product later does not change loans already made."""

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="loan_products"
    )
    name = models.CharField(_("name"), max_length=80)
    interest_method = models.CharField(
        _("interest method"), max_length=10, choices=InterestMethod.choices
    )
    monthly_rate = models.DecimalField(
        _("interest per month (%)"), **RATE, help_text=_("For example 1.5 for 1.5% a month.")
    )
    max_term_months = models.PositiveSmallIntegerField(_("longest term (months)"))
    admin_fee_percent = models.DecimalField(_("admin fee (% of the loan)"), default=ZERO, **RATE)
    fine_rule = models.CharField(
        _("late-payment fine"), max_length=10, choices=FineRule.choices, default=FineRule.NONE
    )
    fine_value = models.DecimalField(
        _("fine amount or percentage"),
        default=ZERO,
        **MONEY,
        help_text=_("Rupiah per late instalment, or % of the late amount per month late."),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("days of grace"), default=0, help_text=_("Days after the due date before a fine.")
    )
    max_savings_multiple = models.DecimalField(
        _("limit as a multiple of savings"),
        default=ZERO,
        **RATE,
        help_text=_("The most a member may borrow, as a multiple of their savings; 0 for none."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        ordering = ["book", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "name"],
                name="loan_product_name_unique_in_book",
                violation_error_message=_("This book already has a loan product with this name."),
            ),
            models.CheckConstraint(
                condition=Q(interest_method__in=InterestMethod.values),
                name="loan_product_method_valid",
                violation_error_message=_("Choose flat or declining-balance interest."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_rate__gte=0) & Q(monthly_rate__lte=10),
                name="loan_product_rate_range",
                violation_error_message=_("Interest is between 0%% and 10%% a month."),
            ),
            models.CheckConstraint(
                condition=Q(max_term_months__gte=1) & Q(max_term_months__lte=60),
                name="loan_product_term_range",
                violation_error_message=_("The term is between 1 and 60 months."),
            ),
            models.CheckConstraint(
                condition=Q(admin_fee_percent__gte=0) & Q(admin_fee_percent__lte=10),
                name="loan_product_fee_range",
                violation_error_message=_("The admin fee is between 0%% and 10%%."),
            ),
            models.CheckConstraint(
                condition=Q(fine_rule__in=FineRule.values),
                name="loan_product_fine_rule_valid",
                violation_error_message=_("Unknown fine rule."),
            ),
            models.CheckConstraint(
                condition=Q(fine_value__gte=0)
                & (~Q(fine_rule=FineRule.PERCENT) | Q(fine_value__lte=10)),
                name="loan_product_fine_range",
                violation_error_message=_("A fine percentage is between 0%% and 10%% a month."),
            ),
            models.CheckConstraint(
                condition=Q(grace_days__lte=31),
                name="loan_product_grace_range",
                violation_error_message=_("Days of grace are at most 31."),
            ),
            models.CheckConstraint(
                condition=Q(max_savings_multiple__gte=0),
                name="loan_product_multiple_not_negative",
                violation_error_message=_("The savings multiple cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name


class LoanDirection(models.TextChoices):
    RECEIVABLE = "receivable", _("Lent")
    PAYABLE = "payable", _("Borrowed")


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Outstanding")
    PAID = "paid", _("Paid off")
    WRITTEN_OFF = "written_off", _("Written off")


class LenderKind(models.TextChoices):
    BUMDES = "bumdes", _("BUMDes")
    COOPERATIVE = "cooperative", _("Cooperative")
    BANK = "bank", _("Bank")
    OTHER = "other", _("Other")


# How a loan's journal line moves its running totals (Loan.balance, interest_paid, fines_paid,
# written_off): (field, +1 when a debit adds to it, -1 when a credit does), by the line's
# account role and the loan's direction. The loans service keeps the totals by these rules as
# entries post; verify_books and the reports read the journal by the same ones.
LOAN_TOTALS = {
    LoanDirection.RECEIVABLE: {
        "loans_receivable": ("balance", 1),
        "income_interest": ("interest_paid", -1),
        "income_fines": ("fines_paid", -1),
        "loan_loss_allowance": ("written_off", 1),
        "expense_loan_loss": ("written_off", 1),
    },
    LoanDirection.PAYABLE: {
        "borrowings": ("balance", -1),
        "expense_interest": ("interest_paid", 1),
        "expense_other": ("fines_paid", 1),
    },
}
LOAN_TOTAL_FIELDS = ("balance", "interest_paid", "fines_paid", "written_off")


def loan_deltas(direction: str, lines) -> dict[str, Decimal]:
    """What these lines (anything with .account.role, .debit, .credit) add to the running
    totals of a loan of this direction."""
    rules = LOAN_TOTALS[direction]
    deltas: dict[str, Decimal] = {}
    for line in lines:
        rule = rules.get(line.account.role)
        if rule is not None:
            field, sign = rule
            deltas[field] = deltas.get(field, ZERO) + (line.debit - line.credit) * sign
    return deltas


class LoanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return Book.objects.visible_to_rows(self, user)

    def receivable(self):
        return self.filter(direction=LoanDirection.RECEIVABLE)

    def payable(self):
        return self.filter(direction=LoanDirection.PAYABLE)

    def outstanding(self):
        return self.filter(status=LoanStatus.ACTIVE)


class Loan(models.Model):
    """One loan in one book: lent (receivable) to a member or a member KSM, or borrowed
    (payable) from a lender. A loan between two books in the portal exists in both, each
    pointing at the other (`counterpart`)."""

    Direction = LoanDirection
    Status = LoanStatus
    LenderKind = LenderKind

    OPEN_STATUSES = (Status.APPLIED, Status.APPROVED, Status.ACTIVE)

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="loans"
    )
    number = models.PositiveIntegerField(_("number"))
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.RECEIVABLE
    )
    product = models.ForeignKey(
        LoanProduct,
        verbose_name=_("loan product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("borrower"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    borrower_group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("borrowing KSM"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans_taken",
    )
    lender_kind = models.CharField(
        _("lender"), max_length=12, choices=LenderKind.choices, blank=True
    )
    lender_name = models.CharField(_("lender's name"), max_length=120, blank=True)
    counterpart = models.OneToOneField(
        "self",
        verbose_name=_("the same loan in the other books"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    principal = models.DecimalField(_("amount"), **MONEY)
    interest_method = models.CharField(
        _("interest method"), max_length=10, choices=InterestMethod.choices
    )
    monthly_rate = models.DecimalField(_("interest per month (%)"), **RATE)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    admin_fee = models.DecimalField(_("admin fee"), default=ZERO, **MONEY)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    applied_date = models.DateField(_("applied on"))
    decided_date = models.DateField(_("decided on"), null=True, blank=True)
    approved_by_member = models.ForeignKey(
        Member,
        verbose_name=_("approved by (chair)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    disbursed_date = models.DateField(_("disbursed on"), null=True, blank=True)
    closed_date = models.DateField(_("closed on"), null=True, blank=True)
    # Running totals of the journal's lines for this loan, kept by journal_post in the same
    # transaction (checked by verify_books): the principal outstanding is the net of the
    # loan's lines on loans receivable (or, borrowed, on borrowings); interest and fines are
    # its lines on the income (or expense) accounts; written off, its allowance and loss lines.
    balance = models.DecimalField(_("principal outstanding"), default=ZERO, **MONEY)
    interest_paid = models.DecimalField(_("interest paid"), default=ZERO, **MONEY)
    fines_paid = models.DecimalField(_("fines paid"), default=ZERO, **MONEY)
    written_off = models.DecimalField(_("written off"), default=ZERO, **MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LoanQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["balance", "interest_paid", "fines_paid", "written_off"]
    )

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["book", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "number"],
                name="loan_number_unique_in_book",
                violation_error_message=_("This loan number is already used in these books."),
            ),
            # One open loan per borrower and book: the meeting sheet has one instalment a
            # member, and a second loan is a reschedule or a top-up, not another row.
            models.UniqueConstraint(
                fields=["book", "member"],
                condition=Q(status__in=["applied", "approved", "active"], member__isnull=False),
                name="loan_one_open_per_member",
                violation_error_message=_(
                    "This member already has a loan applied for or outstanding."
                ),
            ),
            models.UniqueConstraint(
                fields=["book", "borrower_group"],
                condition=Q(
                    status__in=["applied", "approved", "active"], borrower_group__isnull=False
                ),
                name="loan_one_open_per_group",
                violation_error_message=_(
                    "This KSM already has a loan applied for or outstanding."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        direction="receivable",
                        lender_kind="",
                        member__isnull=False,
                        borrower_group__isnull=True,
                    )
                    | Q(
                        direction="receivable",
                        lender_kind="",
                        member__isnull=True,
                        borrower_group__isnull=False,
                    )
                    | (
                        Q(direction="payable", member__isnull=True, borrower_group__isnull=True)
                        & Q(lender_kind__in=LenderKind.values)
                        & ~Q(lender_name="")
                    )
                ),
                name="loan_parties",
                violation_error_message=_(
                    "A loan lent names one borrower; a loan borrowed names its lender."
                ),
            ),
            models.CheckConstraint(
                condition=Q(principal__gt=0),
                name="loan_principal_positive",
                violation_error_message=_("The loan amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_rate__gte=0) & Q(monthly_rate__lte=10),
                name="loan_rate_range",
                violation_error_message=_("Interest is between 0%% and 10%% a month."),
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1) & Q(term_months__lte=120),
                name="loan_term_range",
                violation_error_message=_("The term is between 1 and 120 months."),
            ),
            models.CheckConstraint(
                condition=Q(interest_method__in=InterestMethod.values),
                name="loan_method_valid",
                violation_error_message=_("Choose flat or declining-balance interest."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=LoanStatus.values),
                name="loan_status_valid",
                violation_error_message=_("Unknown loan status."),
            ),
            models.CheckConstraint(
                condition=Q(admin_fee__gte=0) & Q(admin_fee__lt=F("principal")),
                name="loan_admin_fee_range",
                violation_error_message=_("The admin fee must be less than the loan."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(balance__gte=0)
                    & Q(interest_paid__gte=0)
                    & Q(fines_paid__gte=0)
                    & Q(written_off__gte=0)
                    & Q(balance__lte=F("principal") - F("written_off"))
                ),
                name="loan_paid_within_principal",
                violation_error_message=_("A loan cannot be repaid beyond what is owed."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["applied", "approved", "rejected"], disbursed_date__isnull=True)
                    | Q(
                        status__in=["active", "paid", "written_off"],
                        disbursed_date__isnull=False,
                    )
                ),
                name="loan_disbursed_when_active",
                violation_error_message=_("Only a disbursed loan can be outstanding or closed."),
            ),
            models.CheckConstraint(
                condition=Q(disbursed_date__isnull=True) | Q(disbursed_date__gte=F("applied_date")),
                name="loan_disbursed_after_application",
                violation_error_message=_("A loan is disbursed on or after its application."),
            ),
        ]
        indexes = [
            models.Index(fields=["book", "status", "number"], name="loan_book_status_idx"),
            models.Index(
                fields=["member", "status"],
                condition=Q(member__isnull=False),
                name="loan_member_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.party_name}"

    def get_absolute_url(self):
        return reverse("finance:loan", args=[self.book_id, self.pk])

    @property
    def reference(self) -> str:
        return f"PJ-{self.number:04d}"

    @property
    def is_receivable(self) -> bool:
        return self.direction == self.Direction.RECEIVABLE

    @property
    def party_name(self) -> str:
        if self.member_id:
            return self.member.full_name
        if self.borrower_group_id:
            return self.borrower_group.name
        return self.lender_name

    @property
    def principal_paid(self) -> Decimal:
        if self.disbursed_date is None:
            return ZERO
        return self.principal - self.balance - self.written_off


class LoanSchedule(models.Model):
    """One version of a loan's instalment plan: the first at disbursement, another for each
    rescheduling, which plans the principal still outstanding from its start date, and, for a
    declining-balance loan, another after each partial prepayment (`prepayment_entry`, the
    repayment that caused it), which plans the new balance over the remaining instalments.
    Payments made before a version started are recorded on it so that only later payments are
    set against its instalments."""

    loan = models.ForeignKey(
        Loan, verbose_name=_("loan"), on_delete=models.PROTECT, related_name="schedules"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    start_date = models.DateField(_("starts on"))
    principal = models.DecimalField(_("principal planned"), **MONEY)
    interest_method = models.CharField(
        _("interest method"), max_length=10, choices=InterestMethod.choices
    )
    monthly_rate = models.DecimalField(_("interest per month (%)"), **RATE)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    principal_paid_before = models.DecimalField(default=ZERO, **MONEY)
    interest_paid_before = models.DecimalField(default=ZERO, **MONEY)
    # Fines paid before a prepayment version, plus those still owed then: fines accrue on
    # this version's instalments from nil, and what was owed before stays owed.
    fines_paid_before = models.DecimalField(default=ZERO, **MONEY)
    prepayment_entry = models.ForeignKey(
        "finance.JournalEntry",
        verbose_name=_("prepayment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("loan schedule")
        verbose_name_plural = _("loan schedules")
        ordering = ["loan", "version"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "version"], name="schedule_version_unique"),
            models.CheckConstraint(
                condition=Q(principal__gt=0), name="schedule_principal_positive"
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1) & Q(term_months__lte=120),
                name="schedule_term_range",
            ),
        ]

    def __str__(self):
        return f"{self.loan} v{self.version}"

    def instalments_add(self, rows) -> None:
        """Write this version's instalments from a plan's rows (number, due date, principal,
        interest), as finance.schedule computes them."""
        Instalment.objects.bulk_create(
            Instalment(
                schedule=self,
                number=row.number,
                due_date=row.due_date,
                principal=row.principal,
                interest=row.interest,
            )
            for row in rows
        )


class Instalment(models.Model):
    """A line of a schedule: what falls due on a date. Rounded to whole rupiah; the last
    instalment takes the rounding so the principal sums to the loan exactly."""

    schedule = models.ForeignKey(
        LoanSchedule,
        verbose_name=_("schedule"),
        on_delete=models.PROTECT,
        related_name="instalments",
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due on"))
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["schedule", "number"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"], name="instalment_number_unique"),
            models.CheckConstraint(
                condition=Q(principal__gte=0) & Q(interest__gte=0),
                name="instalment_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.schedule} #{self.number}"

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest
