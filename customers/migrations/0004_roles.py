from django.db import migrations

from luckygas.roles import grant_model_permissions

OFFICE, MANAGER, DRIVER = "辦公室", "經理", "司機"

# What each role may do in the admin, by app label and model.
PERMISSIONS = {
    MANAGER: {
        "customers": ["area", "customer", "customercylinder"],
        "deliveries": [
            "product",
            "order",
            "orderitem",
            "delivery",
            "deliveryitem",
            "deliveryhistory",
            "deliveryhistoryitem",
        ],
        "routing": ["driver", "vehicle", "route", "routestop"],
    },
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in (OFFICE, MANAGER, DRIVER):
        Group.objects.get_or_create(name=name)
    for app_label, models in PERMISSIONS[MANAGER].items():
        grant_model_permissions(apps, MANAGER, app_label, models)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_areas"),
        ("deliveries", "0003_products"),
        ("routing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
