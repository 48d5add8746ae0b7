"""PostgreSQL guards that hold whatever writes to the tables, ORM or not:

- posted entries and their lines can be neither updated nor deleted (a trigger);
- every entry has at least two lines and balances, checked at commit (deferred triggers);
- a line's account belongs to the line's book, and the line's book and date are its entry's
  (composite foreign keys).

SQLite, the embedded development database, relies on the services and `verify_books`.
TRUNCATE (used by test flushes) is deliberately not blocked.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION finance_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posted journal entries are immutable: post a reversal instead'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER finance_entry_immutable BEFORE UPDATE OR DELETE ON finance_journalentry
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_change();
CREATE TRIGGER finance_line_immutable BEFORE UPDATE OR DELETE ON finance_journalline
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_change();

CREATE FUNCTION finance_check_balanced(entry bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lines integer;
    difference numeric;
BEGIN
    SELECT count(*), coalesce(sum(debit - credit), 0) INTO lines, difference
        FROM finance_journalline WHERE entry_id = entry;
    IF lines < 2 OR difference <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% lines, difference %)',
            entry, lines, difference USING ERRCODE = 'integrity_constraint_violation';
    END IF;
END $$;

CREATE FUNCTION finance_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM finance_check_balanced(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION finance_line_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM finance_check_balanced(NEW.entry_id);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER finance_entry_balanced AFTER INSERT ON finance_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION finance_entry_balanced();
CREATE CONSTRAINT TRIGGER finance_line_balanced AFTER INSERT ON finance_journalline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION finance_line_balanced();

ALTER TABLE finance_journalline ADD CONSTRAINT finance_line_account_in_book
    FOREIGN KEY (account_id, book_id) REFERENCES finance_account (id, book_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE finance_journalline ADD CONSTRAINT finance_line_matches_entry
    FOREIGN KEY (entry_id, book_id, entry_date)
    REFERENCES finance_journalentry (id, book_id, entry_date) DEFERRABLE INITIALLY DEFERRED;
"""

BACKWARD = r"""
ALTER TABLE finance_journalline DROP CONSTRAINT finance_line_matches_entry;
ALTER TABLE finance_journalline DROP CONSTRAINT finance_line_account_in_book;
DROP TRIGGER finance_line_balanced ON finance_journalline;
DROP TRIGGER finance_entry_balanced ON finance_journalentry;
DROP FUNCTION finance_line_balanced();
DROP FUNCTION finance_entry_balanced();
DROP FUNCTION finance_check_balanced(bigint);
DROP TRIGGER finance_line_immutable ON finance_journalline;
DROP TRIGGER finance_entry_immutable ON finance_journalentry;
DROP FUNCTION finance_refuse_change();
"""


def _run(schema_editor, sql):
    # A plain cursor: the % of RAISE messages must not be read as query parameters.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
