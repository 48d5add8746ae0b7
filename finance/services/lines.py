"""The shape of a line to post, as `journal_post` takes it and writes it: one JournalLine's
columns. Kept apart from posting so that the journal writes whatever a line carries (its
member, member KSM or loan) without knowing what those are for."""

from dataclasses import dataclass
from decimal import Decimal

from groups.models import Member, SelfHelpGroup

from ..models import ZERO, Account, JournalLine, Loan

# The JournalLine columns a Line fills besides entry, book and date: (column, attribute).
COLUMNS = (
    ("account_id", "account"),
    ("member_id", "member"),
    ("party_group_id", "group"),
    ("loan_id", "loan"),
    ("debit", None),
    ("credit", None),
    ("memo", None),
)
# Their SQL types (for typed placeholders, e.g. in a VALUES list).
LINE_TYPES = tuple(
    zip(
        (column for column, _ in COLUMNS),
        ("bigint", "bigint", "bigint", "bigint", "numeric", "numeric", "text"),
        strict=True,
    )
)
# What a posted line's Line is read back with (JournalLine's relations, by Line attribute).
RELATIONS = {"account": "account", "member": "member", "group": "party_group", "loan": "loan"}


@dataclass
class Line:
    """One line to post: an account and either a debit or a credit."""

    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    member: Member | None = None
    memo: str = ""
    group: SelfHelpGroup | None = None  # the member KSM, in a cooperative's or BUMDes's books
    loan: Loan | None = None

    def values(self) -> tuple:
        """The line's column values, in COLUMNS order."""
        values = []
        for column, attribute in COLUMNS:
            if attribute is None:
                value = getattr(self, column)
                values.append(value[:200] if column == "memo" else value)
            else:
                related = getattr(self, attribute)
                values.append(related.pk if related is not None else None)
        return tuple(values)

    @classmethod
    def mirror_of(cls, line: JournalLine) -> "Line":
        """The line that undoes a posted one: the same references, debit and credit swapped."""
        return cls(
            debit=line.credit,
            credit=line.debit,
            memo=line.memo,
            **{attribute: getattr(line, field) for attribute, field in RELATIONS.items()},
        )
