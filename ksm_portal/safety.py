"""What load and scale commands (generate_scale, seed_demo, the bench scripts) check before
they write: counts that make sense, and a database that is not someone's real register.

A database is **production-looking** when either
- its server is another machine: not SQLite, and a host other than localhost, 127.0.0.1, ::1
  or a local socket (a real installation's database seldom runs on the application's own
  box, and a load test never needs a remote one); or
- it holds a KSM outside the throwaway regions: the synthetic regencies of generate_scale
  (named "Sintetis ..."), the Batang demo of seed_demo (regency 33.25) and the bench
  villages (codes 99.*). Real groups mean real people's data, wherever the server is.

`--yes` says the operator means it (a staging copy on another host, say). One rule for every
command; the refusal names the database and the reason.
"""

import argparse

from django.core.management.base import CommandError
from django.db import connections
from django.db.models import Q
from django.utils.translation import gettext as _

LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
SYNTHETIC_REGENCY_PREFIX = "Sintetis"  # generate_scale's regencies
DEMO_VILLAGE_PREFIX = "33.25."  # seed_demo's Kabupaten Batang
BENCH_VILLAGE_PREFIX = "99."  # bench/ledger.py, meeting.py, imports.py


def count_arg(low: int, high: int):
    """An argparse `type` for a count: a whole number from low to high, or a clear refusal."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                _("must be a whole number from %(low)s to %(high)s, not %(value)s")
                % {
                    "low": f"{low:,}".replace(",", "."),
                    "high": f"{high:,}".replace(",", "."),
                    "value": text,
                }
            )
        return value

    return parse


def _is_local(settings_dict: dict) -> bool:
    host = (settings_dict.get("HOST") or "").strip()
    return host in LOCAL_HOSTS or host.startswith("/")  # a socket directory is this machine


def holds_real_ksm(using: str = "default") -> bool:
    """Any KSM outside the synthetic, demo and bench regions."""
    from groups.models import SelfHelpGroup

    throwaway = (
        Q(village__district__regency__name__startswith=SYNTHETIC_REGENCY_PREFIX)
        | Q(village__code__startswith=DEMO_VILLAGE_PREFIX)
        | Q(village__code__startswith=BENCH_VILLAGE_PREFIX)
    )
    return SelfHelpGroup.objects.using(using).exclude(throwaway).exists()


def production_reason(using: str = "default") -> str | None:
    """Why the database looks like production (see the module), or None."""
    connection = connections[using]
    settings_dict = connection.settings_dict
    if connection.vendor != "sqlite" and not _is_local(settings_dict):
        return _("its server %(host)s is not this machine") % {"host": settings_dict["HOST"]}
    if holds_real_ksm(using):
        return _("it holds KSM outside the synthetic, demo and bench regions")
    return None


def database_label(using: str = "default") -> str:
    settings_dict = connections[using].settings_dict
    name = str(settings_dict.get("NAME") or "")
    host = settings_dict.get("HOST") or ""
    return f"{name}@{host}" if host else name


def refusal(what: str, using: str = "default") -> str | None:
    """The message refusing to let `what` write into a production-looking database, or None."""
    reason = production_reason(using)
    if reason is None:
        return None
    return _(
        "%(what)s would write into the database %(database)s, which looks like production "
        "(%(reason)s). Run it on a throwaway database, or add --yes if this one is meant for it."
    ) % {"what": what, "database": database_label(using), "reason": reason}


def refuse_unless_safe(yes: bool, what: str, using: str = "default") -> None:
    """Raise CommandError (the refusal) unless the database is safe to write into or `yes`."""
    if yes:
        return
    message = refusal(what, using)
    if message is not None:
        raise CommandError(message)
