from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("attest", "0004_attestation_immutable")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="signed_locale",
            field=models.CharField(
                blank=True,
                help_text="The attestation's language, copied so reports need not read attestations.",
                max_length=8,
            ),
        ),
        migrations.RunSQL(
            "UPDATE attest_assignment SET signed_locale = (SELECT locale_code FROM attest_attestation "
            "WHERE attest_attestation.id = attest_assignment.attestation_id) WHERE attestation_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
