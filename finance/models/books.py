"""Double-entry books for every KSM, BUMDes and cooperative.

A Book has a chart of Accounts. Every money movement is a JournalEntry whose JournalLines
balance (debits = credits). Entries are posted once and never change: a correction is a
reversal entry pointing at the original. Balances are maintained per account and month
(AccountMonth) and per member and account (MemberBalance) in the same transaction as the
posting, so reports aggregate a few hundred rows instead of a book's lines.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Cooperative, Member, SelfHelpGroup
from ksm_portal.scope import user_scope
from villages.models import Bumdes

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0")


class BookQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Books of the owners the user may see: a KSM's book follows the KSM's visibility;
        BUMDes and cooperative books follow theirs."""
        if user_scope(user).sees_all:
            return self.all()
        return self.filter(
            Q(group__in=SelfHelpGroup.objects.visible_to(user))
            | Q(bumdes__in=Bumdes.objects.visible_to(user))
            | Q(cooperative__in=Cooperative.objects.visible_to(user))
        )

    def visible_to_rows(self, rows, user):
        """`rows` (entries, loans, meetings: anything with a `book`) narrowed to the books the
        user sees. Staff who see every book get `rows` as they are: no semi-join against every
        book (one per KSM) in the country."""
        if user_scope(user).sees_all:
            return rows.all()
        return rows.filter(book__in=self.visible_to(user))

    def postable_by(self, user):
        """Who may post: the treasurer of a KSM, a BUMDes or a cooperative (their own books
        only), and finance staff."""
        scope = user_scope(user)
        if scope.posts_anywhere:
            return self.all()
        return self.filter(
            Q(group_id__in=scope.ksm_treasurer_ids)
            | Q(bumdes_id__in=scope.bumdes_treasurer_ids)
            | Q(cooperative_id__in=scope.cooperative_treasurer_ids)
        )


