"""On PostgreSQL, the database itself refuses to change or delete a released version (its row,
its languages, its frozen chapters) and to rewrite a CMS revision that a version released."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION training_refuse_version_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'released versions are immutable: % refused on % row %', TG_OP, TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER training_policyversion_immutable
    BEFORE UPDATE OR DELETE ON training_policyversion
    FOR EACH ROW EXECUTE FUNCTION training_refuse_version_change();
CREATE TRIGGER training_policyversionlocale_immutable
    BEFORE UPDATE OR DELETE ON training_policyversionlocale
    FOR EACH ROW EXECUTE FUNCTION training_refuse_version_change();
CREATE TRIGGER training_policyversionchapter_immutable
    BEFORE UPDATE OR DELETE ON training_policyversionchapter
    FOR EACH ROW EXECUTE FUNCTION training_refuse_version_change();

CREATE OR REPLACE FUNCTION training_refuse_released_revision_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM training_policyversionchapter WHERE revision_id = OLD.id) AND (
        TG_OP = 'DELETE'
        OR NEW.content IS DISTINCT FROM OLD.content
        OR NEW.object_str IS DISTINCT FROM OLD.object_str
        OR NEW.created_at IS DISTINCT FROM OLD.created_at
        OR NEW.user_id IS DISTINCT FROM OLD.user_id
        OR NEW.object_id IS DISTINCT FROM OLD.object_id
        OR NEW.content_type_id IS DISTINCT FROM OLD.content_type_id
        OR NEW.base_content_type_id IS DISTINCT FROM OLD.base_content_type_id
    ) THEN
        RAISE EXCEPTION 'revision % was released in a policy version: % refused', OLD.id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER training_released_revision_immutable
    BEFORE UPDATE OR DELETE ON wagtailcore_revision
    FOR EACH ROW EXECUTE FUNCTION training_refuse_released_revision_change();
"""
DROP = """
DROP TRIGGER IF EXISTS training_released_revision_immutable ON wagtailcore_revision;
DROP FUNCTION IF EXISTS training_refuse_released_revision_change();
DROP TRIGGER IF EXISTS training_policyversionchapter_immutable ON training_policyversionchapter;
DROP TRIGGER IF EXISTS training_policyversionlocale_immutable ON training_policyversionlocale;
DROP TRIGGER IF EXISTS training_policyversion_immutable ON training_policyversion;
DROP FUNCTION IF EXISTS training_refuse_version_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("training", "0007_frozen_content_required")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
