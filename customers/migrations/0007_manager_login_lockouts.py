from django.db import migrations

from luckygas.roles import MANAGER, grant_model_permissions


def grant(apps, schema_editor):
    """Managers see who failed to log in, and lift a lockout by deleting it."""
    grant_model_permissions(
        apps, MANAGER, "axes", ["accessattempt", "accesslog", "accessfailurelog"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_customer_search_text"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
