"""A cash book kept on paper: one row per day's line (date, what for, in or out, category,
member), posted as the treasurer's own forms would post it, so the books hold the group's
history. Each row becomes one entry whose form token is the row itself, so importing the same
file again finds every entry already there."""

import datetime
import hashlib
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.models import Book, JournalEntry
from finance.money import rupiah
from finance.services import (
    bank_transfer,
    cash_pay,
    cash_receive,
    savings_deposit,
    savings_withdraw,
)
from groups.models import Member, Membership

from ..models import RowAction
from ..reading import cell_text
from .base import Column, ImportKind, Parsed, RowsRefused, header_key, problem
from .ksm import KsmOfRows, village_code
from .opening import _amount

# Category as written in the cash book -> (service, its choice, needs a member, money in)
CATEGORIES = {
    "Pendapatan usaha": ("receive", "income_business", False, True),
    "Pendapatan lain": ("receive", "income_other", False, True),
    "Hibah": ("receive", "grant", False, True),
    "Simpanan pokok": ("deposit", "savings_principal", True, True),
    "Simpanan wajib": ("deposit", "savings_mandatory", True, True),
    "Simpanan sukarela": ("deposit", "savings_voluntary", True, True),
    "Ambil dari bank": ("bank", "from_bank", False, True),
    "Administrasi": ("pay", "expense_admin", False, False),
    "Rapat": ("pay", "expense_meeting", False, False),
    "Honor pengurus": ("pay", "expense_honorarium", False, False),
    "Bunga dibayar": ("pay", "expense_interest", False, False),
    "Biaya lain": ("pay", "expense_other", False, False),
    "Penarikan sukarela": ("withdraw", "savings_voluntary", True, False),
    "Setor ke bank": ("bank", "to_bank", False, False),
}
BY_KEY = {header_key(name): name for name in CATEGORIES}

VILLAGE = Column("village_code", "Kode desa", "33.25.01.2002")
KSM = Column(
    "registration_number", "No. registrasi KSM", "001/KSM/2009", aliases=("no registrasi",)
)
DATE = Column("entry_date", "Tanggal", "05-01-2017")
DESCRIPTION = Column("description", "Uraian", "Simpanan wajib Januari", aliases=("keterangan",))
IN = Column("money_in", "Masuk", "20000", required=False, aliases=("debet", "penerimaan"))
OUT = Column("money_out", "Keluar", "15000", required=False, aliases=("kredit", "pengeluaran"))
CATEGORY = Column("category", "Kategori", "Simpanan wajib", help="|".join(CATEGORIES))
NIK = Column("nik", "NIK anggota", "3325014503850002", required=False, aliases=("nik",))
RECEIPT = Column("receipt_ref", "No. bukti", "KW-001", required=False, aliases=("bukti",))


