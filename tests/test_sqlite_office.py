"""The embedded default (SQLite, `make run`) holds a small office: several people posting at
once wait their turn instead of getting "database is locked" (a 500 in the browser)."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

POSTERS, EACH = 6, 5


def test_concurrent_treasurers_on_a_sqlite_file_all_post(tmp_path: Path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.sqlite_office_support",
            str(tmp_path / "office.sqlite3"),
            str(POSTERS),
            str(EACH),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["grants"] == POSTERS * EACH
    numbers = outcome["numbers"]
    assert numbers == list(range(1, len(numbers) + 1))  # gap-free, none doubled
