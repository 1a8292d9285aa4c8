"""On PostgreSQL, a decline is evidence: the database refuses to delete one, to change what was
declined (who, when, what was shown, the reason, the chapter and the words), and to change a
response once written. Only the response fields may go, once, from empty to written."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION attest_guard_decline() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'declines are kept: DELETE refused on decline %', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.assignment_id, NEW.employee_id, NEW.user_id, NEW.version_id, NEW.locale_code,
        NEW.content_sha256, NEW.declined_at, NEW.reason, NEW.chapter_id, NEW.text)
       IS DISTINCT FROM
       (OLD.id, OLD.assignment_id, OLD.employee_id, OLD.user_id, OLD.version_id, OLD.locale_code,
        OLD.content_sha256, OLD.declined_at, OLD.reason, OLD.chapter_id, OLD.text) THEN
        RAISE EXCEPTION 'a decline is never edited: UPDATE refused on decline %', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.responded_at IS NOT NULL AND NEW IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'a response is written once: UPDATE refused on decline %', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER attest_decline_evidence
    BEFORE UPDATE OR DELETE ON attest_decline
    FOR EACH ROW EXECUTE FUNCTION attest_guard_decline();
"""
DROP = """
DROP TRIGGER IF EXISTS attest_decline_evidence ON attest_decline;
DROP FUNCTION IF EXISTS attest_guard_decline();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("attest", "0015_decline_record")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
