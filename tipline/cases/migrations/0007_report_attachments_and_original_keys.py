# Issue 13 moved Report, Attachment and OriginalKey here from the intake app: cases
# owns everything stored about a report. Their tables keep the names they had
# (intake_report, intake_attachment, intake_originalkey) and their rows stay where
# they are: this migration changes Django's record of which app owns them, and
# nothing in the database.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_priority_without_clear_keywords"),
        ("intake", "0006_coarse_attachment_times"),
        ("profiles", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Report',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('received_at', models.DateTimeField()),
                        ('answers_encrypted', models.BinaryField()),
                        ('receipt_lookup', models.CharField(max_length=64, unique=True)),
                        ('reporter_key', models.BinaryField()),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='profiles.category')),
                    ],
                    options={
                        'db_table': 'intake_report',
                    },
                ),
                migrations.CreateModel(
                    name='Attachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('blob_name', models.CharField(max_length=100, unique=True)),
                        ('key_salt', models.BinaryField()),
                        ('details_encrypted', models.BinaryField()),
                        ('original_blob_name', models.CharField(blank=True, max_length=100)),
                        ('original_escrow_key', models.BinaryField(null=True)),
                        ('created_at', models.DateTimeField()),
                        ('message', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='cases.message')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='cases.report')),
                    ],
                    options={
                        'db_table': 'intake_attachment',
                        'ordering': ('id',),
                    },
                ),
                migrations.AlterField(
                    model_name='case',
                    name='report',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='case', to='cases.report'),
                ),
                migrations.CreateModel(
                    name='OriginalKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sealed_key', models.BinaryField()),
                        ('attachment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='original_keys', to='cases.attachment')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'intake_originalkey',
                        'constraints': [models.UniqueConstraint(fields=('attachment', 'user'), name='original_key_unique')],
                    },
                ),
            ],
        ),
    ]
