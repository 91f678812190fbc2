from django.db import migrations

SECTORS = [
    ("201", "一般公共服务", False), ("204", "公共安全", False), ("205", "教育", True),
    ("206", "科学技术", False), ("207", "文化旅游体育与传媒", False), ("208", "社会保障和就业", True),
    ("210", "卫生健康", True), ("211", "节能环保", False), ("212", "城乡社区", False),
    ("213", "农林水", True), ("214", "交通运输", True), ("221", "住房保障", False),
]
FUND_SOURCES = [
    ("01", "一般公共预算"), ("02", "政府性基金预算"), ("03", "国有资本经营预算"),
    ("04", "上级转移支付"), ("05", "财政专户管理资金"), ("09", "其他资金"),
]
POLICY_CATEGORIES = [
    ("epidemic", "防疫资金"), ("livelihood", "民生资金"), ("reward", "财政奖补资金"),
    ("debt", "政府债务"), ("revenue_cost", "收入类成本支出"),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("organisation", "Sector")
    FundSource = apps.get_model("organisation", "FundSource")
    PolicyCategory = apps.get_model("organisation", "PolicyCategory")
    for code, name, key in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name, "is_key": key})
    for code, name in FUND_SOURCES:
        FundSource.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in POLICY_CATEGORIES:
        PolicyCategory.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
