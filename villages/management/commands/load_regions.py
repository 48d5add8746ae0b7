"""`python manage.py load_regions`: Indonesia's regions from the idn-area-data package."""

from django.core.management.base import BaseCommand, CommandError

from villages.regions import regions_load

LEVEL_NAMES = {
    "province": "provinces",
    "regency": "regencies/cities",
    "district": "kecamatan",
    "village": "desa/kelurahan",
}


class Command(BaseCommand):
    help = (
        "Load (or update) Indonesia's provinces, regencies, kecamatan and desa/kelurahan with "
        "their Kemendagri codes from the idn-area-data package. Idempotent; never deletes a "
        "region still in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="", help="Only this province, e.g. 33.")
        parser.add_argument("--data-dir", default=None, help="Another copy of the CSV files.")

    def handle(self, *args, province, data_dir, **options):
        if province and not (len(province) == 2 and province.isdigit()):
            raise CommandError("--province takes a two-digit province code, e.g. 33.")
        try:
            report = regions_load(data_dir=data_dir, province=province)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        write = self.stdout.write
        totals = ", ".join(
            f"{report.counts[level]:,} {label}" for level, label in LEVEL_NAMES.items()
        )
        write(f"Regions loaded in {report.seconds:.1f} s: {totals}.")
        if report.changed:
            for what, counter in (
                ("added", report.added),
                ("renamed", report.renamed),
                ("deleted", report.deleted),
            ):
                if counter:
                    parts = ", ".join(
                        f"{counter[level]:,} {LEVEL_NAMES[level]}"
                        for level in LEVEL_NAMES
                        if counter[level]
                    )
                    write(f"  {what}: {parts}")
        else:
            write("  Nothing changed.")
        for line in report.kept:
            self.stderr.write(f"  kept (gone from the data but in use): {line}")
        for line in report.skipped[:20]:
            self.stderr.write(f"  skipped malformed row: {line}")
        if len(report.skipped) > 20:
            self.stderr.write(f"  ... and {len(report.skipped) - 20} more malformed rows")
