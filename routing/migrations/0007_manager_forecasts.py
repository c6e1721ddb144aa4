from django.db import migrations

from luckygas.roles import MANAGER, grant_model_permissions


def grant(apps, schema_editor):
    """Managers read the forecasts in the admin (which changes none)."""
    grant_model_permissions(apps, MANAGER, "routing", ["customerforecast"])


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0006_customer_forecast"),
        ("customers", "0004_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