class Book(models.Model):
    """The books of exactly one owner: a KSM, a BUMDes or a cooperative."""

    class Kind(models.TextChoices):
        KSM = "ksm", _("KSM")
        BUMDES = "bumdes", _("BUMDes")
        COOPERATIVE = "cooperative", _("Cooperative")

    group = models.OneToOneField(
        SelfHelpGroup,
        verbose_name=_("KSM"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="book",
    )
    bumdes = models.OneToOneField(
        Bumdes,
        verbose_name=_("BUMDes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="book",
    )
    cooperative = models.OneToOneField(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="book",
    )
    opening_date = models.DateField(_("opening date"))
    closed_through = models.DateField(
        _("closed through"),
        null=True,
        blank=True,
        help_text=_("Last day of the last closed month; nothing may be posted on or before it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BookQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(group__isnull=False, bumdes__isnull=True, cooperative__isnull=True)
                    | Q(group__isnull=True, bumdes__isnull=False, cooperative__isnull=True)
                    | Q(group__isnull=True, bumdes__isnull=True, cooperative__isnull=False)
                ),
                name="book_exactly_one_owner",
                violation_error_message=_(
                    "A book belongs to exactly one KSM, BUMDes or cooperative."
                ),
            ),
            models.CheckConstraint(
                condition=Q(closed_through__isnull=True) | Q(closed_through__gte=F("opening_date")),
                name="book_closed_after_opening",
                violation_error_message=_("A book cannot be closed before it opened."),
            ),
        ]

    def __str__(self):
        return str(self.owner)

    def get_absolute_url(self):
        return reverse("finance:book", args=[self.pk])

    def is_postable_by(self, user) -> bool:
        """`Book.objects.postable_by(user)` holds this book (the same rule, no query)."""
        scope = user_scope(user)
        return (
            scope.posts_anywhere
            or (self.group_id is not None and self.group_id in scope.ksm_treasurer_ids)
            or (self.bumdes_id is not None and self.bumdes_id in scope.bumdes_treasurer_ids)
            or (
                self.cooperative_id is not None
                and self.cooperative_id in scope.cooperative_treasurer_ids
            )
        )

    @property
    def owner(self):
        return self.group or self.bumdes or self.cooperative

    @staticmethod
    def owner_field(owner) -> str:
        """The Book field that points at this kind of owner."""
        return {"selfhelpgroup": "group", "bumdes": "bumdes", "cooperative": "cooperative"}[
            owner._meta.model_name
        ]

    @property
    def kind(self) -> str:
        if self.group_id:
            return self.Kind.KSM
        if self.bumdes_id:
            return self.Kind.BUMDES
        return self.Kind.COOPERATIVE


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class NormalBalance(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class Account(models.Model):
    """An account of one book's chart. `role` names the accounts the treasurer forms use
    (cash, bank, savings by type, ...), so charts may be renamed and renumbered freely."""

    Type = AccountType
    Normal = NormalBalance

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="accounts"
    )
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    normal_balance = models.CharField(
        _("normal balance"), max_length=6, choices=NormalBalance.choices
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    role = models.CharField(_("role"), max_length=30, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_header = models.BooleanField(
        _("header"), default=False, help_text=_("A heading that groups accounts; not posted to.")
    )
    overdraft_limit = models.DecimalField(
        _("overdraft limit"),
        default=ZERO,
        help_text=_(
            "For a bank account with an overdraft facility: how far below zero its balance may "
            "go. Leave 0 when the bank allows no overdraft."
        ),
        **MONEY,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "code"],
                name="account_code_unique_in_book",
                violation_error_message=_("This book already has an account with this code."),
            ),
            models.UniqueConstraint(
                fields=["book", "role"],
                condition=~Q(role=""),
                name="account_role_unique_in_book",
                violation_error_message=_("This book already has an account for this purpose."),
            ),
            # Lets a journal line's (account, book) pair be a foreign key on PostgreSQL.
            models.UniqueConstraint(fields=["id", "book"], name="account_id_book_unique"),
            models.CheckConstraint(
                condition=Q(type__in=AccountType.values),
                name="account_type_valid",
                violation_error_message=_("Unknown account type."),
            ),
            models.CheckConstraint(
                condition=Q(normal_balance__in=NormalBalance.values),
                name="account_normal_balance_valid",
                violation_error_message=_("The normal balance is debit or credit."),
            ),
            models.CheckConstraint(
                condition=Q(overdraft_limit__gte=0),
                name="account_overdraft_not_negative",
                violation_error_message=_("The overdraft limit cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def sign(self) -> int:
        """+1 when debits increase the account, -1 when credits do."""
        return 1 if self.normal_balance == NormalBalance.DEBIT else -1


class EntryKind(models.TextChoices):
    """Which form made an entry: the cash book and the audit trail say so."""

    CASH_IN = "cash_in", _("Cash received")
    CASH_OUT = "cash_out", _("Cash paid")
    SAVINGS_DEPOSIT = "savings_deposit", _("Savings deposit")
    SAVINGS_WITHDRAWAL = "savings_withdrawal", _("Savings withdrawal")
    BANK_TRANSFER = "bank_transfer", _("Cash and bank")
    GENERAL = "general", _("General journal")
    OPENING = "opening", _("Opening balances")
    REVERSAL = "reversal", _("Reversal")
    YEAR_END = "year_end", _("Year-end close")
    LOAN_DISBURSEMENT = "loan_disbursement", _("Loan disbursement")
    LOAN_REPAYMENT = "loan_repayment", _("Loan repayment")
    LOAN_WRITE_OFF = "loan_write_off", _("Loan write-off")
    LOAN_PROVISION = "loan_provision", _("Loan-loss provision")
    BORROWING_RECEIVED = "borrowing_received", _("Borrowing received")
    BORROWING_REPAYMENT = "borrowing_repayment", _("Borrowing repayment")
    MEETING = "meeting", _("Monthly meeting")
    SURPLUS_DISTRIBUTION = "surplus_distribution", _("Surplus distribution")
    SURPLUS_PAYMENT = "surplus_payment", _("Surplus paid out")
    MEMBER_EXIT = "member_exit", _("Member exit settlement")


class JournalEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return Book.objects.visible_to_rows(self, user)


class JournalEntry(models.Model):
    """One posted transaction. Immutable once written (model, admin, and on PostgreSQL a
    trigger); `number` is gap-free per book and year, allocated under the book's row lock."""

    Kind = EntryKind

    book = models.ForeignKey(  # indexed by entry_number_unique_in_book_year and entry_book_date_idx
        Book,
        verbose_name=_("book"),
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    entry_date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    receipt_ref = models.CharField(_("receipt number"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("reversal of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    token = models.CharField(
        _("form token"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The one-time token of the form that posted it: a resubmission finds it."),
    )

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-entry_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "number"],
                name="entry_number_unique_in_book_year",
                violation_error_message=_("This entry number is already used in this book."),
            ),
            models.UniqueConstraint(
                fields=["id", "book", "entry_date"], name="entry_id_book_date_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="entry_number_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values),
                name="entry_kind_valid",
                violation_error_message=_("Unknown entry kind."),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="entry_description_not_blank",
                violation_error_message=_("An entry needs a description."),
            ),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=True) | Q(kind=EntryKind.REVERSAL),
                name="entry_reversal_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["book", "entry_date", "id"], name="entry_book_date_idx"),
            models.Index(fields=["book", "kind", "entry_date"], name="entry_book_kind_idx"),
        ]

    def __str__(self):
        return f"{self.year}/{self.number:05d} {self.description}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("A posted entry cannot be changed; post a reversal instead."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("finance:entry", args=[self.book_id, self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A posted entry cannot be deleted; post a reversal instead."))

    @property
    def reference(self) -> str:
        """The number a treasurer writes on the receipt: year and sequence, e.g. 2017/00042."""
        return f"{self.year}/{self.number:05d}"


class JournalLine(models.Model):
    """One side of an entry: an account, optionally a member (the sub-ledger), and either a
    debit or a credit. `book` and `entry_date` repeat the entry's so that ledgers and the cash
    book read one index; on PostgreSQL foreign keys tie them to the entry and the account."""

    # Entry, book and account have no foreign keys of their own in the database: on PostgreSQL
    # the composite keys of migration 0002 hold them (the line's entry with its book and date,
    # the line's account in the line's book, and so the book), each checked at commit; three
    # more single-column keys would check again what those do, on every line (SQLite, the
    # development database, relies on the services and verify_books, as for the composites).
    entry = models.ForeignKey(
        JournalEntry,
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        related_name="lines",
        db_constraint=False,
    )
    # No single-column indexes on book and account: the composite indexes below start with
    # them, and PostgreSQL would otherwise count a month's cash through all the year's lines.
    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    entry_date = models.DateField(_("date"))
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    member = models.ForeignKey(  # indexed where set by line_member_idx (most lines have none)
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_lines",
        db_index=False,
    )
    # In a cooperative's or BUMDes's books the member sub-ledgers are kept per member KSM.
    party_group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("member KSM"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Lines of a loan's disbursement, repayments (principal, interest, fines) and write-off:
    # the loan card and the loan's balance are read from them.
    loan = models.ForeignKey(
        "finance.Loan",
        verbose_name=_("loan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        db_index=False,
    )
    debit = models.DecimalField(_("debit"), default=ZERO, **MONEY)
    credit = models.DecimalField(_("credit"), default=ZERO, **MONEY)
    memo = models.CharField(_("memo"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0),
                name="line_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="line_debit_xor_credit",
                violation_error_message=_("A line is either a debit or a credit, not both."),
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(party_group__isnull=True),
                name="line_member_or_party_group",
                violation_error_message=_("A line names a member or a member KSM, not both."),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "entry_date", "entry"], name="line_account_date_idx"),
            models.Index(
                fields=["member", "account", "entry_date", "entry"],
                condition=Q(member__isnull=False),
                name="line_member_idx",
            ),
            models.Index(fields=["book", "entry_date"], name="line_book_date_idx"),
            models.Index(
                fields=["loan", "entry_date"],
                condition=Q(loan__isnull=False),
                name="line_loan_idx",
            ),
            models.Index(
                fields=["party_group", "account", "entry_date"],
                condition=Q(party_group__isnull=False),
                name="line_party_group_idx",
            ),
        ]

    def __str__(self):
        side = _("D") if self.debit else _("C")
        return f"{self.account} {side} {self.debit or self.credit}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("A posted entry cannot be changed; post a reversal instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A posted entry cannot be deleted; post a reversal instead."))

    @property
    def amount(self) -> Decimal:
        return self.debit - self.credit


class AccountMonth(models.Model):
    """Debit and credit totals of one account in one month, kept by the posting service."""

    # Both indexed by the composites below, not each by a copy to keep up on every posting.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="months", db_index=False
    )
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField(help_text="First day of the month.")
    debit = models.DecimalField(default=ZERO, **MONEY)
    credit = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="account_month_unique"),
        ]
        indexes = [models.Index(fields=["book", "month"], name="account_month_book_idx")]

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m}"


