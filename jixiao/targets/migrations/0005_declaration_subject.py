"""``TargetDeclaration.subject``: the project's name (the unit's for a department declaration),
kept by database triggers on every insert or re-pointing of a declaration and on every rename of
a project or unit (bulk writes and COPY included), so the list sorts by name through an index."""

from django.db import migrations, models

from jixiao.core.triggers import vendor_triggers

SUBJECT = ("COALESCE((SELECT name FROM organisation_project WHERE id = {row}.project_id), "
           "(SELECT name FROM organisation_budgetunit WHERE id = {row}.unit_id), '')")
FILL = f"UPDATE targets_targetdeclaration SET subject = {SUBJECT.format(row='targets_targetdeclaration')}"

SQLITE = [
    f"""CREATE TRIGGER targetdeclaration_subject_insert AFTER INSERT ON targets_targetdeclaration
        BEGIN UPDATE targets_targetdeclaration SET subject = {SUBJECT.format(row='NEW')} WHERE id = NEW.id; END;""",
    f"""CREATE TRIGGER targetdeclaration_subject_update AFTER UPDATE OF project_id, unit_id, subject
        ON targets_targetdeclaration WHEN NEW.subject IS NOT {SUBJECT.format(row='NEW')}
        BEGIN UPDATE targets_targetdeclaration SET subject = {SUBJECT.format(row='NEW')} WHERE id = NEW.id; END;""",
    """CREATE TRIGGER project_subject AFTER UPDATE OF name ON organisation_project WHEN OLD.name IS NOT NEW.name
        BEGIN UPDATE targets_targetdeclaration SET subject = NEW.name WHERE project_id = NEW.id; END;""",
    """CREATE TRIGGER budgetunit_subject AFTER UPDATE OF name ON organisation_budgetunit WHEN OLD.name IS NOT NEW.name
        BEGIN UPDATE targets_targetdeclaration SET subject = NEW.name WHERE unit_id = NEW.id AND project_id IS NULL;
        END;""",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {name};" for name in (
    "targetdeclaration_subject_insert", "targetdeclaration_subject_update", "project_subject", "budgetunit_subject")]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION targetdeclaration_subject() RETURNS trigger AS $$
        BEGIN NEW.subject := {SUBJECT.format(row='NEW')}; RETURN NEW; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER targetdeclaration_subject BEFORE INSERT OR UPDATE OF project_id, unit_id, subject
        ON targets_targetdeclaration FOR EACH ROW EXECUTE FUNCTION targetdeclaration_subject();""",
    """CREATE OR REPLACE FUNCTION project_subject() RETURNS trigger AS $$
        BEGIN UPDATE targets_targetdeclaration SET subject = NEW.name WHERE project_id = NEW.id; RETURN NULL; END;
        $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER project_subject AFTER UPDATE OF name ON organisation_project FOR EACH ROW
        WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION project_subject();""",
    """CREATE OR REPLACE FUNCTION budgetunit_subject() RETURNS trigger AS $$
        BEGIN UPDATE targets_targetdeclaration SET subject = NEW.name WHERE unit_id = NEW.id AND project_id IS NULL;
        RETURN NULL; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER budgetunit_subject AFTER UPDATE OF name ON organisation_budgetunit FOR EACH ROW
        WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION budgetunit_subject();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS targetdeclaration_subject ON targets_targetdeclaration;",
    "DROP TRIGGER IF EXISTS project_subject ON organisation_project;",
    "DROP TRIGGER IF EXISTS budgetunit_subject ON organisation_budgetunit;",
    "DROP FUNCTION IF EXISTS targetdeclaration_subject();",
    "DROP FUNCTION IF EXISTS project_subject();",
    "DROP FUNCTION IF EXISTS budgetunit_subject();",
]


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0010_job_token'),
        ('targets', '0004_targetdeclaration_target_listed_year_unit'),
    ]

    operations = [
        migrations.AddField(
            model_name='targetdeclaration',
            name='subject',
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name='项目/单位名称'),
        ),
        vendor_triggers({"sqlite": SQLITE, "postgresql": POSTGRES},
                        {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}, fill=FILL),
        migrations.AddIndex(
            model_name='targetdeclaration',
            index=models.Index(condition=models.Q(('is_current', True), models.Q(('state__in', ('draft', 'submitted', 'dept_approved', 'returned')), ('supersedes__isnull', False)), _connector='OR'), fields=['year', 'subject', 'id'], name='target_listed_year_subject'),
        ),
    ]
