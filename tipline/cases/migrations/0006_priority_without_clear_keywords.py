"""Issue 12, point 6: no clear column tells which keywords a report contains.

The exact keyword points and the per-rule reasons were stored in clear. A
migration holds no staff key, so it cannot encrypt them under a case's data key;
it does not need to: the words that matched are already encrypted with the case
(``keyword_hits_encrypted``), and the case page works the exact points out from
them for staff holding the key. What stays in clear is the keyword sum rounded
towards zero to a power of two, and the sort value recomputed with it.
"""

from django.db import migrations, models


def _coarse(points):
    if points == 0:
        return 0
    magnitude = 1 << (abs(points).bit_length() - 1)
    return magnitude if points > 0 else -magnitude


def round_keyword_points(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.only("id", "priority", "keyword_points").iterator(
        chunk_size=1000
    ):
        case.keyword_floor = _coarse(case.keyword_points)
        case.priority = case.priority - case.keyword_points + case.keyword_floor
        changed.append(case)
        if len(changed) == 1000:
            Case.objects.bulk_update(changed, ["keyword_floor", "priority"])
            changed = []
    Case.objects.bulk_update(changed, ["keyword_floor", "priority"])


def restore_rounded_points(apps, schema_editor):
    # The exact points are gone from clear; going back keeps the rounded ones.
    Case = apps.get_model("cases", "Case")
    Case.objects.update(keyword_points=models.F("keyword_floor"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_message_order_written"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="keyword_floor",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(round_keyword_points, restore_rounded_points),
        migrations.RemoveField(model_name="case", name="keyword_points"),
        migrations.RemoveField(model_name="case", name="priority_reasons"),
    ]
