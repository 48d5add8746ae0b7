"""A real PostgreSQL streaming replica of the test cluster, for the read-replica tests.

`pg_basebackup` copies the whole primary cluster (every database on it, not only the test
database) into a directory under /tmp, and `pg_ctl` starts it as a hot standby on a free port.
Both run as the `postgres` OS user (through `runuser` when the tests run as root). The primary
must allow replication from 127.0.0.1 (`.ci/run` adds that to pg_hba.conf).
"""

import contextlib
import copy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from ksm_portal.db_router import REPLICA, forget_replica_health

STANDBY_MUST_MATCH = (
    # A hot standby refuses to start with less of these than its primary.
    "max_connections",
    "max_worker_processes",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "max_wal_senders",
)


@dataclass
class ReplicaServer:
    directory: Path
    port: int
    bin_dir: Path
    seconds_to_copy: float
    seconds_to_start: float = 0.0

    @property
    def data(self) -> Path:
        return self.directory / "data"


def point_replica_alias(**changes) -> None:
    """The "replica" alias DATABASE_REPLICA_URL gives, at the server the test says. In tests the
    alias is a MIRROR of default: that keeps Django from creating or flushing a database there,
    and is why the test points it at its replica itself."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if changes.get("ENGINE", settings_dict["ENGINE"]) != settings_dict["ENGINE"]:
        # Default is another kind of database (SQLite): its options mean nothing here.
        settings_dict["OPTIONS"] = {}
    settings_dict.update(CONN_MAX_AGE=0, **changes)
    settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    settings_dict["TEST"] = {**settings_dict["TEST"], "MIRROR": "default"}
    connections.settings[REPLICA] = settings_dict


def forget_replica_alias() -> None:
    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
    forget_replica_health()


def unavailable_reason(server_major: int) -> str | None:
    """Why a replica cannot be made on this machine, or None."""
    bin_dir = Path(f"/usr/lib/postgresql/{server_major}/bin")
    for tool in ("pg_basebackup", "pg_ctl"):
        if not (bin_dir / tool).exists():
            return f"{bin_dir / tool} is missing (apt-get install postgresql-{server_major})"
    if _current_user() != "postgres":
        if os.geteuid() != 0:
            return "the replica runs as the postgres OS user: run the tests as root or postgres"
        if shutil.which("runuser") is None:
            return "runuser is missing (util-linux)"
    return None


def _current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _as_postgres(command: list[str], **options) -> subprocess.CompletedProcess:
    if _current_user() != "postgres":
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_replica(*, host: str, port: int, user: str, server_major: int, primary_settings: dict):
    """Copy the primary and start the copy as a hot standby; returns once it answers."""
    bin_dir = Path(f"/usr/lib/postgresql/{server_major}/bin")
    directory = Path(tempfile.mkdtemp(prefix="ksm_replica_", dir="/tmp"))
    postgres = pwd.getpwnam("postgres")
    os.chown(directory, postgres.pw_uid, postgres.pw_gid)
    server = ReplicaServer(directory, _free_port(), bin_dir, 0.0)
    started = time.monotonic()
    _as_postgres(
        [
            str(bin_dir / "pg_basebackup"),
            f"--host={host}",
            f"--port={port}",
            f"--username={user}",
            f"--pgdata={server.data}",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--write-recovery-conf",
            "--no-sync",
        ],
        timeout=900,
    )
    server.seconds_to_copy = time.monotonic() - started
    # Debian keeps the configuration outside the data directory: the copy gets its own.
    settings = {
        "port": server.port,
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{directory}'",
        "hot_standby": "on",
        "shared_buffers": "'32MB'",
        "fsync": "off",
        "logging_collector": "off",
        **{name: primary_settings[name] for name in STANDBY_MUST_MATCH},
    }
    config = "".join(f"{name} = {value}\n" for name, value in settings.items())
    hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    for name, text in (("postgresql.conf", config), ("pg_hba.conf", hba)):
        path = server.data / name
        path.write_text(text)
        os.chown(path, postgres.pw_uid, postgres.pw_gid)
    log = directory / "server.log"
    started = time.monotonic()
    try:
        _pg_ctl(server, "--log", log, "--wait", "--timeout=600", "start")
    except RuntimeError as error:
        text = log.read_text() if log.exists() else ""
        stop_replica(server)
        raise RuntimeError(f"{error}\n{text}") from error
    # A hot standby opens once the primary logs a snapshot of its running transactions (every
    # 15 s when busy); a primary transaction with more than 64 subtransactions delays that.
    server.seconds_to_start = time.monotonic() - started
    return server


def _pg_ctl(server: ReplicaServer, *arguments) -> None:
    command = [server.bin_dir / "pg_ctl", "--pgdata", server.data, *arguments]
    _as_postgres([str(part) for part in command], timeout=660)


def stop_replica(server: ReplicaServer) -> None:
    if (server.data / "postmaster.pid").exists():
        with contextlib.suppress(RuntimeError):  # stopped already: the directory goes anyway
            _pg_ctl(server, "--mode=immediate", "--wait", "stop")
    shutil.rmtree(server.directory, ignore_errors=True)
