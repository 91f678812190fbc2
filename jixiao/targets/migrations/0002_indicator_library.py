from django.db import migrations


def seed(apps, schema_editor):
    from jixiao.targets.library_seed import LIBRARY

    Item = apps.get_model("targets", "IndicatorLibraryItem")
    Sector = apps.get_model("organisation", "Sector")
    sectors = {s.name: s for s in Sector.objects.all()}
    for sector, level1, level2, name, comparison, value, unit, explanation in LIBRARY:
        Item.objects.get_or_create(
            sector=sectors.get(sector), name=name,
            defaults={"level1": level1, "level2": level2, "comparison": comparison, "reference_value": value,
                      "unit": unit, "explanation": explanation},
        )


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("organisation", "0002_dictionaries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
