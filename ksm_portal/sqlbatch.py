"""Writes that return nothing, sent to the database together.

Posting an entry writes to several tables (the entry and its lines, the accounts' totals, the
book's month, the regions' months above it); each write is its own statement, made by the
module that keeps that table. Inside `deferred()` those statements queue instead of running,
and `send()` runs them in order, in the same transaction, in one round trip on PostgreSQL
(psycopg2 sends them as one string), with an optional last statement whose rows it returns.
SQLite runs them one a call.

Only writes queue. A read inside the block runs at once and does not see the queued writes, so
a module queues only what no later read of the same block needs.

On PostgreSQL a statement queued with `prepare=True` (the posting's: the same few shapes every
time) is prepared the first time a connection sends it (`PREPARE`, in a savepoint of its own;
one that cannot be prepared is sent as it is), and sent after as `EXECUTE name(values)`:
parsing and planning them again was a tenth of a posting. Statements of varying shape (a
drain's batch of regions) are not prepared: each would be planned once and kept for nothing.
The values are the same literals either way, so what a statement does is unchanged.
`PREPARED_STATEMENTS = False` (behind a transaction-mode pooler, which does not keep a
session's statements) sends them as they are.
"""

import contextlib
import contextvars
import itertools
import re

from django.conf import settings
from django.db import DatabaseError, connection, transaction

Statement = tuple[str, list] | tuple[str, list, bool]  # (sql, values[, prepare])

_queue: contextvars.ContextVar[list[Statement] | None] = contextvars.ContextVar(
    "sqlbatch", default=None
)


@contextlib.contextmanager
def deferred():
    """Queue the writes made with `execute` until `send(queue)`; yields the queue."""
    queue: list[Statement] = []
    token = _queue.set(queue)
    try:
        yield queue
    finally:
        _queue.reset(token)


def execute(sql: str, params: list, *, prepare: bool = False) -> None:
    """Run a write now, or queue it when a `deferred()` block is open. `prepare`: a statement of
    a shape sent again and again (see above)."""
    queue = _queue.get()
    if queue is not None:
        queue.append((sql, params, prepare))
        return
    with connection.cursor() as cursor:
        cursor.execute(executed(cursor, sql, len(params)) if prepare else sql, params)


def send(statements: list[Statement], last: Statement | None = None) -> list[tuple]:
    """Run the statements in order (one round trip on PostgreSQL), then `last`: its rows."""
    todo = [*statements, *([last] if last is not None else [])]
    if not todo:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(_text(cursor, statement) for statement in todo),
                [value for statement in todo for value in statement[1]],
            )
        else:
            for statement in todo:
                cursor.execute(statement[0], statement[1])
        return cursor.fetchall() if last is not None else []


# --- Prepared statements (PostgreSQL) -----------------------------------------------------------

MAX_PREPARED = 200  # per connection: the posting's shapes are a few dozen
_names = itertools.count(1)
_PLACEHOLDER = re.compile(r"%[s%]")


def _text(cursor, statement: Statement) -> str:
    sql, params = statement[0], statement[1]
    prepare = len(statement) > 2 and statement[2]
    return executed(cursor, sql, len(params)) if prepare else sql


def executed(cursor, sql: str, count: int) -> str:
    """What to send for `sql` with its `count` values: EXECUTE of its prepared statement on
    this connection (preparing it the first time), or the statement itself."""
    name = _prepared(cursor, sql)
    if name is None:
        return sql
    return f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"


def _prepared(cursor, sql: str) -> str | None:
    if not settings.PREPARED_STATEMENTS or connection.vendor != "postgresql":
        return None
    names = _connection_names()
    if sql in names:
        return names[sql]
    if len(names) >= MAX_PREPARED:
        return None
    name = f"ksm_batch_{next(_names)}"
    numbers = itertools.count(1)
    text = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)
    try:
        with transaction.atomic():  # a savepoint: a statement that cannot be prepared is sent as is
            cursor.execute(f"PREPARE {name} AS {text}")
    except DatabaseError:
        names[sql] = None
        return None
    names[sql] = name
    return name


def _connection_names() -> dict[str, str | None]:
    """The statements prepared on the current database connection (a new connection, after a
    reconnect, has none)."""
    raw = connection.connection
    kept = getattr(connection, "_ksm_prepared", None)
    if kept is None or kept[0] is not raw:
        kept = (raw, {})
        connection._ksm_prepared = kept
    return kept[1]
