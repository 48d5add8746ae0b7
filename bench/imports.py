"""Time a members import of 50,000 rows into an existing kecamatan, preview and commit.

    createdb -h 127.0.0.1 -U postgres ksm_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksm_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/imports.py [--rows 50000] [--per-ksm 25]

Each run makes a kecamatan of its own ("Kecamatan Bench Impor N", 20 villages under the
regency 99.98, "Kabupaten Bench Impor") with rows / per-ksm KSM in it, then writes an xlsx of
--rows members of those KSM (a chair and a treasurer in each, fresh NIKs) and imports it through
the services the pages call, as the facilitator's browser would:

- preview: `batch_start` (read the whole file, check each row and the file's duplicates, stage
  it) and every `batch_check_step` until the check is done (each step one short request of the
  progress bar; the slowest step is printed, since that is what must stay under a timeout);
- commit: `batch_commit` (check every row again and write it all in one transaction);
- re-import: the same file previewed again, which finds every row already there.

It prints rows/s for each and the target (>= 2,000 rows/s on this 2-core machine, issue 9).
Nothing is deleted: use a database of its own.
"""

import argparse
import datetime
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksm_portal.settings.test")

TARGET_ROWS_PER_S = 2000
VILLAGES = 20


def parse_args(argv=None):
    from ksm_portal.safety import count_arg

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=count_arg(1, 1_000_000), default=50_000, help="members in the file"
    )
    parser.add_argument("--per-ksm", type=count_arg(3, 200), default=25, help="members of each KSM")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="write even into a database that looks like production (ksm_portal/safety.py)",
    )
    return parser.parse_args(argv)


def main() -> int:
    import django

    django.setup()  # before the arguments: their messages are translated
    args = parse_args()
    from ksm_portal.safety import refusal

    refused = None if args.yes else refusal("bench/imports.py")
    if refused:
        print(refused, file=sys.stderr)
        return 2
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("The database is not migrated: run `manage.py migrate` first.")
        return 2
    from imports.models import ImportStatus
    from imports.services import batch_check_step, batch_commit, batch_start

    user = bench_user()
    district, groups = make_kecamatan(args)
    content = members_file(district, groups, args)
    print(
        f"{connection.vendor} ({connection.settings_dict['NAME']}): {args.rows:,} members into "
        f"{len(groups):,} KSM of {district.name} ({district.code}); "
        f"file {len(content) / 1e6:.1f} MB"
    )

    def preview():
        started = time.perf_counter()
        batch = batch_start(actor=user, kind="members", file_name="bench.xlsx", content=content)
        staged = time.perf_counter() - started
        steps = []
        while batch.status == ImportStatus.CHECKING:
            step_started = time.perf_counter()
            batch = batch_check_step(actor=user, batch=batch)
            steps.append(time.perf_counter() - step_started)
        return batch, staged, steps, time.perf_counter() - started

    batch, staged, steps, preview_s = preview()
    if batch.status != ImportStatus.READY:
        first = batch.rows.filter(action="problem").first()
        print(f"The file did not check clean: {batch.rows_problem} problems, e.g. {first.problems}")
        return 1
    started = time.perf_counter()
    batch = batch_commit(actor=user, batch=batch)
    commit_s = time.perf_counter() - started
    again, _staged, _steps, again_s = preview()
    assert again.rows_unchanged == args.rows, "the re-import should find every row there"

    rows = args.rows
    print(f"\n{'step':<44} {'seconds':>8} {'rows/s':>9}")
    print(f"{'preview: read, parse and stage (upload)':<44} {staged:>8.1f} {rows / staged:>9,.0f}")
    print(
        f"{'preview: checks against the register':<44} {sum(steps):>8.1f} "
        f"{rows / sum(steps):>9,.0f}   ({len(steps)} steps, slowest {max(steps):.2f} s)"
    )
    print(f"{'preview in all':<44} {preview_s:>8.1f} {rows / preview_s:>9,.0f}")
    print(f"{'commit (one transaction)':<44} {commit_s:>8.1f} {rows / commit_s:>9,.0f}")
    print(f"{'re-import preview (all already there)':<44} {again_s:>8.1f} {rows / again_s:>9,.0f}")
    slowest_request = max(staged, max(steps), commit_s)
    print(f"\nslowest single request: {slowest_request:.1f} s")
    met = min(rows / preview_s, rows / commit_s) >= TARGET_ROWS_PER_S
    verdict = "met" if met else "MISSED"
    print(f"target >= {TARGET_ROWS_PER_S:,} rows/s for preview and commit: {verdict}")
    return 0


def bench_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import PROGRAM_STAFF

    user, created = get_user_model().objects.get_or_create(username="bench_import")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    return user


def make_kecamatan(args):
    """A new kecamatan with its villages and KSM, through the register's services."""
    from groups.models import SelfHelpGroup
    from groups.services import groups_register_bulk
    from villages.models import District
    from villages.services import (
        district_upsert,
        province_upsert,
        regency_upsert,
        village_upsert,
    )

    province = province_upsert(code="99", name="Provinsi Bench")
    regency = regency_upsert(province=province, code="99.98", name="Kabupaten Bench Impor")
    number = District.objects.filter(regency=regency).count() + 1
    district = district_upsert(
        regency=regency, code=f"99.98.{number:02d}", name=f"Kecamatan Bench Impor {number}"
    )
    villages = [
        village_upsert(district=district, code=f"{district.code}.{2000 + n:04d}", name=f"Desa {n}")
        for n in range(1, VILLAGES + 1)
    ]
    count = -(-args.rows // args.per_ksm)
    groups = groups_register_bulk(
        actor=None,
        groups=[
            SelfHelpGroup(
                village=villages[n % VILLAGES],
                name=f"KSM Bench {n}",
                registration_number=f"{n:05d}/KSM/2016",
                origin=SelfHelpGroup.Origin.NEW,
                formed_date=datetime.date(2016, 1, 1),
            )
            for n in range(count)
        ],
    )
    return district, groups


def members_file(district, groups, args) -> bytes:
    """An xlsx as a facilitator would fill the template, with NIKs no one has yet."""
    from openpyxl import Workbook

    from groups.models import Member
    from imports.kinds import kind_of

    # A NIK region (province 33, a regency and district of its own per run) keeps runs apart.
    number = int(district.code[-2:])
    region = f"33{90 + number // 100:02d}{number % 100:02d}"
    assert not Member.objects.filter(nik__startswith=region).exists()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.header for column in kind_of("members").columns])
    first_birth = datetime.date(1960, 1, 1)
    for n in range(args.rows):
        group = groups[n // args.per_ksm]
        position = n % args.per_ksm
        role = {0: "Ketua", 1: "Bendahara", 2: "Sekretaris"}.get(position, "Anggota")
        born = first_birth + datetime.timedelta(days=n % 14000)
        female = n % 2 == 0
        nik = f"{region}{born.day + (40 if female else 0):02d}{born:%m%y}{n // 14000 + 1:04d}"
        sheet.append(
            [
                group.village.code,
                group.registration_number,
                nik,
                f"{region}0101{n % 1_000_000:06d}",
                f"Anggota Bench {n}",
                "P" if female else "L",
                f"{born:%d-%m-%Y}",
                f"0812{n:08d}",
                "RT 01 RW 01",
                role,
                "15-03-2017",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
