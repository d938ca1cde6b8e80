# Issue 13 moved Profile and Category here from the intake app. Their tables keep
# the names they had (intake_profile, intake_category) and their rows stay where
# they are: this migration changes Django's record of which app owns them, and
# nothing in the database.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("intake", "0006_coarse_attachment_times"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Profile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(unique=True)),
                        ('name', models.JSONField()),
                        ('intro', models.JSONField()),
                        ('not_suspicious', models.JSONField(default=list)),
                        ('originals_default', models.BooleanField(default=False)),
                        ('texts', models.JSONField(default=dict)),
                        ('acknowledge_days', models.PositiveSmallIntegerField(default=7)),
                        ('feedback_days', models.PositiveSmallIntegerField(default=90)),
                        ('followup_shows_report', models.BooleanField(default=True)),
                        ('active', models.BooleanField(default=False)),
                    ],
                    options={
                        'db_table': 'intake_profile',
                    },
                ),
                migrations.CreateModel(
                    name='Category',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(max_length=40)),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('title', models.JSONField()),
                        ('description', models.JSONField()),
                        ('examples', models.JSONField(default=dict)),
                        ('fields', models.JSONField()),
                        ('active', models.BooleanField(default=True)),
                        ('profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='profiles.profile')),
                    ],
                    options={
                        'verbose_name_plural': 'categories',
                        'db_table': 'intake_category',
                        'ordering': ('position',),
                        'constraints': [models.UniqueConstraint(fields=('profile', 'slug'), name='category_slug_unique')],
                    },
                ),
            ],
        ),
    ]
