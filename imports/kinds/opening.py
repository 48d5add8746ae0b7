"""Opening balances per member at a cut-off date: savings by type and loans still owed (as real
loan records), with the group's cash and bank, for KSM that kept books on paper or in Excel."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.forms.records import parse_amount
from finance.models import Book, EntryKind, InterestMethod, JournalEntry, JournalLine
from finance.money import rupiah
from finance.services import OpeningLoan, book_open, opening_balances_post
from finance.services.opening import instalment_fits
from groups.models import Member, Membership, SelfHelpGroup

from ..models import RowAction
from ..reading import cell_text
from .base import Column, ImportKind, Parsed, RowsRefused, problem
from .ksm import KsmOfRows, village_code

VILLAGE = Column("village_code", "Kode desa", "33.25.01.2002")
KSM = Column(
    "registration_number", "No. registrasi KSM", "001/KSM/2009", aliases=("no registrasi",)
)
CUTOFF = Column(
    "cutoff_date", "Tanggal saldo", "31-12-2016", aliases=("tanggal cut off", "per tanggal")
)
NIK = Column("nik", "NIK", "3325014503850002", required=False)
NAME = Column("full_name", "Nama lengkap", "Siti Aminah", required=False, aliases=("nama",))
CASH = Column("cash", "Kas", "1250000", required=False, aliases=("saldo kas",))
BANK = Column("bank", "Bank", "3000000", required=False, aliases=("saldo bank",))
POKOK = Column("savings_principal", "Simpanan pokok", "50000", required=False)
WAJIB = Column("savings_mandatory", "Simpanan wajib", "240000", required=False)
SUKARELA = Column("savings_voluntary", "Simpanan sukarela", "75000", required=False)
LOAN = Column(
    "loan_left", "Sisa pinjaman", "600000", required=False, aliases=("sisa pokok pinjaman",)
)
RATE = Column("monthly_rate", "Bunga per bulan (%)", "1,5", required=False, aliases=("bunga",))
METHOD = Column("interest_method", "Metode bunga", "Flat", required=False, help="Flat|Menurun")
INSTALMENT = Column(
    "instalment", "Angsuran per bulan", "109000", required=False, aliases=("angsuran",)
)
MONTHS = Column(
    "remaining_months", "Sisa angsuran (bulan)", "6", required=False, aliases=("sisa angsuran",)
)
NEXT_DUE = Column("next_due_date", "Angsuran berikutnya", "10-01-2017", required=False)

SAVINGS = (POKOK, WAJIB, SUKARELA)
AMOUNTS = (CASH, BANK, *SAVINGS, LOAN)
LOAN_TERMS = (RATE, METHOD, MONTHS, NEXT_DUE)
METHODS = {
    "flat": InterestMethod.FLAT,
    "tetap": InterestMethod.FLAT,
    "menurun": InterestMethod.DECLINING,
    "efektif": InterestMethod.DECLINING,
    "anuitas": InterestMethod.DECLINING,
    "declining": InterestMethod.DECLINING,
}


def _amount(raw: dict, column: Column, parsed: Parsed) -> str:
    """A rupiah amount (blank is nothing) as text, so the staged row stays JSON."""
    value = raw.get(column.key)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = Decimal(str(value))
        if value == 0:
            return ""
        value = (
            f"{value:f}".replace(".", ",")
            if value != value.to_integral_value()
            else str(int(value))
        )
    text = cell_text(value)
    if not text or text in ("0", "-", "Rp 0", "Rp0"):
        return ""
    try:
        return str(parse_amount(text))
    except ValidationError as error:
        parsed.problems.add(column, f"“{text}”: " + " ".join(error.messages))
        return ""


def _rate(raw: dict, parsed: Parsed) -> str:
    text = cell_text(raw.get(RATE.key)).replace("%", "").replace(",", ".").strip()
    try:
        rate = Decimal(text)
    except ArithmeticError:
        rate = None
    if rate is None or not rate.is_finite() or not Decimal("0") <= rate <= Decimal("10"):
        parsed.problems.add(
            RATE, _("“%(value)s” is not a monthly rate from 0 to 10 (%%).") % {"value": text}
        )
        return ""
    return str(rate)


class OpeningKind(ImportKind):
    slug = "opening"
    title = gettext_lazy("Opening balances per member")
    description = gettext_lazy(
        "One row per member at the cut-off date: savings by type and the loan still owed (with "
        "its rate, remaining instalments and next due date); one row of the KSM may hold its "
        "cash and bank. The books open at the cut-off date and each old loan becomes a loan "
        "record with its schedule."
    )
    columns = (
        VILLAGE, KSM, CUTOFF, NIK, NAME, CASH, BANK, POKOK, WAJIB, SUKARELA,
        LOAN, RATE, METHOD, INSTALMENT, MONTHS, NEXT_DUE,
    )  # fmt: skip
    chunk_size = 2000

    def example_rows(self) -> list[list[str]]:
        """A row for the KSM's cash and bank, then a member with savings and a loan."""
        group_only = {VILLAGE, KSM, CUTOFF, CASH, BANK}
        return [
            [c.example if c in group_only else "" for c in self.columns],
            [c.example if c not in (CASH, BANK) else "" for c in self.columns],
        ]

    def parse_row(self, raw: dict, parsed: Parsed) -> None:
        data = parsed.data
        data["village_code"] = village_code(self.text(raw, VILLAGE, parsed, max_length=20))
        data["registration_number"] = self.text(raw, KSM, parsed, max_length=40)
        cutoff = self.date(raw, CUTOFF, parsed)
        data["cutoff_date"] = cutoff.isoformat() if cutoff else None
        data["nik"] = self.digits(raw, NIK)
        data["full_name"] = " ".join(cell_text(raw.get(NAME.key)).split())
        for column in AMOUNTS:
            data[column.key] = _amount(raw, column, parsed)
        member_amounts = [data[c.key] for c in (*SAVINGS, LOAN)]
        if any(member_amounts) and not data["nik"]:
            parsed.problems.add(NIK, _("is empty; savings and loans belong to a member."))
        data["loan"] = None
        if data["loan_left"]:
            self._parse_loan(raw, parsed, cutoff)
        elif any(cell_text(raw.get(c.key)) for c in (*LOAN_TERMS, INSTALMENT)):
            parsed.problems.add(LOAN, _("is empty, but the loan's terms are filled in."))

    def _parse_loan(self, raw: dict, parsed: Parsed, cutoff) -> None:
        missing = [c.header for c in LOAN_TERMS if not cell_text(raw.get(c.key))]
        if missing:
            parsed.problems.add(
                LOAN, _("a loan needs %(columns)s as well.") % {"columns": ", ".join(missing)}
            )
            return
        rate = _rate(raw, parsed)
        method = self.choice(raw, METHOD, parsed, METHODS)
        months = self.whole_number(raw, MONTHS, parsed, low=1, high=120)
        next_due = self.date(raw, NEXT_DUE, parsed, required=True, ahead=True)
        instalment = _amount(raw, INSTALMENT, parsed)
        if not (rate and method and months and next_due):
            return
        if cutoff and next_due <= cutoff:
            parsed.problems.add(
                NEXT_DUE,
                _("must be after the cut-off date %(date)s.") % {"date": f"{cutoff:%d-%m-%Y}"},
            )
            return
        if cutoff and next_due > cutoff + datetime.timedelta(days=366):
            parsed.problems.add(
                NEXT_DUE,
                _("is more than a year after the cut-off date %(date)s; check the year.")
                % {"date": f"{cutoff:%d-%m-%Y}"},
            )
            return
        if instalment:
            first = (
                OpeningLoan(
                    member=None,
                    principal_left=Decimal(parsed.data["loan_left"]),
                    monthly_rate=Decimal(rate),
                    interest_method=method,
                    remaining_months=months,
                    next_due_date=next_due,
                )
                .schedule()[0]
                .amount
            )
            if not instalment_fits(Decimal(instalment), first):
                parsed.problems.add(
                    INSTALMENT,
                    _(
                        "%(given)s does not fit the loan: %(left)s over %(months)s months at "
                        "%(rate)s%% gives about %(computed)s a month. Check the rate, the method "
                        "and the months left."
                    )
                    % {
                        "given": rupiah(instalment),
                        "left": rupiah(parsed.data["loan_left"]),
                        "months": months,
                        "rate": rate.replace(".", ","),
                        "computed": rupiah(first),
                    },
                )
        parsed.data["loan"] = {
            "monthly_rate": rate,
            "interest_method": method,
            "remaining_months": months,
            "next_due_date": next_due.isoformat(),
            "instalment": instalment or None,
        }

    def check_in_file(self, rows: list[Parsed]) -> None:
        cutoff_of: dict[tuple, tuple[str, int]] = {}
        cash_line: dict[tuple, int] = {}
        member_line: dict[tuple, int] = {}
        for row in rows:
            data = row.data
            key = (data.get("village_code"), data.get("registration_number"))
            if not all(key):
                continue
            if data.get("cutoff_date"):
                first = cutoff_of.setdefault(key, (data["cutoff_date"], row.line))
                if first[0] != data["cutoff_date"]:
                    row.problems.add(
                        CUTOFF,
                        _("differs from line %(line)s: one KSM has one cut-off date.")
                        % {"line": first[1]},
                    )
            if data.get("cash") or data.get("bank"):
                if key in cash_line:
                    row.problems.add(
                        CASH,
                        _("the KSM's cash and bank are already on line %(line)s.")
                        % {"line": cash_line[key]},
                    )
                else:
                    cash_line[key] = row.line
            if data.get("nik"):
                if (key, data["nik"]) in member_line:
                    row.problems.add(
                        NIK,
                        _("%(nik)s is listed twice for this KSM (also on line %(line)s).")
                        % {"nik": data["nik"], "line": member_line[(key, data["nik"])]},
                    )
                else:
                    member_line[(key, data["nik"])] = row.line

    def check_rows(self, rows, *, user) -> None:
        ksm_of = KsmOfRows(rows, user=user)
        group_ids = ksm_of.ids
        books = {book.group_id: book for book in Book.objects.filter(group_id__in=group_ids)}
        book_ids = [book.pk for book in books.values()]
        openings = {
            entry.book_id: entry
            for entry in JournalEntry.objects.filter(book_id__in=book_ids, kind=EntryKind.OPENING)
        }
        with_entries = set(
            JournalEntry.objects.filter(book_id__in=book_ids)
            .values_list("book_id", flat=True)
            .distinct()
        )
        posted = defaultdict(Decimal)  # (book, member or None, role) -> opening amount
        for line in (
            JournalLine.objects.filter(entry__in=openings.values())
            .values("entry__book_id", "member_id", "account__role")
            .annotate(debit=Sum("debit"), credit=Sum("credit"))
        ):
            key = (line["entry__book_id"], line["member_id"], line["account__role"])
            posted[key] += line["debit"] + line["credit"]
        members = {
            member.nik: member
            for member in Member.objects.filter(
                nik__in={row.data["nik"] for row in rows if row.data["nik"]}
            )
        }
        memberships = defaultdict(list)
        for membership in Membership.objects.filter(
            group_id__in=group_ids, member__in=members.values()
        ):
            memberships[(membership.group_id, membership.member_id)].append(membership)

        for row in rows:
            data = row.data
            group = ksm_of.of(row, village=VILLAGE, ksm=KSM)
            if group is None:
                continue
            data["group_id"] = group.pk
            cutoff = datetime.date.fromisoformat(data["cutoff_date"])
            member = members.get(data["nik"]) if data["nik"] else None
            data["member_id"] = member.pk if member else None
            if data["nik"] and member is None:
                row.problems.append(
                    problem(
                        NIK, _("no member with this NIK is registered; import the members first.")
                    )
                )
            elif member is not None:
                # Someone of another KSM is not named: the file's author may not see them.
                in_group = memberships.get((group.pk, member.pk), [])
                held = [
                    m
                    for m in in_group
                    if m.joined_date <= cutoff and (m.left_date is None or m.left_date > cutoff)
                ]
                if not in_group:
                    row.problems.append(
                        problem(NIK, _("is not a member of %(group)s.") % {"group": group.name})
                    )
                elif not held:
                    row.problems.append(
                        problem(
                            NIK,
                            _("%(name)s was not a member of %(group)s on %(date)s.")
                            % {
                                "name": member.full_name,
                                "group": group.name,
                                "date": f"{cutoff:%d-%m-%Y}",
                            },
                        )
                    )
                if (
                    in_group
                    and data["full_name"]
                    and data["full_name"].casefold() != member.full_name.casefold()
                ):
                    row.problems.append(
                        problem(
                            NAME,
                            _("the NIK is registered as %(name)s.") % {"name": member.full_name},
                        )
                    )
            book = books.get(group.pk)
            opening = openings.get(book.pk) if book else None
            if book is not None and cutoff < book.opening_date:
                row.problems.append(
                    problem(
                        CUTOFF,
                        _("%(group)s's books opened on %(date)s; the cut-off cannot be earlier.")
                        % {"group": group.name, "date": f"{book.opening_date:%d-%m-%Y}"},
                    )
                )
            if row.problems:
                row.action = RowAction.PROBLEM
            elif opening is not None:
                if opening.entry_date == cutoff and self._posted_as(data, book, member, posted):
                    row.action = RowAction.UNCHANGED
                else:
                    row.problems.append(
                        problem(
                            None,
                            _(
                                "The opening balances of %(group)s were already posted on "
                                "%(date)s with other amounts. Correct them in the books."
                            )
                            % {"group": group.name, "date": f"{opening.entry_date:%d-%m-%Y}"},
                        )
                    )
                    row.action = RowAction.PROBLEM
            elif book is not None and book.pk in with_entries:
                row.problems.append(
                    problem(
                        None,
                        _(
                            "%(group)s's books already have entries; opening balances go only "
                            "into books with none."
                        )
                        % {"group": group.name},
                    )
                )
                row.action = RowAction.PROBLEM
            else:
                row.action = RowAction.CREATE

    @staticmethod
    def _posted_as(data: dict, book, member, posted) -> bool:
        member_id = member.pk if member else None
        expected = {
            (None, "cash"): data["cash"],
            (None, "bank"): data["bank"],
            (member_id, "savings_principal"): data["savings_principal"],
            (member_id, "savings_mandatory"): data["savings_mandatory"],
            (member_id, "savings_voluntary"): data["savings_voluntary"],
            (member_id, "loans_receivable"): data["loan_left"],
        }
        return all(
            posted.get((book.pk, who, role), Decimal(0)) == Decimal(amount or 0)
            for (who, role), amount in expected.items()
            if amount or who is not None
        )

    def commit_rows(self, rows, *, user) -> int:
        by_group = defaultdict(list)
        for row in rows:
            by_group[row.data["group_id"]].append(row)
        groups = SelfHelpGroup.objects.in_bulk(list(by_group))
        books = {book.group_id: book for book in Book.objects.filter(group_id__in=list(by_group))}
        members = Member.objects.in_bulk(
            [row.data["member_id"] for row in rows if row.data["member_id"]]
        )
        posted = 0
        for group_id, group_rows in by_group.items():
            group = groups[group_id]
            cutoff = datetime.date.fromisoformat(group_rows[0].data["cutoff_date"])
            cash = bank = Decimal(0)
            savings, loans = [], []
            for row in group_rows:
                data = row.data
                cash += Decimal(data["cash"] or 0)
                bank += Decimal(data["bank"] or 0)
                member = members.get(data["member_id"])
                for column in SAVINGS:
                    if data[column.key]:
                        savings.append((member, column.key, Decimal(data[column.key])))
                if data["loan"]:
                    terms = data["loan"]
                    loans.append(
                        OpeningLoan(
                            member=member,
                            principal_left=Decimal(data["loan_left"]),
                            monthly_rate=Decimal(terms["monthly_rate"]),
                            interest_method=terms["interest_method"],
                            remaining_months=terms["remaining_months"],
                            next_due_date=datetime.date.fromisoformat(terms["next_due_date"]),
                            instalment=Decimal(terms["instalment"])
                            if terms["instalment"]
                            else None,
                        )
                    )
            try:
                book = books.get(group_id) or book_open(
                    owner=group, opening_date=cutoff, actor=user
                )
                opening_balances_post(
                    book=book,
                    cutoff_date=cutoff,
                    cash=cash,
                    bank=bank,
                    member_savings=savings,
                    member_loans=loans,
                    actor=user,
                )
            except ValidationError as error:
                raise RowsRefused(
                    group_rows, f"{group.name}: " + " ".join(error.messages)
                ) from None
            posted += 1
        return posted

    def summary(self, data: dict) -> str:
        parts = [data.get("full_name") or data.get("nik") or _("KSM cash and bank")]
        for column in AMOUNTS:
            if data.get(column.key):
                parts.append(f"{column.header} {rupiah(data[column.key])}")
        parts.append(str(data.get("registration_number") or ""))
        return " · ".join(p for p in parts if p)
