"""Database triggers: nobody, the application included, can update the security log, and rows
younger than the legal retention (180 days, 网络安全法 Art. 21) cannot be deleted."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER securityevent_no_update BEFORE UPDATE ON audit_securityevent
       BEGIN SELECT RAISE(ABORT, 'security log is append-only'); END;""",
    """CREATE TRIGGER securityevent_no_delete BEFORE DELETE ON audit_securityevent
       WHEN OLD.at > datetime('now', '-180 days')
       BEGIN SELECT RAISE(ABORT, 'security log rows are kept at least 180 days'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER securityevent_no_update;", "DROP TRIGGER securityevent_no_delete;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION securityevent_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'security log is append-only'; END IF;
         IF OLD.at > now() - interval '180 days' THEN
           RAISE EXCEPTION 'security log rows are kept at least 180 days';
         END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER securityevent_guard BEFORE UPDATE OR DELETE ON audit_securityevent
       FOR EACH ROW EXECUTE FUNCTION securityevent_guard();""",
    "CREATE TRIGGER securityevent_no_truncate BEFORE TRUNCATE ON audit_securityevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION securityevent_guard();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS securityevent_no_truncate ON audit_securityevent;",
    "DROP TRIGGER IF EXISTS securityevent_guard ON audit_securityevent;",
    "DROP FUNCTION IF EXISTS securityevent_guard();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
