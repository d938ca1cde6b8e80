# Issue 13: the category model moved to the profiles app with its table; the
# rules' foreign keys point at the same table as before, so only Django's record
# of the target changes.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0001_initial"),
        ("triage", "0004_fingerprints_by_case_id"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='priorityrule',
                    name='category',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='profiles.category'),
                ),
                migrations.AlterField(
                    model_name='routingrule',
                    name='category',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='route', to='profiles.category'),
                ),
            ],
        ),
    ]