# Accounts whose balance may never go below zero on any date (a bank account down to minus its
# overdraft limit); posting keeps their daily totals (AccountDay) to check back-dated entries.
FLOORED_ROLES = ("cash", "bank")


class AccountDay(models.Model):
    """Debit and credit totals of one cash or bank account on one day, kept by the posting
    service: the lowest running balance from a date on is one indexed read of the days after
    it, however many lines the book has."""

    # Both indexed by the composites below, not each by a copy to keep up on every posting.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="days", db_index=False
    )
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField()
    debit = models.DecimalField(default=ZERO, **MONEY)
    credit = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="account_day_unique"),
        ]
        indexes = [models.Index(fields=["book", "date"], name="account_day_book_idx")]

    def __str__(self):
        return f"{self.account_id} {self.date:%Y-%m-%d}"


class MemberBalance(models.Model):
    """A member's balance on one sub-ledger account (savings, loans), kept by the posting
    service and locked by withdrawals so two cannot overdraw it together."""

    # Account and book indexed by the composites below, not each by a copy.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="member_balances", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="balances")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    debit = models.DecimalField(default=ZERO, **MONEY)
    credit = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "member"], name="member_balance_unique"),
        ]
        indexes = [models.Index(fields=["book", "member"], name="member_balance_book_idx")]

    def __str__(self):
        return f"{self.member_id} {self.account_id}"

    @property
    def balance(self) -> Decimal:
        """In the account's normal direction (a savings balance is positive)."""
        return (self.debit - self.credit) * self.account.sign


