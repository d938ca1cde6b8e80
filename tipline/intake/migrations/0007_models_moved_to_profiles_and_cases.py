# Issue 13: Profile and Category now belong to the profiles app, Report, Attachment
# and OriginalKey to cases (their migrations 0001 and 0007). The tables stay, with
# their data: this migration only removes intake's record of the models, and moves
# their content types (so any permission or generic relation follows them).
from django.db import migrations

MOVED = {
    "profile": "profiles",
    "category": "profiles",
    "report": "cases",
    "attachment": "cases",
    "originalkey": "cases",
}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model, app_label in MOVED.items():
        if ContentType.objects.using(db).filter(app_label=app_label, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label="intake", model=model).update(
            app_label=app_label
        )


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model, app_label in MOVED.items():
        if ContentType.objects.using(db).filter(app_label="intake", model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=app_label, model=model).update(
            app_label="intake"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_report_attachments_and_original_keys"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0006_coarse_attachment_times"),
        ("triage", "0005_rules_name_profiles_category"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='originalkey',
                    name='attachment',
                ),
                migrations.RemoveField(
                    model_name='category',
                    name='profile',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='originalkey',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Attachment',
                ),
                migrations.DeleteModel(
                    name='Profile',
                ),
                migrations.DeleteModel(
                    name='Category',
                ),
                migrations.DeleteModel(
                    name='Report',
                ),
                migrations.DeleteModel(
                    name='OriginalKey',
                ),
            ],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
