"""Writes that return nothing, sent to the database together.

Posting an entry writes to several tables (the entry and its lines, the accounts' totals, the
book's month, the regions' months above it); each write is its own statement, made by the
module that keeps that table. Inside `deferred()` those statements queue instead of running,
and `send()` runs them in order, in the same transaction, in one round trip on PostgreSQL
(psycopg2 sends them as one string), with an optional last statement whose rows it returns.
SQLite runs them one a call.

Only writes queue. A read inside the block runs at once and does not see the queued writes, so
a module queues only what no later read of the same block needs.
"""

import contextlib
import contextvars

from django.db import connection

Statement = tuple[str, list]

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


def execute(sql: str, params: list) -> None:
    """Run a write now, or queue it when a `deferred()` block is open."""
    queue = _queue.get()
    if queue is not None:
        queue.append((sql, params))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def send(statements: list[Statement], last: Statement | None = None) -> list[tuple]:
    """Run the statements in order (one round trip on PostgreSQL), then `last`: its rows."""
    todo = [*statements, *([last] if last is not None else [])]
    if not todo:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(sql for sql, _params in todo),
                [value for _sql, params in todo for value in params],
            )
        else:
            for sql, params in todo:
                cursor.execute(sql, params)
        return cursor.fetchall() if last is not None else []
