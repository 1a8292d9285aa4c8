"""On PostgreSQL, the database itself refuses to change or delete a signed attestation."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION attest_refuse_attestation_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'attestations are immutable: % refused on attestation %', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER attest_attestation_immutable
    BEFORE UPDATE OR DELETE ON attest_attestation
    FOR EACH ROW EXECUTE FUNCTION attest_refuse_attestation_change();
"""
DROP = """
DROP TRIGGER IF EXISTS attest_attestation_immutable ON attest_attestation;
DROP FUNCTION IF EXISTS attest_refuse_attestation_change();
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
    dependencies = [("attest", "0003_attestation_chain_head")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
