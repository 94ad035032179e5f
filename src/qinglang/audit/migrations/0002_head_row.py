from django.db import migrations

from qinglang.audit.models import GENESIS_HASH


def create_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The head row exists before the first writer arrives, so writers only ever lock it.
    apps.get_model("audit", "AuditHead").objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
