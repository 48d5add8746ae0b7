"""Run by tests/test_sqlite_office.py in a child process: a file SQLite database (the embedded
default of `make run`), migrated, one KSM book, and several treasurers posting into it at once
from threads, as runserver's threads would. Prints one JSON line: what was posted and refused."""

import datetime
import json
import os
import sys
import threading


def main(path: str, posters: int, each: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksm_portal.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)

    from finance.models import JournalEntry
    from finance.services import book_open, cash_receive
    from tests.groups.factories import SelfHelpGroupFactory

    book = book_open(owner=SelfHelpGroupFactory(), opening_date=datetime.date(2017, 1, 1))
    connection.close()
    start = threading.Barrier(posters)
    errors: list[str] = []

    def poster(n: int) -> None:
        start.wait()
        try:
            for i in range(each):
                try:
                    cash_receive(
                        book=book,
                        source="grant",
                        amount=1_000 + n,
                        entry_date=datetime.date(2017, 1, 2),
                        description=f"Hibah {n}-{i}",
                    )
                except Exception as error:  # the parent asserts there are none
                    errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = JournalEntry.objects.filter(book=book)
    print(
        json.dumps(
            {
                "errors": errors,
                "numbers": sorted(entries.values_list("number", flat=True)),
                "grants": entries.filter(description__startswith="Hibah").count(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
