"""SAK EMKM calls the heading "Liabilitas": books opened before the charts said so get the new
name (only where the heading still has the old one, so a name a book chose stays)."""

from django.db import migrations


def rename(apps, schema_editor):
    Account = apps.get_model("finance", "Account")
    Account.objects.filter(code="2", is_header=True, name="Kewajiban").update(name="Liabilitas")


def rename_back(apps, schema_editor):
    Account = apps.get_model("finance", "Account")
    Account.objects.filter(code="2", is_header=True, name="Liabilitas").update(name="Kewajiban")


class Migration(migrations.Migration):
    dependencies = [("finance", "0010_ksm_surplus")]

    operations = [migrations.RunPython(rename, rename_back)]
