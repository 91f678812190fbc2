"""The keyed chain: a gap-free sequence number on every row and HMAC-SM3 row hashes.

Existing rows are re-chained once with the key from the environment (the triggers are lifted for
the duration of this migration only and put back at its end)."""

import importlib

from django.db import migrations, models

GUARD = importlib.import_module("jixiao.audit.migrations.0002_append_only_triggers")
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS securityevent_no_update;", "DROP TRIGGER IF EXISTS securityevent_no_delete;"],
    "postgresql": GUARD.POSTGRES_REVERSE,
}


def lift_triggers(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def rechain(apps, schema_editor):
    from jixiao.audit.chain import canonical_row, row_mac

    event = apps.get_model("audit", "SecurityEvent")
    fields = ("at", "event_type", "outcome", "username", "user_display", "role", "ip", "user_agent",
              "object_repr", "detail")
    prev = ""
    for seq, row in enumerate(event.objects.order_by("pk").values("pk", *fields).iterator(), start=1):
        row["seq"] = seq
        digest = row_mac(prev, canonical_row(row))
        event.objects.filter(pk=row["pk"]).update(seq=seq, prev_hash=prev, hash=digest)
        prev = digest


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        migrations.RunPython(lift_triggers, migrations.RunPython.noop),
        migrations.AddField("securityevent", "seq", models.PositiveBigIntegerField("序号", null=True, editable=False)),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField("securityevent", "seq",
                              models.PositiveBigIntegerField("序号", unique=True, editable=False)),
        migrations.AddIndex("securityevent", models.Index(fields=["ip", "event_type", "at"],
                                                          name="securityevent_ip_type_at")),
        migrations.AlterField("securityevent", "event_type", models.CharField(
            "事件类型", max_length=30, db_index=True, choices=[
                ("login", "登录成功"), ("login_failed", "登录失败"), ("lockout", "账号锁定"), ("unlock", "账号解锁"),
                ("logout", "退出登录"), ("session_timeout", "会话超时"), ("password_change", "修改密码"),
                ("password_reset", "重置密码"), ("user_create", "创建用户"), ("user_disable", "停用用户"),
                ("user_enable", "启用用户"), ("role_change", "变更角色或数据范围"), ("permission_denied", "拒绝访问"),
                ("export", "导出数据"), ("import", "导入数据"), ("settings_change", "修改参数"),
                ("user_edit", "修改用户信息"), ("record_refused", "拒绝访问记录"), ("otp_enrol", "绑定动态口令"),
                ("otp_reset", "重置动态口令"), ("otp_failed", "动态口令错误"), ("session_limit", "超出并发会话数"),
                ("backup", "备份")])),
        migrations.RunPython(GUARD.forwards, lift_triggers),
    ]
