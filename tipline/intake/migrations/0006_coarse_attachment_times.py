"""Round the times of existing uploads down to the hour (issue 11, point 2).

Uploads used to be stamped with the exact moment, in their rows and in the stored
files' modification times; both now carry only the hour, like the report itself.
"""

import contextlib

from django.db import migrations

from tipline.lib import storage
from tipline.lib.clock import coarse


def coarsen(apps, schema_editor):
    Attachment = apps.get_model("intake", "Attachment")
    for row in Attachment.objects.using(schema_editor.connection.alias).iterator():
        row.created_at = coarse(row.created_at)
        row.save(update_fields=["created_at"])
        for name in filter(None, (row.blob_name, row.original_blob_name)):
            # A file already gone (purged, or a file store restored apart) is skipped.
            with contextlib.suppress(FileNotFoundError):
                storage.set_file_times(name, row.created_at)


class Migration(migrations.Migration):
    dependencies = [("intake", "0005_browser_handles")]

    operations = [migrations.RunPython(coarsen, migrations.RunPython.noop)]
