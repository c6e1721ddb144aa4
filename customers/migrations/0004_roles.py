from django.db import migrations

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
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    for name in (OFFICE, MANAGER, DRIVER):
        Group.objects.get_or_create(name=name)

    manager = Group.objects.get(name=MANAGER)
    for app_label, models in PERMISSIONS[MANAGER].items():
        for model in models:
            content_type, _ = ContentType.objects.get_or_create(
                app_label=app_label, model=model
            )
            for action in ("view", "add", "change", "delete"):
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                manager.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_areas"),
        ("deliveries", "0003_products"),
        ("routing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
