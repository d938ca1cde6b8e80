# Issue 13: triage is a leaf below cases, so its fingerprint rows name a case by its
# id instead of a foreign key to cases.Case. The column (case_id), its values, its
# index and uniqueness stay; only the foreign-key constraint goes. The retention
# purge deletes the rows with their case (tipline.triage.duplicates.forget).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0003_priority_rules"),
        ("cases", "0006_priority_without_clear_keywords"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="textfingerprint",
                    name="case",
                    field=models.BigIntegerField(db_column="case_id", unique=True),
                ),
                migrations.AlterField(
                    model_name="fingerprintband",
                    name="case",
                    field=models.BigIntegerField(db_column="case_id", db_index=True),
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(
                    model_name="fingerprintband", name="triage_fing_value_7a9d76_idx"
                ),
                migrations.RemoveField(model_name="textfingerprint", name="case"),
                migrations.AddField(
                    model_name="textfingerprint",
                    name="case_id",
                    field=models.BigIntegerField(unique=True),
                ),
                migrations.RemoveField(model_name="fingerprintband", name="case"),
                migrations.AddField(
                    model_name="fingerprintband",
                    name="case_id",
                    field=models.BigIntegerField(db_index=True),
                ),
                migrations.AddIndex(
                    model_name="fingerprintband",
                    index=models.Index(
                        fields=["value", "case_id"], name="triage_fing_value_7a9d76_idx"
                    ),
                ),
            ],
        ),
    ]
