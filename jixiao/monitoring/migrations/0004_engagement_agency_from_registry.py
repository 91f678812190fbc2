"""Focused-monitoring engagements name an agency of the registry (evaluation.Agency), not a typed name."""

import django.db.models.deletion
from django.db import migrations, models


def link_agencies(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Each typed name becomes its registry entry (registered on the way when it was missing)."""
    Agency = apps.get_model("evaluation", "Agency")
    Engagement = apps.get_model("monitoring", "Engagement")
    User = apps.get_model("accounts", "User")
    for engagement in Engagement.objects.all():
        name = engagement.agency_name.strip() or "未登记机构"
        agency = Agency.objects.filter(name=name).first()
        if agency is None:
            agency = Agency.objects.create(name=name)
            agency.members.add(*User.objects.filter(role="agency", agency_name=name))
        engagement.agency = agency
        engagement.save(update_fields=["agency"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_classified_access'),
        ('evaluation', '0001_initial'),
        ('monitoring', '0003_upload_as_file'),
    ]

    operations = [
        migrations.AddField(
            model_name='engagement',
            name='agency',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='monitoring_engagements', to='evaluation.agency', verbose_name='第三方机构'),
        ),
        migrations.AddField(
            model_name='historicalengagement',
            name='agency',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='evaluation.agency', verbose_name='第三方机构'),
        ),
        migrations.RunPython(link_agencies, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='engagement',
            name='agency',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monitoring_engagements', to='evaluation.agency', verbose_name='第三方机构'),
        ),
        migrations.RemoveField(
            model_name='engagement',
            name='agency_name',
        ),
        migrations.RemoveField(
            model_name='historicalengagement',
            name='agency_name',
        ),
    ]
