"""Books opened before the bank forms arrived get the accounts they post to: bank charges and
the tax the bank withholds on interest, as the starting charts now have them. A code a book
already uses for something else is not taken: the account goes to the next free code under
the same heading."""

from django.db import migrations

# role: (code, name, type, normal balance, heading code) per kind of book; kept here as they
# were when this migration was written (migrations do not import the live charts).
NEW_ACCOUNTS = {
    "ksm": [
        ("5.08", "Beban Administrasi Bank", "expense", "debit", "expense_bank_charges", "5"),
        ("5.09", "Beban Pajak Bunga Bank", "expense", "debit", "expense_tax", "5"),
    ],
    "bumdes": [
        ("5.08", "Beban Administrasi Bank", "expense", "debit", "expense_bank_charges", "5"),
        ("5.09", "Beban Pajak Bunga Bank", "expense", "debit", "expense_tax", "5"),
    ],
    "cooperative": [
        ("5.09", "Beban Administrasi Bank", "expense", "debit", "expense_bank_charges", "5"),
        ("5.10", "Beban Pajak Bunga Bank", "expense", "debit", "expense_tax", "5"),
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
    dependencies = [("finance", "0008_savings_rules")]

    operations = [migrations.RunPython(add_accounts, migrations.RunPython.noop)]
