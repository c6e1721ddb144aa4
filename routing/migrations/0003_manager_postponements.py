from django.db import migrations

from luckygas.roles import MANAGER, grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, MANAGER, "routing", ["postponement"])


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0002_postponement"),
        ("customers", "0004_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
