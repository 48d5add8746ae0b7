"""Reads that tolerate a little lag go to a PostgreSQL streaming replica.

Installed only when DATABASE_REPLICA_URL is set (see settings). The replica is used for the
reads of a view wrapped in `replica_reads` (the reports, the dashboard, the exports), and then
only while

- the primary connection is not inside a transaction: whatever a transaction reads stays next
  to what it writes;
- the request is not within a few seconds of the same browser's last write (the
  `RecentWriteMiddleware` cookie), so people see what they have just posted;
- the replica answers and has replayed the primary's WAL to within DATABASE_REPLICA_MAX_LAG
  seconds. That is checked at most every HEALTH_SECONDS per process; a change of verdict is
  logged once on "ksm_portal.replica" and the reads fall back to the primary. A replica
  connection that drops during a safe request, or a query the standby cancels for a conflict
  with recovery, makes the view run once more on the primary.

Writes always go to the primary, and migrations run there only.
"""

import contextvars
import functools
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

REPLICA = "replica"
HEALTH_SECONDS = 5.0
DEFAULT_MAX_LAG = 30.0
RECENT_WRITE_COOKIE = "ksm_wrote"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# Replay lag in seconds: nothing left to replay is no lag at all, even when the primary has been
# quiet for an hour (then now() - last replay timestamp would be large but meaningless).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""

logger = logging.getLogger("ksm_portal.replica")

_scope: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


@dataclass
class Verdict:
    healthy: bool | None = None  # None: not checked yet in this process
    reason: str = ""
    checked_at: float = 0.0


_verdict = Verdict()
_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES or REPLICA in connections.settings


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", DEFAULT_MAX_LAG))


def _measure() -> tuple[bool, str]:
    """Ask the replica whether it is a standby and how far behind it is."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except (OperationalError, InterfaceError) as error:
        _close(connection)
        first_line = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
        return False, f"unreachable ({first_line})"
    if not in_recovery:
        return False, "not a standby (pg_is_in_recovery() is false)"
    if lag is None:
        return False, "replay lag unknown"
    if float(lag) > max_lag():
        return False, f"lagging {float(lag):.2f} s behind (more than {max_lag():g} s)"
    return True, f"replay lag {float(lag):.2f} s"


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # a dead connection may fail to close; it is gone anyway
        connection.connection = None


def _record(healthy: bool, reason: str) -> None:
    """Keep the verdict; log when it changes (not once per query)."""
    with _lock:
        before = _verdict.healthy
        _verdict.healthy, _verdict.reason, _verdict.checked_at = healthy, reason, time.monotonic()
    if before is not False and not healthy:
        logger.warning("Replica %s: reads go to the primary.", reason)
    elif before is not True and healthy:
        word = "in use" if before is None else "back"
        logger.info("Replica %s (%s): lag-tolerant reads go to it.", word, reason)


def replica_healthy() -> bool:
    """The cached verdict, measured again when older than HEALTH_SECONDS."""
    if _verdict.healthy is not None and time.monotonic() - _verdict.checked_at < HEALTH_SECONDS:
        return _verdict.healthy
    healthy, reason = _measure()
    _record(healthy, reason)
    return healthy


def mark_replica_down(reason: str) -> None:
    _record(False, reason)


def forget_replica_health() -> None:
    """Measure again at the next read (tests; a deployment never needs it)."""
    with _lock:
        _verdict.healthy, _verdict.reason, _verdict.checked_at = None, "", 0.0


def _use_replica() -> bool:
    return (
        _scope.get()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and replica_configured()
        and replica_healthy()
    )


class ReplicaRouter:
    """Reads in a `replica_reads` scope from the replica when it is fit; everything else on
    the primary. Always names the database (never None), so an object read from the replica
    does not pull its relations from there once the scope is over."""

    def db_for_read(self, model, **hints):
        return REPLICA if _use_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


@contextmanager
def _scoped(active: bool):
    token = _scope.set(active)
    try:
        yield
    finally:
        _scope.reset(token)


def _streamed(content, active: bool):
    """A streamed body (the csv exports) is read after the view has returned: keep the scope."""
    with _scoped(active):
        yield from content


def _recently_wrote(request) -> bool:
    return bool(getattr(request, "COOKIES", {}).get(RECENT_WRITE_COOKIE))


def replica_reads(view=None):
    """Send the reads inside to the replica (when one is configured and fit): `with
    replica_reads():` or, on a view, `@replica_reads` below `@login_required`.

    On a view it also reads the user (session and auth) on the primary before the scope, keeps
    the scope while a streamed response is read, leaves unsafe requests and a browser's
    requests just after its own write on the primary, and runs a safe request once more on
    the primary when the replica's connection failed under it.
    """
    if view is None:
        return _scoped(True)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not replica_configured():
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - evaluates the lazy user here, on the primary
        active = request.method in SAFE_METHODS and not _recently_wrote(request)
        try:
            with _scoped(active):
                response = view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            if not (active and (_broken(REPLICA) or _recovery_conflict(error))):
                raise
            mark_replica_down(f"failed during a request ({error.__class__.__name__})")
            _close(connections[REPLICA])
            with _scoped(False):
                response = view(request, *args, **kwargs)
        if active and getattr(response, "streaming", False):
            response.streaming_content = _streamed(response.streaming_content, active)
        return response

    return wrapper


def _recovery_conflict(error) -> bool:
    """A standby cancels a query whose rows its replay must remove ("canceling statement due to
    conflict with recovery", SQLSTATE 40001); the primary never raises that for our reads."""
    pgcode = getattr(error.__cause__, "pgcode", None)
    return pgcode == "40001" and "conflict with recovery" in str(error)


def _broken(alias: str) -> bool:
    """The alias's open connection failed and no longer answers (a dropped connection)."""
    connection = connections[alias]
    return (
        connection.connection is not None
        and connection.errors_occurred
        and not connection.is_usable()
    )


class RecentWriteMiddleware:
    """After a request that may have written (any unsafe method), the same browser reads from
    the primary for as long as the replica may lag behind: a facilitator who has just posted
    sees the entry in the cash book. Installed with the replica only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                RECENT_WRITE_COOKIE,
                "1",
                max_age=int(max_lag() + HEALTH_SECONDS) + 1,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
