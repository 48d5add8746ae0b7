"""Indonesia's regions with their Kemendagri codes, loaded from the `idn-area-data` package.

The package (npm registry, MIT code, ODbL data; installed by `npm ci` with the lockfile) holds
one CSV per level: provinces, regencies (kabupaten/kota), districts (kecamatan) and villages
(desa/kelurahan), each row a code, its parent's code and a name. Loading is an upsert by code:
new codes are added, changed names are renamed, and codes no longer in the data are deleted
unless something still stands on them (a KSM, a member's home, a BUMDes, an assignment...),
in which case they are kept and reported. A second run changes nothing.
"""

import csv
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from .models import (
    DISTRICT_CODE,
    PROVINCE_CODE,
    REGENCY_CODE,
    VILLAGE_CODE,
    District,
    Province,
    Regency,
    Village,
)

# (model, CSV file, its parent column, the parent FK field, the code pattern)
LEVELS = (
    (Province, "provinces.csv", None, None, PROVINCE_CODE),
    (Regency, "regencies.csv", "province_code", "province", REGENCY_CODE),
    (District, "districts.csv", "regency_code", "regency", DISTRICT_CODE),
    (Village, "villages.csv", "district_code", "district", VILLAGE_CODE),
)
BATCH = 5000


def default_data_dir() -> Path:
    return Path(
        getattr(settings, "REGION_DATA_DIR", None)
        or Path(settings.BASE_DIR) / "node_modules" / "idn-area-data" / "data"
    )


@dataclass
class RegionLoadReport:
    counts: Counter = field(default_factory=Counter)  # rows in the data, per level
    added: Counter = field(default_factory=Counter)
    renamed: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)  # regions gone from the data but in use
    skipped: list[str] = field(default_factory=list)  # malformed rows of the data
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.renamed or self.deleted)


def _read(path: Path, parent_column: str | None, pattern: str, report, prefix: str):
    shape = re.compile(pattern)
    rows = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, name = (row.get("code") or "").strip(), " ".join((row.get("name") or "").split())
            parent = (row.get(parent_column) or "").strip() if parent_column else ""
            if prefix and not code.startswith(prefix):
                continue
            if not shape.match(code) or not name or (parent_column and not code.startswith(parent)):
                report.skipped.append(f"{path.name}:{line}: {code} {name}")
                continue
            rows[code] = (name[:100], parent)
    return rows


def _in_use_reason(region) -> str:
    """Why a region gone from the data is kept: what still stands on it."""
    if isinstance(region, Village):
        ksm = region.groups.count()
        if ksm:
            return f"holds {ksm} KSM"
    else:
        scope = {
            Province: "village__district__regency__province",
            Regency: "village__district__regency",
            District: "village__district",
        }[type(region)]
        from django.apps import apps

        group_model = apps.get_model("groups", "SelfHelpGroup")
        ksm = group_model.objects.filter(**{scope: region}).count()
        if ksm:
            return f"holds {ksm} KSM"
    return "still referenced (members' homes, BUMDes, assignments, trainings or lower regions)"


@transaction.atomic
def regions_load(*, data_dir: Path | None = None, province: str = "") -> RegionLoadReport:
    """Load the region tree (or one province of it) from the package's CSV files."""
    started = time.monotonic()
    data_dir = Path(data_dir or default_data_dir())
    report = RegionLoadReport()
    parents: dict[str, int] = {}  # code -> id of the level above, filled level by level
    data_by_level = []
    for model, filename, parent_column, parent_field, pattern in LEVELS:
        path = data_dir / filename
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: run `npm ci` (the idn-area-data package) first."
            )
        rows = _read(path, parent_column, pattern, report, province)
        label = model._meta.model_name
        report.counts[label] = len(rows)
        existing = {
            code: (pk, name)
            for pk, code, name in model.objects.filter(code__startswith=province).values_list(
                "pk", "code", "name"
            )
        }
        new, renamed = [], []
        for code, (name, parent_code) in rows.items():
            if code in existing:
                pk, old_name = existing[code]
                if old_name != name:
                    renamed.append(model(pk=pk, name=name))
            else:
                fields = {"code": code, "name": name}
                if parent_field:
                    if parent_code not in parents:
                        report.skipped.append(f"{filename}: {code} {name}: no parent {parent_code}")
                        continue
                    fields[f"{parent_field}_id"] = parents[parent_code]
                new.append(model(**fields))
        model.objects.bulk_create(new, batch_size=BATCH)
        model.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
        if new:
            report.added[label] += len(new)
        if renamed:
            report.renamed[label] += len(renamed)
        parents = dict(model.objects.filter(code__startswith=province).values_list("code", "pk"))
        data_by_level.append((model, set(rows)))

    # Regions gone from the data, lowest level first so their parents may follow.
    for model, codes in reversed(data_by_level):
        gone = model.objects.filter(code__startswith=province).exclude(code__in=codes)
        for region in gone.order_by("code").iterator():
            try:
                with transaction.atomic():
                    region.delete()
            except (ProtectedError, IntegrityError):
                report.kept.append(f"{region.code} {region.name}: {_in_use_reason(region)}")
            else:
                report.deleted[model._meta.model_name] += 1
    report.seconds = time.monotonic() - started
    return report