class CashBookKind(ImportKind):
    slug = "cashbook"
    title = gettext_lazy("Cash book history")
    description = gettext_lazy(
        "One row per line of a paper cash book: date, description, money in or out, category "
        "and, for savings, the member's NIK. The KSM's books must be open (after the opening "
        "balances). Loans are recorded on the loan pages, not here."
    )
    columns = (VILLAGE, KSM, DATE, DESCRIPTION, IN, OUT, CATEGORY, NIK, RECEIPT)
    chunk_size = 2000

    def example_rows(self) -> list[list[str]]:
        """Money in (a member's wajib), then money out (an expense)."""
        out = {DESCRIPTION: "Beli buku kas", IN: "", CATEGORY: "Administrasi", NIK: ""}
        out[RECEIPT] = "NT-002"
        return [
            [column.example if column is not OUT else "" for column in self.columns],
            [out.get(column, column.example) for column in self.columns],
        ]

    def parse_row(self, raw: dict, parsed: Parsed) -> None:
        data = parsed.data
        data["village_code"] = village_code(self.text(raw, VILLAGE, parsed, max_length=20))
        data["registration_number"] = self.text(raw, KSM, parsed, max_length=40)
        when = self.date(raw, DATE, parsed)
        data["entry_date"] = when.isoformat() if when else None
        data["description"] = " ".join(self.text(raw, DESCRIPTION, parsed, max_length=200).split())
        data["money_in"] = _amount(raw, IN, parsed)
        data["money_out"] = _amount(raw, OUT, parsed)
        data["nik"] = self.digits(raw, NIK)
        data["receipt_ref"] = self.text(raw, RECEIPT, parsed, max_length=40)
        name = BY_KEY.get(header_key(cell_text(raw.get(CATEGORY.key))))
        data["category"] = name
        if name is None:
            text = cell_text(raw.get(CATEGORY.key))
            parsed.problems.add(
                CATEGORY,
                _("“%(value)s” is not one of: %(options)s.")
                % {"value": text, "options": ", ".join(CATEGORIES)}
                if text
                else _("is empty."),
            )
            return
        _service, _choice, needs_member, money_in = CATEGORIES[name]
        if data["money_in"] and data["money_out"]:
            parsed.problems.add(None, _("A row is money in or money out, not both."))
        elif money_in and not data["money_in"]:
            parsed.problems.add(
                IN, _("%(category)s is money in: fill in Masuk.") % {"category": name}
            )
        elif not money_in and not data["money_out"]:
            parsed.problems.add(
                OUT, _("%(category)s is money out: fill in Keluar.") % {"category": name}
            )
        if needs_member and not data["nik"]:
            parsed.problems.add(NIK, _("%(category)s needs the member's NIK.") % {"category": name})

    def check_in_file(self, rows: list[Parsed]) -> None:
        """The same line written twice on one day is two entries (two members may pay the
        same); its occurrence keeps their tokens apart."""
        seen = Counter()
        for row in rows:
            key = tuple(row.data.get(k) for k in sorted(row.data))
            seen[key] += 1
            row.data["occurrence"] = seen[key]

    def check_rows(self, rows, *, user) -> None:
        ksm_of = KsmOfRows(rows, user=user)
        groups = ksm_of.by_key
        books = {b.group_id: b for b in Book.objects.filter(group_id__in=ksm_of.ids)}
        members = {
            m.nik: m
            for m in Member.objects.filter(nik__in={r.data["nik"] for r in rows if r.data["nik"]})
        }
        memberships = {
            (m.group_id, m.member_id): m
            for m in Membership.objects.filter(
                group_id__in=ksm_of.ids, member__in=members.values()
            ).order_by("joined_date")
        }
        for row in rows:
            group = groups.get((row.data["village_code"], row.data["registration_number"]))
            book = books.get(group.pk) if group else None
            if book is not None:
                row.data["token"] = self.token(book, row.data)
        known = set(
            JournalEntry.objects.filter(
                token__in=[row.data["token"] for row in rows if row.data.get("token")]
            ).values_list("token", flat=True)
        )
        for row in rows:
            data = row.data
            group = ksm_of.of(row, village=VILLAGE, ksm=KSM)
            if group is None:
                continue
            book = books.get(group.pk)
            when = datetime.date.fromisoformat(data["entry_date"])
            if book is None:
                row.problems.append(
                    problem(
                        None,
                        _("%(group)s has no books yet: import its opening balances first.")
                        % {"group": group.name},
                    )
                )
            elif when < book.opening_date:
                row.problems.append(
                    problem(
                        DATE,
                        _("is before %(group)s's books opened (%(date)s).")
                        % {"group": group.name, "date": f"{book.opening_date:%d-%m-%Y}"},
                    )
                )
            elif (
                book.closed_through
                and when <= book.closed_through
                and data.get("token") not in known
            ):
                row.problems.append(
                    problem(
                        DATE,
                        _("falls in a closed month: the books are closed through %(date)s.")
                        % {"date": f"{book.closed_through:%d-%m-%Y}"},
                    )
                )
            if data["nik"]:
                member = members.get(data["nik"])
                membership = memberships.get((group.pk, member.pk)) if member else None
                if membership is None:
                    row.problems.append(
                        problem(NIK, _("is not a member of %(group)s.") % {"group": group.name})
                    )
                elif when < membership.joined_date:
                    row.problems.append(
                        problem(
                            DATE,
                            _("%(name)s joined only on %(date)s.")
                            % {
                                "name": member.full_name,
                                "date": f"{membership.joined_date:%d-%m-%Y}",
                            },
                        )
                    )
                data["member_id"] = member.pk if member else None
            if row.problems:
                row.action = RowAction.PROBLEM
            elif data.get("token") in known:
                row.action = RowAction.UNCHANGED
            else:
                row.action = RowAction.CREATE

    @staticmethod
    def token(book: Book, data: dict) -> str:
        parts = [str(book.pk)] + [
            str(data.get(key) or "")
            for key in (
                "entry_date", "description", "money_in", "money_out", "category", "nik",
                "receipt_ref", "occurrence",
            )
        ]  # fmt: skip
        return "imp-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:56]

    def commit_rows(self, rows, *, user) -> int:
        books = {
            b.group_id: b
            for b in Book.objects.filter(
                group__village__code__in={r.data["village_code"] for r in rows},
                group__registration_number__in={r.data["registration_number"] for r in rows},
            ).select_related("group__village")
        }
        by_key = {(b.group.village.code, b.group.registration_number): b for b in books.values()}
        members = Member.objects.in_bulk(
            [r.data["member_id"] for r in rows if r.data.get("member_id")]
        )
        for row in sorted(rows, key=lambda r: (r.data["entry_date"], r.line)):
            data = row.data
            book = by_key[(data["village_code"], data["registration_number"])]
            service, choice, _needs, money_in = CATEGORIES[data["category"]]
            common = {
                "book": book,
                "amount": Decimal(data["money_in"] if money_in else data["money_out"]),
                "entry_date": datetime.date.fromisoformat(data["entry_date"]),
                "description": data["description"],
                "receipt_ref": data["receipt_ref"],
                "actor": user,
                "token": data["token"],
            }
            member = members.get(data.get("member_id"))
            try:
                if service == "receive":
                    cash_receive(source=choice, **common)
                elif service == "pay":
                    cash_pay(category=choice, **common)
                elif service == "deposit":
                    savings_deposit(savings_type=choice, member=member, **common)
                elif service == "withdraw":
                    savings_withdraw(member=member, **common)
                else:
                    bank_transfer(direction=choice, **common)
            except ValidationError as error:
                raise RowsRefused(
                    [row],
                    _("Line %(line)s: %(problem)s")
                    % {"line": row.line, "problem": " ".join(error.messages)},
                ) from None
        return len(rows)

    def summary(self, data: dict) -> str:
        amount = data.get("money_in") or data.get("money_out")
        sign = "+" if data.get("money_in") else "-"
        money = f"{sign} {rupiah(amount)}" if amount else ""
        return " · ".join(
            p
            for p in (data.get("entry_date"), data.get("description"), money, data.get("category"))
            if p
        )