class GroupBalance(models.Model):
    """A member KSM's balance on one sub-ledger account of a cooperative's or BUMDes's books
    (its savings, its surplus share), kept by the posting service like MemberBalance."""

    # Account and book indexed by the composites below, not each by a copy.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="group_balances", db_index=False
    )
    group = models.ForeignKey(SelfHelpGroup, on_delete=models.PROTECT, related_name="+")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    debit = models.DecimalField(default=ZERO, **MONEY)
    credit = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "group"], name="group_balance_unique"),
        ]
        indexes = [models.Index(fields=["book", "group"], name="group_balance_book_idx")]

    def __str__(self):
        return f"{self.group_id} {self.account_id}"

    @property
    def balance(self) -> Decimal:
        return (self.debit - self.credit) * self.account.sign


class BookYear(models.Model):
    """The last entry number used in a book's year: the gap-free sequence."""

    book = models.ForeignKey(  # indexed by book_year_unique
        Book, on_delete=models.PROTECT, related_name="years", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "year"], name="book_year_unique")]

    def __str__(self):
        return f"{self.book_id} {self.year}: {self.last_number}"


class FiscalPeriod(models.Model):
    """A month of a book that was closed (and perhaps reopened): who and when."""

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="periods"
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fiscal period")
        verbose_name_plural = _("fiscal periods")
        ordering = ["book", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["book", "month"], name="period_unique_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="period_month_first_day"),
        ]

    def __str__(self):
        return f"{self.book} {self.month:%m-%Y}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
