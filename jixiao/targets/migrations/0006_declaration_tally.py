"""``DeclarationTally``: the number of declarations per (year, kind, state, sector, grade, listed),
kept by database triggers on every insert, delete and change of those fields — the ORM, bulk
writes and COPY alike — so the declaration list's total is a sum over a few hundred lines.

On PostgreSQL a change touches its two lines (the old key's, the new key's) in key order, so two
transactions changing declarations one at a time never wait on each other's lines crosswise."""

from django.db import migrations, models

from jixiao.core.triggers import vendor_triggers

KEY = "year, kind, state, sector_id, review_grade, listed"
LISTED = ("({row}.is_current OR ({row}.supersedes_id IS NOT NULL "
          "AND {row}.state IN ('draft', 'submitted', 'dept_approved', 'returned')))")


def values(row: str) -> str:
    return f"{row}.year, {row}.kind, {row}.state, {row}.sector_id, {row}.review_grade, {LISTED.format(row=row)}"


FILL = (f"INSERT INTO targets_declarationtally ({KEY}, declarations) "
        f"SELECT year, kind, state, sector_id, review_grade, {LISTED.format(row='d')}, count(*) "
        f"FROM targets_targetdeclaration d GROUP BY year, kind, state, sector_id, review_grade, "
        f"{LISTED.format(row='d')}")
WATCHED = "year, kind, state, sector_id, review_grade, is_current, supersedes_id"


def sqlite_add(row: str, delta: int) -> str:
    return (f"INSERT INTO targets_declarationtally ({KEY}, declarations) VALUES ({values(row)}, {delta}) "
            f"ON CONFLICT ({KEY}) DO UPDATE SET declarations = declarations + ({delta});")


SQLITE = [
    f"""CREATE TRIGGER targetdeclaration_tally_insert AFTER INSERT ON targets_targetdeclaration
        BEGIN {sqlite_add('NEW', 1)} END;""",
    f"""CREATE TRIGGER targetdeclaration_tally_delete AFTER DELETE ON targets_targetdeclaration
        BEGIN {sqlite_add('OLD', -1)} END;""",
    f"""CREATE TRIGGER targetdeclaration_tally_update AFTER UPDATE OF {WATCHED} ON targets_targetdeclaration
        WHEN ({values('OLD')}) IS NOT ({values('NEW')})
        BEGIN {sqlite_add('OLD', -1)} {sqlite_add('NEW', 1)} END;""",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS targetdeclaration_tally_{op};" for op in ("insert", "delete", "update")]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION declaration_tally_add(y integer, k text, s text, sec bigint, g text, l boolean,
            delta integer) RETURNS void AS $$
        INSERT INTO targets_declarationtally ({KEY}, declarations) VALUES (y, k, s, sec, g, l, delta)
        ON CONFLICT ({KEY}) DO UPDATE SET declarations = targets_declarationtally.declarations + EXCLUDED.declarations;
        $$ LANGUAGE sql;""",
    f"""CREATE OR REPLACE FUNCTION targetdeclaration_tally() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            PERFORM declaration_tally_add({values('NEW')}, 1);
          ELSIF TG_OP = 'DELETE' THEN
            PERFORM declaration_tally_add({values('OLD')}, -1);
          ELSIF ROW({values('OLD')}) IS DISTINCT FROM ROW({values('NEW')}) THEN
            IF ROW({values('OLD')}) < ROW({values('NEW')}) THEN
              PERFORM declaration_tally_add({values('OLD')}, -1);
              PERFORM declaration_tally_add({values('NEW')}, 1);
            ELSE
              PERFORM declaration_tally_add({values('NEW')}, 1);
              PERFORM declaration_tally_add({values('OLD')}, -1);
            END IF;
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER targetdeclaration_tally_change AFTER INSERT OR DELETE ON targets_targetdeclaration
        FOR EACH ROW EXECUTE FUNCTION targetdeclaration_tally();""",
    f"""CREATE TRIGGER targetdeclaration_tally_update AFTER UPDATE OF {WATCHED} ON targets_targetdeclaration
        FOR EACH ROW EXECUTE FUNCTION targetdeclaration_tally();""",
    # Django's flush between transactional tests empties the declarations by TRUNCATE (no row triggers)
    """CREATE OR REPLACE FUNCTION targetdeclaration_tally_truncate() RETURNS trigger AS $$
        BEGIN DELETE FROM targets_declarationtally; RETURN NULL; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER targetdeclaration_tally_truncate AFTER TRUNCATE ON targets_targetdeclaration
        FOR EACH STATEMENT EXECUTE FUNCTION targetdeclaration_tally_truncate();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS targetdeclaration_tally_change ON targets_targetdeclaration;",
    "DROP TRIGGER IF EXISTS targetdeclaration_tally_update ON targets_targetdeclaration;",
    "DROP TRIGGER IF EXISTS targetdeclaration_tally_truncate ON targets_targetdeclaration;",
    "DROP FUNCTION IF EXISTS targetdeclaration_tally();",
    "DROP FUNCTION IF EXISTS targetdeclaration_tally_truncate();",
    "DROP FUNCTION IF EXISTS declaration_tally_add(integer, text, text, bigint, text, boolean, integer);",
]


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0005_declaration_subject'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeclarationTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='预算年度')),
                ('kind', models.CharField(max_length=12, verbose_name='申报类型')),
                ('state', models.CharField(max_length=30, verbose_name='状态')),
                ('sector_id', models.PositiveIntegerField(verbose_name='行业')),
                ('review_grade', models.CharField(blank=True, max_length=2, verbose_name='审核等级')),
                ('listed', models.BooleanField(verbose_name='列表默认显示')),
                ('declarations', models.IntegerField(default=0, verbose_name='申报表数')),
            ],
            options={
                'verbose_name': '申报表计数',
                'verbose_name_plural': '申报表计数',
                'constraints': [models.UniqueConstraint(fields=('year', 'kind', 'state', 'sector_id', 'review_grade', 'listed'), name='declaration_tally_key')],
            },
        ),
        vendor_triggers({"sqlite": SQLITE, "postgresql": POSTGRES},
                        {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}, fill=FILL),
    ]
