from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from qinglang.cases.categories import ensure_categories

    ensure_categories(apps.get_model("cases", "HarmCategory"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
