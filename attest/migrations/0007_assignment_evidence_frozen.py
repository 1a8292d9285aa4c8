"""On PostgreSQL, a completed or exempt assignment is evidence every report counts: the database
refuses to change or delete it, and completes an assignment only with an attestation of the same
employee and version signed at the completion time. Open assignments still change freely (sync
moves, cancels and starts them). ``verify_attestations`` cross-checks the same rules, which also
catches a change made with the trigger bypassed."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION attest_guard_assignment() RETURNS trigger AS $$
BEGIN
    IF OLD.completed_at IS NOT NULL OR OLD.exempted_at IS NOT NULL THEN
        IF TG_OP = 'DELETE' OR NEW IS DISTINCT FROM OLD THEN
            RAISE EXCEPTION 'completed and exempt assignments are evidence: % refused on assignment %', TG_OP, OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.completed_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM attest_attestation a
        WHERE a.id = NEW.attestation_id AND a.employee_id = NEW.employee_id
          AND a.version_id = NEW.version_id AND a.signed_at = NEW.completed_at
    ) THEN
        RAISE EXCEPTION 'an assignment is completed only by its attestation: refused on assignment %', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER attest_assignment_evidence
    BEFORE UPDATE OR DELETE ON attest_assignment
    FOR EACH ROW EXECUTE FUNCTION attest_guard_assignment();
"""
DROP = """
DROP TRIGGER IF EXISTS attest_assignment_evidence ON attest_assignment;
DROP FUNCTION IF EXISTS attest_guard_assignment();
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
    dependencies = [("attest", "0006_employee_managers_path")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
