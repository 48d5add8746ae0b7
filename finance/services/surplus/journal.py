"""The journal rule the surplus module registers: a member (or member KSM) that left during the
year still receives its SHU for the year, so the distribution may credit, the payment debit,
and a reversal mirror SHU payable lines naming a former member (the journal checks that it
was a member once). Nothing else may name a former member."""

from ...models import EntryKind
from .. import journal_rules

FORMER_MEMBER_KINDS = (
    EntryKind.SURPLUS_DISTRIBUTION,
    EntryKind.SURPLUS_PAYMENT,
    EntryKind.REVERSAL,
)


def _former_member_shu_line(book, kind, line) -> bool:
    return kind in FORMER_MEMBER_KINDS and line.account.role == "surplus_payable"


journal_rules.former_party_rule_register(
    journal_rules.FormerPartyRule("surplus_former_members", allows=_former_member_shu_line)
)
