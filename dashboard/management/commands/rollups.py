"""The rollups behind the dashboard: check them against the journal and the register, write
them again, add the books' queued changes to the regions (run each minute), or read the loans'
risk again for the passing of time (run daily)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dashboard.services.rebuild import rollups_differences, rollups_rebuild
from dashboard.services.rollups import rollups_drain
from finance.services.figures import books_risk_refresh

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Check (--check, the default), rebuild (--rebuild), drain the books' queued changes into "
        "the regions (--drain, each minute) or refresh the loan risk (--refresh, daily) of the "
        "monthly figures per book and per region."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--check", action="store_true", help="Compare with the journal.")
        action.add_argument("--rebuild", action="store_true", help="Write them all again.")
        action.add_argument(
            "--refresh",
            action="store_true",
            help="Read this and last month's loan risk again (as time passes: run daily).",
        )
        action.add_argument(
            "--drain",
            action="store_true",
            help="Add the books' queued changes to the regions (run each minute).",
        )
        parser.add_argument("--book", type=int, action="append", help="Only this book (repeat).")

    def handle(self, *args, **options):
        started = time.monotonic()
        books = options["book"]
        if options["rebuild"]:
            counts = rollups_rebuild(books)
            written = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(f"rollups: rebuilt {written} ({time.monotonic() - started:.1f} s).")
            return
        if options["drain"]:
            if books:
                raise CommandError(_("--drain adds every book's changes: leave out --book."))
            count = rollups_drain()
            self.stdout.write(
                f"rollups: {count} queued book change(s) added to the regions "
                f"({time.monotonic() - started:.1f} s)."
            )
            return
        if options["refresh"]:
            count = books_risk_refresh(book_ids=books)
            self.stdout.write(
                f"rollups: loan risk read again for {count} book(s) "
                f"({time.monotonic() - started:.1f} s)."
            )
            return
        found = rollups_differences(books)
        if not found:
            self.stdout.write(
                f"rollups: every figure agrees with the journal and the register "
                f"({time.monotonic() - started:.1f} s)."
            )
            return
        for line in found[:SHOWN]:
            self.stdout.write(line)
        if len(found) > SHOWN:
            self.stdout.write(f"... and {len(found) - SHOWN} more")
        raise CommandError(
            f"rollups: {len(found)} difference(s); `manage.py rollups --rebuild` writes them "
            "again from the journal and the register.",
            returncode=1,
        )
