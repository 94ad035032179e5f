from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('monitor', '0006_event_merged_into'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='merge_record',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
