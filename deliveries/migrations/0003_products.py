from django.db import migrations

# (code, name, client-list column, kg, metered, counted on the dispatch sheet)
PRODUCTS = [
    ("std50", "50公斤", "50KG", 50, False, True),
    ("com20", "營20", "營20", 20, False, True),
    ("com16", "營16", "營16", 16, False, True),
    ("std20", "20公斤", "20KG", 20, False, True),
    ("std16", "16公斤", "16KG", 16, False, True),
    ("std10", "10公斤", "10KG", 10, False, False),
    ("std4", "4公斤", "4KG", 4, False, False),
    ("lucky16", "好運16", "好運16", 16, False, True),
    ("safe10", "瓶安桶10", "瓶安桶10", 10, False, False),
    ("happy4", "幸福丸", "幸福丸", 4, False, False),
    ("lucky20", "好運20", "好運20", 20, False, True),
    ("flow50", "流量50", "流量50公斤", 50, True, True),
    ("flow20", "流量20", "流量20公斤", 20, True, True),
    ("flow16", "流量16", "流量16公斤", 16, True, True),
    ("flowlucky20", "流量好運20", "流量好運20公斤", 20, True, True),
    ("flowlucky16", "流量好運16", "流量好運16公斤", 16, True, True),
]


def create_products(apps, schema_editor):
    Product = apps.get_model("deliveries", "Product")
    for order, (code, name, column, kg, is_flow, counted) in enumerate(PRODUCTS):
        Product.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "sheet_column": column,
                "kg": kg,
                "is_flow": is_flow,
                "counts_in_cylinder_total": counted,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("deliveries", "0002_initial")]

    operations = [migrations.RunPython(create_products, migrations.RunPython.noop)]
