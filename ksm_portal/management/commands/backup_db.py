"""Back up the database into one file, ready to restore.

PostgreSQL: `pg_dump --format=custom` (restored with `pg_restore`, see docs/operations.md);
SQLite: SQLite's online backup, a consistent copy even while the office keeps writing. The file
is written under a temporary name and renamed when complete, so a backup that fails half-way
never looks like a good one; `--keep N` then removes all but the newest N backups.

Run nightly (cron or a systemd timer), e.g.
`manage.py backup_db --output /var/backups/ksm --keep 14`.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

PREFIX = "ksm-portal-"


def pg_environment(db: dict) -> dict[str, str]:
    """libpq's environment for a Django PostgreSQL connection's settings."""
    env = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[name] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


class Command(BaseCommand):
    help = _(
        "Back up the database into one file (pg_dump on PostgreSQL, SQLite's backup on SQLite)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=os.environ.get("BACKUP_DIR") or str(Path(settings.BASE_DIR) / "backups"),
            help=_("Folder for the backup files (default: $BACKUP_DIR or backups/)."),
        )
        parser.add_argument(
            "--keep", type=int, default=0, help=_("Keep only the newest N backups.")
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output, keep, database, **options):
        connection = connections[database]
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
        target = folder / f"{PREFIX}{stamp}{suffix}"
        partial = target.with_name(target.name + ".partial")
        try:
            if connection.vendor == "postgresql":
                self._pg_dump(connection.settings_dict, partial)
            elif connection.vendor == "sqlite":
                self._sqlite_backup(connection, partial)
            else:
                raise CommandError(_("Backups are made for PostgreSQL and SQLite only."))
            partial.rename(target)
        finally:
            partial.unlink(missing_ok=True)
        size_mb = target.stat().st_size / 1_000_000
        self.stdout.write(
            _("Backup written: %(path)s (%(size).1f MB).") % {"path": target, "size": size_mb}
        )
        if keep > 0:
            old = sorted(folder.glob(f"{PREFIX}*{suffix}"))[:-keep]
            for path in old:
                path.unlink()
            if old:
                self.stdout.write(_("Older backups removed: %(count)d.") % {"count": len(old)})

    def _pg_dump(self, db: dict, path: Path) -> None:
        if shutil.which("pg_dump") is None:
            raise CommandError(
                _("pg_dump is not installed (Debian: apt-get install postgresql-client).")
            )
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)],
            env=pg_environment(db),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise CommandError(_("pg_dump failed: %(error)s") % {"error": done.stderr.strip()})

    def _sqlite_backup(self, connection, path: Path) -> None:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
