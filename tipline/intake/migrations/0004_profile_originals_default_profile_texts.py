"""The profile's keep_originals becomes the default of the reporter's own choice
(issue 11, point 4); a rename keeps each profile's setting. Public texts that
differ between profiles move into the profile (point 9)."""

import tomllib
from pathlib import Path

from django.db import migrations, models

# The shipped profile files (tipline/profiles/data since issue 13 moved them).
PROFILE_DIR = Path(__file__).resolve().parents[2] / "profiles" / "data"


def shipped_texts(apps, schema_editor):
    """Give profiles loaded before this change the texts of their shipped file, so
    an upgraded instance speaks its profile's words without reloading it."""
    Profile = apps.get_model("intake", "Profile")
    for profile in Profile.objects.all():
        path = PROFILE_DIR / f"{profile.slug}.toml"
        if not path.is_file():
            continue
        texts = tomllib.loads(path.read_text(encoding="utf-8")).get("texts", {})
        Profile.objects.filter(pk=profile.pk).update(texts=texts)


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
        migrations.RunPython(shipped_texts, migrations.RunPython.noop),
    ]
