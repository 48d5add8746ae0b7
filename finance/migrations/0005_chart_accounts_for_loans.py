"""Books opened before loans arrived get the accounts the loan, meeting and surplus services
use (admin fee income, loan-loss expense, a BUMDes's loans to KSM, a cooperative's funds ...),
as the starting charts now have them. A code a book already uses for something else is not
taken: the account goes to the next free code under the same heading."""

from django.db import migrations

# role: (code, name, type, normal balance, heading code) per kind of book; kept here as they
# were when this migration was written (migrations do not import the live charts).
NEW_ACCOUNTS = {
    "ksm": [
        ("4.05", "Pendapatan Administrasi Pinjaman", "income", "credit", "income_admin", "4"),
        ("5.07", "Beban Penyisihan Kerugian Piutang", "expense", "debit", "expense_loan_loss", "5"),
    ],
    "bumdes": [
        ("1.07", "Piutang Pinjaman KSM", "asset", "debit", "loans_receivable", "1"),
        ("1.08", "Cadangan Kerugian Piutang", "asset", "credit", "loan_loss_allowance", "1"),
        ("2.03", "Utang Bagi Hasil PADes", "liability", "credit", "pades_payable", "2"),
        ("2.04", "Dana Lain-lain", "liability", "credit", "fund_other", "2"),
        ("4.03", "Jasa Pinjaman KSM", "income", "credit", "income_interest", "4"),
        ("4.04", "Denda", "income", "credit", "income_fines", "4"),
        ("4.05", "Pendapatan Administrasi Pinjaman", "income", "credit", "income_admin", "4"),
        ("5.06", "Bunga", "expense", "debit", "expense_interest", "5"),
        ("5.07", "Beban Penyisihan Kerugian Piutang", "expense", "debit", "expense_loan_loss", "5"),
    ],
    "cooperative": [
        ("2.04", "Dana Pengurus", "liability", "credit", "fund_board", "2"),
        ("2.05", "Dana Karyawan", "liability", "credit", "fund_staff", "2"),
        ("2.06", "Dana Pendidikan", "liability", "credit", "fund_education", "2"),
        ("2.07", "Dana Sosial", "liability", "credit", "fund_social", "2"),
        ("2.08", "Dana Lain-lain", "liability", "credit", "fund_other", "2"),
        ("4.04", "Denda", "income", "credit", "income_fines", "4"),
        ("4.05", "Pendapatan Administrasi Pinjaman", "income", "credit", "income_admin", "4"),
        ("5.07", "Bunga", "expense", "debit", "expense_interest", "5"),
        ("5.08", "Beban Penyisihan Kerugian Piutang", "expense", "debit", "expense_loan_loss", "5"),
    ],
}
BATCH = 1000


def _kind(book):
    if book.group_id:
        return "ksm"
    return "bumdes" if book.bumdes_id else "cooperative"


def _free_code(code, heading, taken):
    if code not in taken:
        return code
    number = int(code.rsplit(".", 1)[1])
    while True:
        number += 1
        candidate = f"{heading}.{number:02d}"
        if candidate not in taken:
            return candidate


def add_accounts(apps, schema_editor):
    Book = apps.get_model("finance", "Book")
    Account = apps.get_model("finance", "Account")
    last = 0
    while True:
        books = list(Book.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not books:
            return
        last = books[-1].pk
        accounts = {}
        for account in Account.objects.filter(book__in=books).only(
            "book_id", "code", "role", "id", "is_header"
        ):
            accounts.setdefault(account.book_id, []).append(account)
        new = []
        for book in books:
            own = accounts.get(book.pk, [])
            roles = {a.role for a in own if a.role}
            taken = {a.code for a in own}
            headings = {a.code: a.pk for a in own if a.is_header}
            for code, name, type_, normal, role, heading in NEW_ACCOUNTS[_kind(book)]:
                if role in roles:
                    continue
                code = _free_code(code, heading, taken)
                taken.add(code)
                new.append(
                    Account(
                        book_id=book.pk,
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
    dependencies = [("finance", "0004_loans_meetings_surplus")]

    operations = [migrations.RunPython(add_accounts, migrations.RunPython.noop)]
