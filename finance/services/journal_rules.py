"""What other parts of the books keep as entries post, registered with the journal.

The journal (`posting.journal_post`, `posting.entry_reverse`) knows accounts, members and
balances, nothing else. A module that keeps its own records from the journal's lines (the
loans module keeps each loan's running totals and status) registers its rules here when it is
imported; the journal runs them inside the posting's transaction, under the book's lock:

- a line rule's `check(book, lines)` runs before anything is written and may refuse the entry
  with a ValidationError; its `apply(book, entry, lines)` runs after the lines are written;
- a reversal rule's `check(entry, lines)` runs before a reversal posts (`lines` are the mirror
  lines about to be posted) and its `after(entry, lines)` once the reversal is posted;
- a former-party rule's `allows(book, kind, line)` says whether a line of an entry of this kind
  may name a member (or member KSM) that has left: the journal then only asks that it was a
  member once (the surplus module lets a former member's SHU be held and paid out).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LineRule:
    name: str
    check: Callable | None = None
    apply: Callable | None = None


@dataclass(frozen=True)
class ReversalRule:
    name: str
    check: Callable | None = None
    after: Callable | None = None


@dataclass(frozen=True)
class FormerPartyRule:
    name: str
    allows: Callable


_line_rules: dict[str, LineRule] = {}
_reversal_rules: dict[str, ReversalRule] = {}
_former_party_rules: dict[str, FormerPartyRule] = {}


def former_party_rule_register(rule: FormerPartyRule) -> None:
    _former_party_rules[rule.name] = rule


def former_party_allowed(book, kind, line) -> bool:
    return any(rule.allows(book, kind, line) for rule in _former_party_rules.values())


def line_rule_register(rule: LineRule) -> None:
    """Register (or, under the same name, replace) a rule: importing twice is harmless."""
    _line_rules[rule.name] = rule


def reversal_rule_register(rule: ReversalRule) -> None:
    _reversal_rules[rule.name] = rule


def lines_check(book, lines) -> None:
    for rule in _line_rules.values():
        if rule.check is not None:
            rule.check(book, lines)


def lines_apply(book, entry, lines) -> None:
    for rule in _line_rules.values():
        if rule.apply is not None:
            rule.apply(book, entry, lines)


def reversal_check(entry, lines) -> None:
    for rule in _reversal_rules.values():
        if rule.check is not None:
            rule.check(entry, lines)


def reversal_after(entry, lines) -> None:
    for rule in _reversal_rules.values():
        if rule.after is not None:
            rule.after(entry, lines)
