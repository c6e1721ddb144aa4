from django.db import migrations

AREAS = [
    ("A", "瑞光", "south"),
    ("B", "四維", "south"),
    ("Y", "富岡", "south"),
    ("M", "商校商圈", "south"),
    ("C", "漢中", "north"),
    ("D", "東方大鎮", "north"),
    ("E", "力國", "north"),
    ("F", "成功線", "outer"),
    ("G", "都蘭線", "outer"),
    ("H", "鹿野線", "outer"),
    ("I", "池上線", "outer"),
    ("J", "知本線", "outer"),
    ("K", "東大線", "outer"),
    ("L", "大武線", "outer"),
]


def create_areas(apps, schema_editor):
    Area = apps.get_model("customers", "Area")
    for code, name, group in AREAS:
        Area.objects.update_or_create(
            code=code, defaults={"name": name, "group": group}
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]

    operations = [migrations.RunPython(create_areas, migrations.RunPython.noop)]
