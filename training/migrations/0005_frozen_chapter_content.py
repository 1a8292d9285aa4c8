from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("training", "0004_version_lagging_languages")]

    operations = [
        # Versions released so far were hashed with the legacy formula: they get scheme 1.
        migrations.AddField(
            model_name="policyversion",
            name="hash_scheme",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "legacy (with block ids)"), (2, "canonical")], default=1, verbose_name="hashing scheme"
            ),
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="hash_scheme",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "legacy (with block ids)"), (2, "canonical")], default=2, verbose_name="hashing scheme"
            ),
        ),
        migrations.AddField(
            model_name="policyversionchapter",
            name="content",
            field=models.JSONField(null=True, help_text="The released text and quiz, as employees read and answer it."),
        ),
        migrations.AddField(
            model_name="policyversionchapter",
            name="text_sha256",
            field=models.CharField(
                max_length=64,
                null=True,
                help_text="Canonical hash (block ids left out) of the frozen copy: compares text across versions, whatever their hashing scheme.",
            ),
        ),
    ]
