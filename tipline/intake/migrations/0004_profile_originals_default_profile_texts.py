"""The profile's keep_originals becomes the default of the reporter's own choice
(issue 11, point 4); a rename keeps each profile's setting. Public texts that
differ between profiles move into the profile (point 9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_profile_acknowledge_days_profile_feedback_days"),
    ]

    operations = [
        migrations.RenameField(
            model_name="profile",
            old_name="keep_originals",
            new_name="originals_default",
        ),
        migrations.AddField(
            model_name="profile",
            name="texts",
            field=models.JSONField(default=dict),
        ),
    ]
