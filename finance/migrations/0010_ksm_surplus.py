"""A KSM shares its SHU among its members at the RAT: the distribution keeps the part by savings
(jasa modal), the part by participation (jasa usaha) and where the shares go; a share names a
member or a member KSM. KSM books get the accounts it credits: Dana Pengurus (board fund) and
Dana Pembagian SHU (SHU payable, a member sub-ledger); a code a book already uses for something
else is not taken (the next free code under the heading is)."""

from decimal import Decimal

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

# Kept here as they were when this migration was written (migrations do not import the charts).
KSM_ACCOUNTS = [
    ("2.05", "Dana Pengurus", "liability", "credit", "fund_board", "2"),
    ("2.06", "Dana Pembagian SHU", "liability", "credit", "surplus_payable", "2"),
]
BATCH = 1000


def _free_code(code, heading, taken):
    number = int(code.rsplit(".", 1)[1])
    while code in taken:
        number += 1
        code = f"{heading}.{number:02d}"
    return code


def add_ksm_accounts(apps, schema_editor):
    Book = apps.get_model("finance", "Book")
    Account = apps.get_model("finance", "Account")
    last = 0
    while True:
        books = list(
            Book.objects.filter(pk__gt=last, group__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not books:
            return
        last = books[-1]
        own = {}
        for account in Account.objects.filter(book_id__in=books).only(
            "book_id", "code", "role", "id", "is_header"
        ):
            own.setdefault(account.book_id, []).append(account)
        new = []
        for book_id in books:
            accounts = own.get(book_id, [])
            roles = {a.role for a in accounts if a.role}
            taken = {a.code for a in accounts}
            headings = {a.code: a.pk for a in accounts if a.is_header}
            for code, name, type_, normal, role, heading in KSM_ACCOUNTS:
                if role in roles:
                    continue
                code = _free_code(code, heading, taken)
                taken.add(code)
                new.append(
                    Account(
                        book_id=book_id,
                        code=code,
                        name=name,
                        type=type_,
                        normal_balance=normal,
                        role=role,
                        parent_id=headings.get(heading),
                    )
                )
        Account.objects.bulk_create(new)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0009_bank_accounts_roles"),
        ("groups", "0007_officer"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="surplusshare",
            options={
                "ordering": ["distribution", "group__name", "member__full_name"],
                "verbose_name": "surplus share",
                "verbose_name_plural": "surplus shares",
            },
        ),
        migrations.RemoveConstraint(
            model_name="surplusdistribution",
            name="distribution_percentages_range",
        ),
        migrations.RemoveConstraint(
            model_name="surplusdistribution",
            name="distribution_percentages_sum_100",
        ),
        migrations.AddField(
            model_name="historicalsurplusdistribution",
            name="participation_pct",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=5,
                verbose_name="members by participation, jasa usaha (%)",
            ),
        ),
        migrations.AddField(
            model_name="historicalsurplusdistribution",
            name="savings_pct",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=5,
                verbose_name="members by savings, jasa modal (%)",
            ),
        ),
        migrations.AddField(
            model_name="historicalsurplusdistribution",
            name="shares_to",
            field=models.CharField(
                choices=[
                    ("payable", "SHU payable, paid out to each member later"),
                    ("voluntary", "Each member's voluntary savings (sukarela)"),
                ],
                default="payable",
                max_length=10,
                verbose_name="members' shares go to",
            ),
        ),
        migrations.AddField(
            model_name="surplusdistribution",
            name="participation_pct",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=5,
                verbose_name="members by participation, jasa usaha (%)",
            ),
        ),
        migrations.AddField(
            model_name="surplusdistribution",
            name="savings_pct",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=5,
                verbose_name="members by savings, jasa modal (%)",
            ),
        ),
        migrations.AddField(
            model_name="surplusdistribution",
            name="shares_to",
            field=models.CharField(
                choices=[
                    ("payable", "SHU payable, paid out to each member later"),
                    ("voluntary", "Each member's voluntary savings (sukarela)"),
                ],
                default="payable",
                max_length=10,
                verbose_name="members' shares go to",
            ),
        ),
        migrations.AddField(
            model_name="surplusshare",
            name="member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="surplus_shares",
                to="groups.member",
                verbose_name="member",
            ),
        ),
        migrations.AlterField(
            model_name="surplusshare",
            name="group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="groups.selfhelpgroup",
                verbose_name="member KSM",
            ),
        ),
        migrations.AddConstraint(
            model_name="surplusdistribution",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("board_pct__gte", 0),
                    ("education_pct__gte", 0),
                    ("members_pct__gte", 0),
                    ("other_pct__gte", 0),
                    ("participation_pct__gte", 0),
                    ("reserve_pct__gte", 0),
                    ("savings_pct__gte", 0),
                    ("social_pct__gte", 0),
                    ("staff_pct__gte", 0),
                    ("transactions_pct__gte", 0),
                    ("village_pct__gte", 0),
                    ("board_pct__lte", 100),
                    ("education_pct__lte", 100),
                    ("members_pct__lte", 100),
                    ("other_pct__lte", 100),
                    ("participation_pct__lte", 100),
                    ("reserve_pct__lte", 100),
                    ("savings_pct__lte", 100),
                    ("social_pct__lte", 100),
                    ("staff_pct__lte", 100),
                    ("transactions_pct__lte", 100),
                    ("village_pct__lte", 100),
                ),
                name="distribution_percentages_range",
                violation_error_message="Each percentage is between 0 and 100.",
            ),
        ),
        migrations.AddConstraint(
            model_name="surplusdistribution",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "reserve_pct",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.expressions.CombinedExpression(
                                                django.db.models.expressions.CombinedExpression(
                                                    django.db.models.expressions.CombinedExpression(
                                                        django.db.models.expressions.CombinedExpression(
                                                            models.Value(100),
                                                            "-",
                                                            models.F("members_pct"),
                                                        ),
                                                        "-",
                                                        models.F("savings_pct"),
                                                    ),
                                                    "-",
                                                    models.F("participation_pct"),
                                                ),
                                                "-",
                                                models.F("board_pct"),
                                            ),
                                            "-",
                                            models.F("staff_pct"),
                                        ),
                                        "-",
                                        models.F("education_pct"),
                                    ),
                                    "-",
                                    models.F("social_pct"),
                                ),
                                "-",
                                models.F("village_pct"),
                            ),
                            "-",
                            models.F("other_pct"),
                        ),
                    )
                ),
                name="distribution_percentages_sum_100",
                violation_error_message="The percentages must add up to 100%%.",
            ),
        ),
        migrations.AddConstraint(
            model_name="surplusdistribution",
            constraint=models.CheckConstraint(
                condition=models.Q(("shares_to__in", ["payable", "voluntary"])),
                name="distribution_shares_to_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="surplusshare",
            constraint=models.UniqueConstraint(
                condition=models.Q(("member__isnull", False)),
                fields=("distribution", "member"),
                name="surplus_share_once_per_member",
            ),
        ),
        migrations.AddConstraint(
            model_name="surplusshare",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("group__isnull", True), ("member__isnull", False)),
                    models.Q(("group__isnull", False), ("member__isnull", True)),
                    _connector="OR",
                ),
                name="surplus_share_member_or_group",
            ),
        ),
        migrations.RunPython(add_ksm_accounts, migrations.RunPython.noop),
    ]
