from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("training", "0006_copy_released_text")]

    operations = [
        migrations.AlterField(
            model_name="policyversionchapter",
            name="content",
            field=models.JSONField(help_text="The released text and quiz, as employees read and answer it."),
        ),
        migrations.AlterField(
            model_name="policyversionchapter",
            name="text_sha256",
            field=models.CharField(
                max_length=64,
                help_text="Canonical hash (block ids left out) of the frozen copy: compares text across versions, whatever their hashing scheme.",
            ),
        ),
    ]
