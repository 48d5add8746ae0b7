"""`load_regions`: the whole country from idn-area-data, idempotent, renames, keeps what is used."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command

from tests.groups.factories import SelfHelpGroupFactory
from villages.models import District, Province, Regency, Village
from villages.regions import LEVELS, RegionLoadReport, _read, default_data_dir, regions_load

pytestmark = pytest.mark.django_db

DATA = {
    "provinces.csv": [
        ("code", "name"),
        ("33", "Jawa Tengah"),
        ("34", "Daerah Istimewa Yogyakarta"),
    ],
    "regencies.csv": [
        ("code", "province_code", "name"),
        ("33.25", "33", "Kabupaten Batang"),
        ("33.75", "33", "Kota Pekalongan"),
        ("34.71", "34", "Kota Yogyakarta"),
    ],
    "districts.csv": [
        ("code", "regency_code", "name"),
        ("33.25.01", "33.25", "Wonotunggal"),
        ("33.25.02", "33.25", "Bandar"),
        ("33.75.01", "33.75", "Pekalongan Barat"),
        ("34.71.01", "34.71", "Mantrijeron"),
    ],
    "villages.csv": [
        ("code", "district_code", "name"),
        ("33.25.01.2002", "33.25.01", "Sodong"),
        ("33.25.01.2003", "33.25.01", "Kemligi"),
        ("33.25.02.2005", "33.25.02", "Binangun"),
        ("33.75.01.1001", "33.75.01", "Bendan Kergon"),
        ("34.71.01.1001", "34.71.01", "Gedongkiwo"),
        ("34.71.01.1002", "34.71.01", "Suryodiningratan"),
    ],
}


def write_data(path, data):
    for name, rows in data.items():
        with (path / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def data_dir(tmp_path):
    return write_data(tmp_path, DATA)


def test_every_level_is_loaded_with_its_codes_and_desa_told_from_kelurahan(data_dir):
    report = regions_load(data_dir=data_dir)
    assert (Province.objects.count(), Regency.objects.count()) == (2, 3)
    assert (District.objects.count(), Village.objects.count()) == (4, 6)
    assert report.added["village"] == 6
    sodong = Village.objects.get(code="33.25.01.2002")
    assert (sodong.name, sodong.district.name, sodong.district.regency.name) == (
        "Sodong",
        "Wonotunggal",
        "Kabupaten Batang",
    )
    assert sodong.kind == Village.Kind.DESA
    assert Village.objects.get(code="34.71.01.1001").kind == Village.Kind.KELURAHAN


def test_a_second_run_changes_nothing(data_dir):
    regions_load(data_dir=data_dir)
    before = list(Village.objects.order_by("code").values_list("pk", "code", "name"))
    report = regions_load(data_dir=data_dir)
    assert not report.changed
    assert list(Village.objects.order_by("code").values_list("pk", "code", "name")) == before


def test_a_later_version_renames_adds_and_removes_what_is_unused(data_dir):
    regions_load(data_dir=data_dir)
    kept_pk = Village.objects.get(code="33.25.01.2002").pk
    newer = {**DATA, "villages.csv": [list(row) for row in DATA["villages.csv"]]}
    newer["villages.csv"][1][2] = "Sodong Baru"  # renamed
    newer["villages.csv"].append(["33.25.02.2006", "33.25.02", "Tombo"])  # new
    del newer["villages.csv"][2]  # Kemligi gone, nothing on it
    report = regions_load(data_dir=write_data(data_dir, newer))
    assert (report.renamed["village"], report.added["village"], report.deleted["village"]) == (
        1,
        1,
        1,
    )
    renamed = Village.objects.get(code="33.25.01.2002")
    assert (renamed.pk, renamed.name) == (kept_pk, "Sodong Baru")
    assert not Village.objects.filter(code="33.25.01.2003").exists()


def test_a_region_holding_a_ksm_is_kept_and_reported(data_dir):
    regions_load(data_dir=data_dir)
    SelfHelpGroupFactory(village=Village.objects.get(code="33.25.02.2005"))
    gone = {
        **DATA,
        "villages.csv": [row for row in DATA["villages.csv"] if row[0] != "33.25.02.2005"],
    }
    report = regions_load(data_dir=write_data(data_dir, gone))
    assert Village.objects.filter(code="33.25.02.2005").exists()
    assert any(line.startswith("33.25.02.2005 Binangun: holds 1 KSM") for line in report.kept)


def test_the_command_prints_the_time_and_the_counts(data_dir):
    out, err = StringIO(), StringIO()
    call_command("load_regions", data_dir=str(data_dir), stdout=out, stderr=err)
    assert "Regions loaded in" in out.getvalue()
    assert "6 desa/kelurahan" in out.getvalue()
    out = StringIO()
    call_command("load_regions", data_dir=str(data_dir), stdout=out)
    assert "Nothing changed" in out.getvalue()


def test_the_installed_package_holds_the_whole_country():
    """The npm package installed with the lockfile has every region of Indonesia."""
    counts = {}
    report = RegionLoadReport()
    for model, filename, parent_column, _field, pattern in LEVELS:
        rows = _read(default_data_dir() / filename, parent_column, pattern, report, "")
        counts[model._meta.model_name] = len(rows)
    assert counts == {"province": 38, "regency": 514, "district": 7285, "village": 83762}
    assert report.skipped == []
