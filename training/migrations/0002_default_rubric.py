"""The starting data of the training app: the topics of Bina Swadaya's trainings, the grading
levels with their thresholds, and the default rubric. All of it is editable in admin afterwards;
this migration only adds what is missing (by code or name), so it never overwrites an edit."""

from decimal import Decimal

from django.db import migrations

TOPICS = (
    # code, name, core, description
    (
        "admin-keuangan",
        "Administrasi dan tata kelola keuangan",
        True,
        "Pembukuan KSM: buku kas umum, buku simpanan dan pinjaman anggota, laporan bulanan.",
    ),
    (
        "pengorganisasian",
        "Pengorganisasian kelompok",
        True,
        "Peran pengurus, rapat anggota, aturan kelompok (AD/ART), pengambilan keputusan.",
    ),
    (
        "simpan-pinjam",
        "Simpan pinjam",
        False,
        "Simpanan pokok, wajib, sukarela; pinjaman, angsuran, jasa dan denda.",
    ),
    (
        "pengembangan-usaha",
        "Pengembangan usaha",
        False,
        "Memilih usaha, menghitung modal dan keuntungan, pemasaran.",
    ),
    (
        "koperasi-bumdes",
        "Tata kelola koperasi dan BUMDes",
        False,
        "Keanggotaan koperasi, RAT, SHU; kerja sama KSM dengan BUMDes.",
    ),
)

LEVELS = (
    ("Tumbuh", Decimal("0"), "Kelompok baru tumbuh: pengurus dan pembukuan masih didampingi."),
    ("Berkembang", Decimal("50"), "Kelompok berjalan teratur; beberapa aspek masih dibimbing."),
    ("Mandiri", Decimal("75"), "Kelompok mengelola diri sendiri dan menjalin kerja sama."),
)

AREAS = (
    # code, name, order
    ("organisasi", "Organisasi", 1),
    ("administrasi", "Administrasi", 2),
    ("keuangan", "Keuangan", 3),
    ("usaha", "Usaha", 4),
    ("jaringan", "Jaringan", 5),
)

CRITERIA = (
    # area, code, text, source, thresholds
    ("organisasi", "kehadiran-rapat", "Kehadiran anggota di rapat bulanan", "attendance_rate",
     "50, 70, 85"),
    ("organisasi", "pengurus-terlatih", "Ketua dan bendahara sudah dilatih topik inti",
     "officers_trained", ""),
    ("organisasi", "rapat-rutin", "Rapat bulanan rutin dengan notulen", "manual", ""),
    ("organisasi", "aturan-kelompok", "Aturan kelompok (AD/ART) disepakati dan dijalankan",
     "manual", ""),
    ("administrasi", "buku-mutakhir", "Pembukuan mutakhir (transaksi atau rapat dalam 35 hari)",
     "books_current", ""),
    ("administrasi", "buku-anggota", "Buku anggota dan buku tabungan anggota lengkap", "manual",
     ""),
    ("administrasi", "arsip", "Notulen, kuitansi dan bukti kas tersimpan rapi", "manual", ""),
    ("keuangan", "keteraturan-simpanan", "Keteraturan simpanan wajib anggota",
     "savings_regularity", "50, 70, 90"),
    ("keuangan", "pertumbuhan-simpanan", "Pertumbuhan simpanan dalam 12 bulan", "savings_growth",
     "0, 10, 25"),
    ("keuangan", "tingkat-pengembalian", "Tingkat pengembalian pinjaman", "repayment_rate",
     "80, 90, 97"),
    ("keuangan", "par30", "Pinjaman bermasalah lebih dari 30 hari (PAR30)", "par30", "10, 5, 2"),
    ("usaha", "usaha-berjalan", "Usaha kelompok atau anggota berjalan", "manual", ""),
    ("usaha", "catatan-usaha", "Catatan usaha (modal, penjualan, keuntungan) dibuat", "manual",
     ""),
    ("jaringan", "bumdes-koperasi", "Bekerja sama dengan BUMDes atau koperasi", "manual", ""),
    ("jaringan", "mitra-lain", "Terhubung dengan pemerintah desa, bank atau mitra lain", "manual",
     ""),
)


def load(apps, schema_editor):
    Topic = apps.get_model("training", "Topic")
    Level = apps.get_model("training", "Level")
    Area = apps.get_model("training", "Area")
    Criterion = apps.get_model("training", "Criterion")
    for order, (code, name, core, description) in enumerate(TOPICS, start=1):
        if not Topic.objects.filter(code=code).exists():
            Topic.objects.create(
                code=code, name=name, is_core=core, description=description, sort_order=order
            )
    if not Level.objects.exists():
        for name, min_score, description in LEVELS:
            Level.objects.create(name=name, min_score=min_score, description=description)
    areas = {}
    for code, name, order in AREAS:
        areas[code] = Area.objects.filter(code=code).first() or Area.objects.create(
            code=code, name=name, sort_order=order
        )
    for order, (area, code, text, source, thresholds) in enumerate(CRITERIA, start=1):
        if not Criterion.objects.filter(code=code).exists():
            Criterion.objects.create(
                area=areas[area],
                code=code,
                text=text,
                source=source,
                thresholds=thresholds,
                max_score=3,
                sort_order=order,
            )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
