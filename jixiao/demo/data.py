"""The demo district (云溪区, 岳阳市, 湖南): units, project templates and demo accounts.

Everything here is plain data; :mod:`jixiao.demo.services` turns it into rows. The account
list (:data:`DEMO_ACCOUNTS`) is the one place that names the demo logins, so ``jixiao demo
users``, ``make demo`` and the tests all read the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.accounts.roles import Role

DIVISION_CODE = "430603"  # 云溪区 administrative division code
DISTRICT_NAME = "云溪区"
DISTRICT_SHORT = "云溪"
#: The seed plan's own year (云溪区2021年度预算绩效管理工作方案): ``jixiao demo load --year 2021``.
SEED_YEAR = 2021
DEFAULT_SEED = 2021
#: The budget years of a demo of plan year N, relative to N: last year complete (for comparison),
#: the year under way, next year's declarations with the budget.
YEAR_OFFSETS: tuple[int, ...] = (-1, 0, 1)

#: Projects per budget year at district scale, relative to the plan year (N the richest): 600 in all.
DISTRICT_PROJECTS_PER_OFFSET: dict[int, int] = {-1: 190, 0: 215, 1: 195}


def demo_years(plan_year: int) -> tuple[int, ...]:
    """The budget years of the demo of plan year ``plan_year``."""
    return tuple(plan_year + offset for offset in YEAR_OFFSETS)


def district_projects_per_year(plan_year: int) -> dict[int, int]:
    return {plan_year + offset: n for offset, n in DISTRICT_PROJECTS_PER_OFFSET.items()}

#: The one shared demo password (8+ characters, upper, lower, digit and symbol).
DEMO_PASSWORD = "Jixiao@2021"

HISTORY_REASON = "演示数据导入"

# Sector names as seeded by organisation/0002_dictionaries.
GENERAL = "一般公共服务"
SECURITY = "公共安全"
EDUCATION = "教育"
SCIENCE = "科学技术"
CULTURE = "文化旅游体育与传媒"
SOCIAL = "社会保障和就业"
HEALTH = "卫生健康"
ENVIRONMENT = "节能环保"
URBAN = "城乡社区"
AGRICULTURE = "农林水"
TRANSPORT = "交通运输"
HOUSING = "住房保障"

# FundSource codes (organisation/0002): 01 一般公共预算, 02 政府性基金预算, 03 国有资本经营预算,
# 04 上级转移支付, 05 财政专户管理资金, 09 其他资金.
# PolicyCategory codes: epidemic 防疫资金, livelihood 民生资金, reward 财政奖补资金,
# debt 政府债务, revenue_cost 收入类成本支出.
EPIDEMIC, LIVELIHOOD, REWARD, DEBT, REVENUE_COST = "epidemic", "livelihood", "reward", "debt", "revenue_cost"
COVID_YEARS = (2020, 2022)


@dataclass(frozen=True)
class UnitSpec:
    """One budget unit. ``parent`` is the first-level unit's code (None for a first-level unit)."""

    code: str
    name: str
    sector: str
    kind: str
    parent: str | None = None
    in_scope: bool = True
    classified: bool = False
    staff: tuple[int, int] = (15, 40)

    @property
    def is_first_level(self) -> bool:
        return self.parent is None


@dataclass(frozen=True)
class ProjectTemplate:
    """A kind of project a unit runs; ``scale_wan`` is the typical (median) amount in 万元."""

    name: str
    scale_wan: float
    recurring: bool = True
    policy: str | None = None
    funds: tuple[str, ...] = ("01",)
    sector: str | None = None
    years: tuple[int, int] | None = None
    key: bool = False  # a mainstay the unit runs every year it applies (低保, 债券付息, …)

    def runs_in(self, year: int) -> bool:
        return self.years is None or self.years[0] <= year <= self.years[1]


def _t(
    name: str, scale_wan: float, *, once: bool = False, policy: str | None = None, funds: str = "01",
    sector: str | None = None, years: tuple[int, int] | None = None, key: bool = False,
) -> ProjectTemplate:
    return ProjectTemplate(
        name=name, scale_wan=scale_wan, recurring=not once, policy=policy,
        funds=tuple(funds.split("+")), sector=sector, years=years, key=key,
    )


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------

_FIRST_LEVEL: list[UnitSpec] = [
    UnitSpec("101", "中共云溪区委办公室", GENERAL, "party_office", staff=(25, 40)),
    UnitSpec("102", "云溪区人民政府办公室", GENERAL, "gov_office", staff=(30, 50)),
    UnitSpec("103", "云溪区发展和改革局", GENERAL, "drc", staff=(20, 35)),
    UnitSpec("104", "云溪区财政局", GENERAL, "finance", staff=(40, 70)),
    UnitSpec("105", "云溪区审计局", GENERAL, "audit", staff=(15, 25)),
    UnitSpec("106", "云溪区统计局", GENERAL, "stats", staff=(10, 20)),
    UnitSpec("107", "云溪区市场监督管理局", GENERAL, "market", staff=(50, 90)),
    UnitSpec("108", "云溪区公安分局", SECURITY, "police", staff=(180, 260)),
    UnitSpec("109", "云溪区司法局", SECURITY, "justice", staff=(20, 35)),
    UnitSpec("110", "云溪区教育局", EDUCATION, "education", staff=(30, 45)),
    UnitSpec("111", "云溪区科学技术局", SCIENCE, "science", staff=(8, 15)),
    UnitSpec("112", "云溪区文化旅游广电体育局", CULTURE, "culture", staff=(15, 25)),
    UnitSpec("113", "云溪区人力资源和社会保障局", SOCIAL, "hrss", staff=(25, 40)),
    UnitSpec("114", "云溪区民政局", SOCIAL, "civil", staff=(20, 35)),
    UnitSpec("115", "云溪区退役军人事务局", SOCIAL, "veterans", staff=(10, 18)),
    UnitSpec("116", "云溪区医疗保障局", HEALTH, "medical_insurance", staff=(12, 20)),
    UnitSpec("117", "云溪区卫生健康局", HEALTH, "health", staff=(25, 40)),
    UnitSpec("118", "岳阳市生态环境局云溪分局", ENVIRONMENT, "ecology", staff=(20, 35)),
    UnitSpec("119", "云溪区住房和城乡建设局", URBAN, "housing", staff=(30, 50)),
    UnitSpec("120", "云溪区城市管理和综合执法局", URBAN, "urban", staff=(60, 110)),
    UnitSpec("121", "云溪区自然资源局", URBAN, "natural_resources", staff=(35, 60)),
    UnitSpec("122", "云溪区农业农村局", AGRICULTURE, "agriculture", staff=(35, 55)),
    UnitSpec("123", "云溪区水利局", AGRICULTURE, "water", staff=(20, 35)),
    UnitSpec("124", "云溪区林业局", AGRICULTURE, "forestry", staff=(15, 25)),
    UnitSpec("125", "云溪区交通运输局", TRANSPORT, "transport", staff=(25, 40)),
    UnitSpec("126", "云溪区应急管理局", SECURITY, "emergency", staff=(15, 30)),
    UnitSpec("127", "云溪区残疾人联合会", SOCIAL, "disabled", in_scope=False, staff=(6, 12)),
    UnitSpec("128", "共青团云溪区委", GENERAL, "youth", in_scope=False, staff=(4, 8)),
    UnitSpec("129", "云溪区妇女联合会", GENERAL, "women", in_scope=False, staff=(4, 8)),
    UnitSpec("130", "云溪区总工会", GENERAL, "union", in_scope=False, staff=(6, 12)),
    UnitSpec("131", "云溪区融媒体中心", CULTURE, "media", staff=(30, 50)),
    UnitSpec("132", "云溪区机关事务服务中心", GENERAL, "admin_affairs", staff=(20, 35)),
    UnitSpec("133", "云溪区信访局", GENERAL, "petition", staff=(10, 18)),
    UnitSpec("134", "云溪区住房保障服务中心", HOUSING, "housing_security", staff=(10, 18)),
    UnitSpec("135", "云溪街道", GENERAL, "town", staff=(50, 80)),
    UnitSpec("136", "长岭街道", GENERAL, "town", staff=(45, 70)),
    UnitSpec("137", "松杨湖街道", GENERAL, "town", staff=(35, 60)),
    UnitSpec("138", "陆城镇", GENERAL, "town", staff=(50, 80)),
    UnitSpec("139", "路口镇", GENERAL, "town", staff=(45, 75)),
    UnitSpec("140", "永济乡", GENERAL, "town", staff=(30, 50)),
]

#: (first-level code, subordinate name, kind, staff range, classified)
_SUBORDINATES: list[tuple[str, str, str, tuple[int, int], bool]] = [
    ("101", "中共云溪区委机要和保密局", "secret_office", (5, 10), True),
    ("101", "中共云溪区委党校", "party_school", (15, 25), False),
    ("102", "云溪区政务服务中心", "gov_service", (20, 35), False),
    ("102", "云溪区大数据中心", "big_data", (8, 15), False),
    ("103", "云溪区价格认证中心", "price", (4, 8), False),
    ("103", "云溪区重点项目建设事务中心", "project_office", (8, 15), False),
    ("104", "云溪区财政事务中心", "finance_center", (10, 20), False),
    ("104", "云溪区国库集中支付中心", "treasury", (8, 15), False),
    ("104", "云溪区非税收入征收管理局", "nontax", (10, 20), False),
    ("105", "云溪区经济责任审计中心", "audit_center", (6, 12), False),
    ("106", "云溪区社会经济调查队", "survey", (5, 10), False),
    ("107", "云溪区食品药品检验检测中心", "food_lab", (10, 20), False),
    ("107", "云溪区市场监督管理局陆城所", "market_station", (8, 15), False),
    ("108", "云溪区公安分局刑事侦查大队", "secret_police", (30, 50), True),
    ("108", "云溪区公安分局交通警察大队", "traffic_police", (40, 70), False),
    ("108", "云溪区看守所", "detention", (20, 35), False),
    ("109", "云溪区公共法律服务中心", "legal_service", (6, 12), False),
    ("110", "云溪区第一中学", "school", (120, 180), False),
    ("110", "云溪区第二中学", "school", (80, 130), False),
    ("110", "云溪区实验中学", "school", (70, 110), False),
    ("110", "云溪区实验小学", "school", (70, 110), False),
    ("110", "云溪区长岭小学", "school", (40, 70), False),
    ("110", "云溪区松杨湖小学", "school", (35, 60), False),
    ("110", "云溪区陆城中学", "school", (50, 80), False),
    ("110", "云溪区陆城中心小学", "school", (40, 60), False),
    ("110", "云溪区路口中学", "school", (40, 70), False),
    ("110", "云溪区路口中心小学", "school", (30, 50), False),
    ("110", "云溪区永济中心小学", "school", (25, 40), False),
    ("110", "云溪区第一幼儿园", "kindergarten", (25, 40), False),
    ("110", "云溪区职业中专学校", "vocational", (60, 90), False),
    ("110", "云溪区教师发展中心", "teacher_center", (10, 20), False),
    ("110", "云溪区学生资助管理中心", "student_aid", (4, 8), False),
    ("111", "云溪区科技创新服务中心", "science_center", (5, 10), False),
    ("112", "云溪区图书馆", "library", (10, 18), False),
    ("112", "云溪区文化馆", "culture_center", (10, 18), False),
    ("112", "云溪区文物管理所", "relics", (5, 10), False),
    ("112", "云溪区体育中心", "sports", (10, 20), False),
    ("113", "云溪区社会保险服务中心", "social_insurance", (25, 40), False),
    ("113", "云溪区就业服务中心", "employment", (15, 25), False),
    ("113", "云溪区劳动保障监察大队", "labour_inspection", (8, 15), False),
    ("114", "云溪区社会福利院", "welfare_home", (15, 25), False),
    ("114", "云溪区陆城镇敬老院", "nursing_home", (6, 12), False),
    ("114", "云溪区路口镇敬老院", "nursing_home", (6, 12), False),
    ("114", "云溪区永济乡敬老院", "nursing_home", (5, 10), False),
    ("114", "云溪区救助管理站", "rescue_station", (5, 10), False),
    ("114", "云溪区殡仪馆", "funeral", (15, 25), False),
    ("115", "云溪区退役军人服务中心", "veterans_center", (6, 12), False),
    ("115", "云溪区烈士陵园管理所", "martyrs", (4, 8), False),
    ("116", "云溪区医疗保障服务中心", "medical_insurance_center", (12, 20), False),
    ("117", "云溪区人民医院", "hospital", (350, 500), False),
    ("117", "云溪区中医医院", "tcm_hospital", (150, 250), False),
    ("117", "云溪区疾病预防控制中心", "cdc", (30, 50), False),
    ("117", "云溪区妇幼保健计划生育服务中心", "maternal", (40, 70), False),
    ("117", "云溪区卫生计生综合监督执法局", "health_inspection", (10, 20), False),
    ("117", "云溪区陆城镇卫生院", "township_hospital", (40, 70), False),
    ("117", "云溪区路口镇卫生院", "township_hospital", (35, 60), False),
    ("117", "云溪区永济乡卫生院", "township_hospital", (25, 45), False),
    ("117", "云溪区云溪街道社区卫生服务中心", "township_hospital", (30, 50), False),
    ("117", "云溪区长岭街道社区卫生服务中心", "township_hospital", (30, 50), False),
    ("118", "岳阳市云溪生态环境监测站", "env_monitor", (8, 15), False),
    ("119", "云溪区建设工程质量安全监督站", "construction_quality", (10, 18), False),
    ("119", "云溪区城建档案馆", "urban_archives", (4, 8), False),
    ("120", "云溪区环境卫生服务中心", "sanitation", (60, 120), False),
    ("120", "云溪区园林绿化中心", "landscaping", (20, 40), False),
    ("120", "云溪区市政设施维护中心", "municipal", (20, 40), False),
    ("121", "云溪区不动产登记中心", "real_estate", (15, 25), False),
    ("121", "云溪区土地储备中心", "land_reserve", (8, 15), False),
    ("122", "云溪区农业技术推广中心", "agri_tech", (15, 25), False),
    ("122", "云溪区动物疫病预防控制中心", "animal_disease", (10, 20), False),
    ("122", "云溪区农村经营服务站", "rural_management", (6, 12), False),
    ("122", "云溪区陆城镇农技站", "agri_station", (4, 8), False),
    ("122", "云溪区路口镇农技站", "agri_station", (4, 8), False),
    ("122", "云溪区永济乡农技站", "agri_station", (3, 6), False),
    ("122", "云溪区农业综合行政执法大队", "agri_enforcement", (10, 20), False),
    ("123", "云溪区水利工程管理所", "water_works", (15, 25), False),
    ("123", "云溪区防汛抗旱事务中心", "flood", (8, 15), False),
    ("123", "云溪区松杨湖水库管理所", "reservoir", (6, 12), False),
    ("124", "云溪区林业技术推广站", "forestry_tech", (5, 10), False),
    ("124", "云溪区森林防火指挥中心", "forest_fire", (6, 12), False),
    ("125", "云溪区公路建设养护中心", "road_center", (40, 70), False),
    ("125", "云溪区道路运输服务中心", "transport_service", (15, 25), False),
    ("125", "云溪区交通建设质量安全监督站", "transport_quality", (6, 12), False),
    ("125", "云溪区地方海事处", "maritime", (10, 18), False),
    ("126", "云溪区应急救援指挥中心", "emergency_center", (8, 15), False),
    ("126", "云溪区安全生产执法大队", "safety_enforcement", (10, 20), False),
    ("127", "云溪区残疾人康复服务中心", "rehab_center", (6, 12), False),
    ("135", "云溪街道便民服务中心", "service_center", (6, 10), False),
    ("136", "长岭街道便民服务中心", "service_center", (6, 10), False),
    ("138", "陆城镇便民服务中心", "service_center", (6, 10), False),
    ("139", "路口镇便民服务中心", "service_center", (6, 10), False),
    ("140", "永济乡便民服务中心", "service_center", (5, 8), False),
]


def _subordinate_specs() -> list[UnitSpec]:
    sectors = {u.code: u.sector for u in _FIRST_LEVEL}
    counters: dict[str, int] = {}
    specs: list[UnitSpec] = []
    for parent, name, kind, staff, classified in _SUBORDINATES:
        counters[parent] = counters.get(parent, 0) + 1
        specs.append(
            UnitSpec(
                f"{parent}{counters[parent]:03d}", name, sectors[parent], kind,
                parent=parent, classified=classified, staff=staff,
            )
        )
    return specs


FIRST_LEVEL_UNITS: tuple[UnitSpec, ...] = tuple(_FIRST_LEVEL)
SUBORDINATE_UNITS: tuple[UnitSpec, ...] = tuple(_subordinate_specs())
DISTRICT_UNITS: tuple[UnitSpec, ...] = FIRST_LEVEL_UNITS + SUBORDINATE_UNITS

# ---------------------------------------------------------------------------------------------
# Project templates, by unit kind
# ---------------------------------------------------------------------------------------------

#: Run by any first-level department besides its own line of work.
GENERIC_TEMPLATES: tuple[ProjectTemplate, ...] = (
    _t("信息化系统运行维护", 8),
    _t("办公用房维修改造", 12, once=True),
    _t("业务能力培训", 3),
    _t("档案数字化加工", 6, once=True),
    _t("政务公开与宣传经费", 3),
    _t("法律顾问服务", 2),
    _t("基层党建工作经费", 2),
)

PROJECT_TEMPLATES: dict[str, tuple[ProjectTemplate, ...]] = {
    "party_office": (
        _t("区委重要会议保障经费", 15), _t("督查督办工作经费", 6), _t("党委信息工作经费", 4),
        _t("基层党建示范点建设奖补", 20, once=True, policy=REWARD),
    ),
    "gov_office": (
        _t("政务服务“一件事一次办”改革经费", 25), _t("12345政务服务便民热线运行", 30),
        _t("电子政务外网运行维护", 45), _t("区政府常务会议保障经费", 6), _t("应急值守经费", 4),
    ),
    "drc": (
        _t("重点项目前期工作经费", 80), _t("重大项目谋划储备经费", 40), _t("价格监测经费", 3),
        _t("地方储备粮轮换费用", 50), _t("以工代赈项目", 120, once=True, funds="04"),
    ),
    "finance": (
        _t("政府专项债券付息", 1800, policy=DEBT, funds="02", key=True),
        _t("政府一般债券付息", 1200, policy=DEBT, key=True),
        _t("非税收入征收成本", 35, policy=REVENUE_COST, key=True),
        _t("财政投资评审经费", 40), _t("预算绩效管理第三方服务", 25),
        _t("预算管理一体化系统运维", 60),
        _t("农村综合改革奖补资金", 150, policy=REWARD, funds="04"),
    ),
    "audit": (
        _t("政府投资审计外聘中介费", 45), _t("经济责任审计经费", 8), _t("审计信息化建设", 15, once=True),
    ),
    "stats": (
        _t("第七次全国人口普查经费", 30, years=(2020, 2021), funds="04+01"),
        _t("统计调查经费", 6), _t("统计执法检查经费", 2),
    ),
    "market": (
        _t("食品安全抽检经费", 25), _t("特种设备安全监察经费", 8),
        _t("知识产权奖补资金", 20, policy=REWARD), _t("质量强区奖补资金", 15, policy=REWARD),
        _t("进口冷链食品疫情防控", 12, policy=EPIDEMIC, years=COVID_YEARS),
    ),
    "police": (
        _t("公安信息化建设", 80, once=True), _t("道路交通安全设施建设", 45),
        _t("“雪亮工程”运行维护", 60), _t("禁毒工作经费", 10), _t("辅警薪酬保障", 260),
        _t("社会治安防控体系建设", 35),
    ),
    "justice": (
        _t("社区矫正工作经费", 6), _t("法律援助经费", 8, policy=LIVELIHOOD),
        _t("人民调解“以奖代补”资金", 5, policy=REWARD), _t("普法宣传经费", 4),
    ),
    "education": (
        _t("义务教育学校公用经费保障", 850, funds="04+01", key=True),
        _t("学生营养改善计划", 320, policy=LIVELIHOOD, funds="04", key=True),
        _t("校舍维修改造", 180, once=True),
        _t("教师培训", 25),
        _t("家庭经济困难学生资助", 150, policy=LIVELIHOOD, funds="04+01"),
        _t("学前教育发展资金", 120, funds="04"),
        _t("教育信息化2.0建设", 90, once=True),
        _t("校园安全保卫经费", 30),
        _t("乡村教师生活补助", 110, policy=LIVELIHOOD, funds="04"),
        _t("中小学校疫情防控物资", 35, policy=EPIDEMIC, years=COVID_YEARS),
    ),
    "science": (
        _t("科技创新奖补资金", 60, policy=REWARD), _t("高新技术企业培育奖励", 40, policy=REWARD),
        _t("科普工作经费", 5), _t("科技特派员工作经费", 6),
    ),
    "culture": (
        _t("公共文化服务体系建设", 45, funds="04+01"), _t("农村公益电影放映", 12, funds="04"),
        _t("全民健身设施建设", 60, once=True), _t("文物保护修缮", 80, once=True, funds="04"),
        _t("旅游宣传推介", 20), _t("文化惠民演出", 15), _t("非物质文化遗产保护", 8),
    ),
    "media": (
        _t("县级融媒体中心建设", 120, once=True), _t("广播电视村村通运行维护", 18),
        _t("新闻宣传采编经费", 10),
    ),
    "hrss": (
        _t("就业补助资金", 220, policy=LIVELIHOOD, funds="04"),
        _t("城乡居民基本养老保险补助", 900, policy=LIVELIHOOD, funds="04+01", key=True),
        _t("创业担保贷款贴息", 45, policy=REWARD),
        _t("职业技能提升行动", 60, funds="05"),
        _t("劳动人事争议仲裁经费", 5),
    ),
    "civil": (
        _t("城乡低保资金", 1400, policy=LIVELIHOOD, funds="04+01", key=True),
        _t("特困人员供养", 380, policy=LIVELIHOOD, funds="04+01", key=True),
        _t("残疾人两项补贴", 160, policy=LIVELIHOOD, funds="04+01", key=True),
        _t("临时救助资金", 60, policy=LIVELIHOOD),
        _t("孤儿基本生活保障", 18, policy=LIVELIHOOD, funds="04"),
        _t("高龄津贴", 90, policy=LIVELIHOOD),
        _t("社区居家养老服务设施建设", 110, once=True, funds="02"),
        _t("殡葬改革惠民奖补", 25, policy=REWARD),
        _t("婚姻登记服务经费", 3), _t("社会组织培育发展", 5),
    ),
    "veterans": (
        _t("优抚对象抚恤补助", 260, policy=LIVELIHOOD, funds="04+01"),
        _t("退役士兵安置", 80, policy=LIVELIHOOD), _t("双拥工作经费", 10),
        _t("光荣院运行保障", 12), _t("烈士纪念设施维护", 15, once=True),
    ),
    "medical_insurance": (
        _t("城乡医疗救助", 240, policy=LIVELIHOOD, funds="04+01"),
        _t("城乡居民基本医疗保险财政补助", 1100, policy=LIVELIHOOD, funds="04+01"),
        _t("医保基金监管经费", 8), _t("医保经办服务经费", 10),
    ),
    "health": (
        _t("基本公共卫生服务项目", 420, funds="04+01", key=True),
        _t("新冠疫情防控经费", 600, policy=EPIDEMIC, funds="01+04", years=COVID_YEARS, key=True),
        _t("家庭医生签约服务", 80, policy=LIVELIHOOD, key=True),
        _t("新冠病毒疫苗接种", 300, policy=EPIDEMIC, funds="04+01", years=(2021, 2022)),
        _t("重大传染病防控", 40, funds="04"),
        _t("计划生育家庭奖励扶助", 70, policy=LIVELIHOOD, funds="04+01"),
        _t("基层医疗卫生机构能力建设", 150, once=True, funds="04"),
        _t("爱国卫生运动经费", 12),
        _t("卫生应急物资储备", 50, policy=EPIDEMIC, years=COVID_YEARS),
    ),
    "ecology": (
        _t("大气污染防治", 120, funds="04"), _t("水污染防治", 150, funds="04"),
        _t("中央生态环境保护督察问题整改", 200, once=True),
        _t("环境监测经费", 15), _t("土壤污染防治", 80, once=True, funds="04"),
        _t("长江岸线生态修复", 300, once=True, funds="04+02"),
    ),
    "housing": (
        _t("老旧小区改造", 900, funds="04+02", sector=HOUSING, key=True),
        _t("农村危房改造", 150, policy=LIVELIHOOD, funds="04", sector=HOUSING, key=True),
        _t("公租房维修维护", 40, sector=HOUSING),
        _t("城镇保障性安居工程", 600, funds="04", sector=HOUSING),
        _t("建筑工地扬尘治理", 20),
        _t("城市燃气管道老化更新改造", 250, once=True, funds="02"),
        _t("房屋安全隐患排查整治", 15),
    ),
    "housing_security": (
        _t("公租房租赁补贴", 60, policy=LIVELIHOOD), _t("公租房运营管理", 25),
        _t("棚户区改造专项债券付息", 300, policy=DEBT, funds="02", key=True),
    ),
    "urban": (
        _t("城区环境卫生保洁", 450), _t("生活垃圾分类", 80), _t("市政道路维修", 120),
        _t("园林绿化养护", 160), _t("路灯亮化维护", 60),
        _t("城区污水管网改造", 300, once=True, funds="02"), _t("数字城管平台运维", 25),
    ),
    "natural_resources": (
        _t("国土空间规划编制", 150, once=True), _t("土地征收补偿", 1600, funds="02"),
        _t("不动产登记经费", 20), _t("耕地保护激励奖补", 40, policy=REWARD, funds="04"),
        _t("地质灾害防治", 60, funds="04"), _t("自然资源执法监察", 10),
    ),
    "agriculture": (
        _t("高标准农田建设", 1300, funds="04+01", key=True),
        _t("农村人居环境整治", 300, policy=REWARD, funds="04+01"),
        _t("耕地地力保护补贴", 520, policy=LIVELIHOOD, funds="04", key=True),
        _t("动物疫病防控", 40, funds="04"),
        _t("农机购置补贴", 60, policy=LIVELIHOOD, funds="04"),
        _t("乡村振兴衔接资金", 800, funds="04+01"),
        _t("农产品质量安全监管", 12),
        _t("农民专业合作社奖补", 30, policy=REWARD),
        _t("稻谷目标价格补贴", 110, policy=LIVELIHOOD, funds="04"),
    ),
    "water": (
        _t("山塘清淤扩容", 130, policy=REWARD, funds="04+01", key=True), _t("河长制工作经费", 25, key=True),
        _t("小型水库除险加固", 280, once=True, funds="04"),
        _t("农村饮水安全巩固提升", 200, policy=LIVELIHOOD, funds="04+01"),
        _t("防汛抗旱经费", 60), _t("水利工程运行管护", 45),
        _t("长江干堤加固", 500, once=True, funds="04"),
    ),
    "forestry": (
        _t("森林防火经费", 30), _t("生态公益林补偿", 90, policy=LIVELIHOOD, funds="04"),
        _t("国土绿化植树造林", 60, funds="04"), _t("松材线虫病防治", 35), _t("林长制工作经费", 8),
    ),
    "transport": (
        _t("农村公路养护", 350, funds="04+01", key=True), _t("公路安全生命防护工程", 220, funds="04", key=True),
        _t("危桥改造", 180, once=True, funds="04"),
        _t("农村客运补贴", 45, policy=LIVELIHOOD, funds="04"),
        _t("城乡公交一体化运营补贴", 120, policy=REWARD),
        _t("国省干线公路建设配套", 900, once=True, funds="02"), _t("交通运输综合执法经费", 8),
    ),
    "emergency": (
        _t("安全生产专项整治", 25), _t("应急物资储备", 40), _t("森林消防队伍建设", 30),
        _t("自然灾害救助", 80, policy=LIVELIHOOD, funds="04"), _t("应急管理信息化建设", 70, once=True),
    ),
    "disabled": (
        _t("残疾人康复救助", 40, policy=LIVELIHOOD, funds="04+01"), _t("残疾人就业扶持", 20),
        _t("残疾人辅助器具适配", 10, policy=LIVELIHOOD),
    ),
    "youth": (
        _t("青少年活动经费", 5), _t("希望工程助学", 8, policy=LIVELIHOOD), _t("青年志愿服务", 4),
    ),
    "women": (
        _t("妇女儿童发展规划实施", 6), _t("农村妇女“两癌”免费检查", 25, policy=LIVELIHOOD, funds="04"),
        _t("巾帼创业就业培训", 5),
    ),
    "union": (
        _t("困难职工帮扶解困", 15, policy=LIVELIHOOD), _t("劳动模范慰问", 6), _t("职工技能竞赛", 5),
    ),
    "admin_affairs": (
        _t("机关办公区物业管理", 90), _t("公务用车服务平台运行", 35),
        _t("公共机构节能改造", 60, once=True, sector=ENVIRONMENT), _t("机关食堂运行保障", 30),
    ),
    "petition": (
        _t("信访维稳工作经费", 30), _t("信访信息系统运行维护", 6), _t("矛盾纠纷多元化解", 10),
    ),
    "town": (
        _t("村级组织运转经费保障", 180, policy=LIVELIHOOD, funds="04+01"),
        _t("综合文化站运行", 8, sector=CULTURE),
        _t("集镇环境卫生整治", 40, sector=URBAN),
        _t("村级公益事业建设“一事一议”财政奖补", 60, policy=REWARD, funds="04+01", sector=AGRICULTURE),
        _t("防汛抗旱抢险", 15, sector=AGRICULTURE),
        _t("美丽乡村建设", 120, once=True, policy=REWARD, sector=AGRICULTURE),
        _t("网格化社会治理", 12),
        _t("疫情防控工作经费", 20, policy=EPIDEMIC, years=COVID_YEARS, sector=HEALTH),
    ),
    # Subordinate units.
    "secret_office": (_t("机要通信保障经费", 12), _t("保密技术检查设备购置", 20, once=True)),
    "party_school": (_t("干部培训教学经费", 25), _t("党校教学楼维修", 40, once=True)),
    "gov_service": (_t("政务服务大厅运行", 40), _t("“互联网+政务服务”平台运维", 35)),
    "big_data": (_t("政务云租赁服务", 90), _t("数据共享交换平台建设", 120, once=True)),
    "price": (_t("价格认证业务经费", 3), _t("涉案财物价格认定", 2)),
    "project_office": (_t("重点项目协调服务经费", 8), _t("重点项目督查考评", 4)),
    "finance_center": (_t("财政票据管理经费", 4), _t("会计人员继续教育", 3)),
    "treasury": (_t("国库集中支付代理银行服务费", 12), _t("电子化支付系统运维", 15)),
    "nontax": (
        _t("非税收入征管系统运维", 20, policy=REVENUE_COST),
        _t("非税收入代征手续费", 30, policy=REVENUE_COST, funds="05", key=True),
    ),
    "audit_center": (_t("经济责任审计外聘专家经费", 10),),
    "survey": (_t("住户调查补助", 8, funds="04"), _t("农业统计调查经费", 4)),
    "food_lab": (_t("食品检验检测设备购置", 60, once=True), _t("检验检测耗材", 15)),
    "market_station": (_t("基层市场监管所规范化建设", 25, once=True), _t("市场巡查执法经费", 5)),
    "secret_police": (_t("刑事技术装备购置", 80, once=True), _t("侦查办案专项经费", 40)),
    "traffic_police": (_t("交通信号灯维护", 30), _t("交通违法处理系统运维", 18)),
    "detention": (_t("在押人员伙食及医疗经费", 45), _t("看守所监控系统改造", 35, once=True)),
    "legal_service": (_t("公共法律服务平台运行", 10), _t("村（居）法律顾问补助", 12)),
    "school": (
        _t("校舍维修改造", 60, once=True), _t("教学仪器设备购置", 30, once=True),
        _t("学生资助", 25, policy=LIVELIHOOD, funds="04"), _t("校园安全保卫", 12),
        _t("学校食堂提质改造", 40, once=True), _t("课后服务经费", 10, funds="05"),
        _t("校园疫情防控", 8, policy=EPIDEMIC, years=COVID_YEARS),
    ),
    "kindergarten": (
        _t("普惠性幼儿园奖补", 30, policy=REWARD, funds="04"), _t("幼儿园玩教具购置", 10, once=True),
    ),
    "vocational": (
        _t("中职学生国家助学金", 40, policy=LIVELIHOOD, funds="04"),
        _t("实训基地建设", 90, once=True, funds="04"),
        _t("中职免学费补助", 60, policy=LIVELIHOOD, funds="04"),
    ),
    "teacher_center": (_t("中小学教师继续教育", 20), _t("教研活动经费", 6)),
    "student_aid": (
        _t("学生资助管理经费", 5), _t("生源地信用助学贷款风险补偿", 15, policy=LIVELIHOOD),
    ),
    "science_center": (_t("科技成果转化服务", 10), _t("科技企业孵化服务", 12)),
    "library": (_t("图书购置", 15), _t("公共图书馆免费开放", 10, funds="04")),
    "culture_center": (_t("群众文化活动", 12), _t("文化馆免费开放", 10, funds="04")),
    "relics": (_t("文物安全巡查", 5), _t("革命文物保护利用", 40, once=True, funds="04")),
    "sports": (_t("全民健身运动会", 20), _t("体育场馆免费低收费开放", 15, funds="04")),
    "social_insurance": (
        _t("社会保险经办服务", 20), _t("社会保障卡制卡", 15), _t("社会保险基金稽核", 8, funds="05"),
    ),
    "employment": (
        _t("公益性岗位补贴", 120, policy=LIVELIHOOD, funds="04"), _t("职业介绍补贴", 15, funds="04"),
        _t("就业见习补贴", 20, policy=LIVELIHOOD),
    ),
    "labour_inspection": (_t("根治欠薪专项行动", 6), _t("劳动保障监察执法", 4)),
    "welfare_home": (
        _t("孤残儿童养育", 30, policy=LIVELIHOOD), _t("福利院设施改造", 50, once=True, funds="02"),
    ),
    "nursing_home": (
        _t("特困人员集中供养", 45, policy=LIVELIHOOD, funds="04+01"),
        _t("敬老院适老化改造", 25, once=True, funds="02"), _t("敬老院消防安全整改", 12, once=True),
    ),
    "rescue_station": (_t("流浪乞讨人员救助", 10, policy=LIVELIHOOD),),
    "funeral": (
        _t("惠民殡葬基本服务免费", 20, policy=LIVELIHOOD), _t("火化设备更新", 60, once=True),
    ),
    "veterans_center": (
        _t("退役军人就业创业培训", 15), _t("困难退役军人帮扶援助", 20, policy=LIVELIHOOD),
    ),
    "martyrs": (_t("烈士陵园维护", 15),),
    "medical_insurance_center": (_t("医保经办信息系统运维", 20), _t("异地就医结算服务", 6)),
    "hospital": (
        _t("医疗设备购置", 300, once=True, funds="01+09"), _t("重点专科建设", 120),
        _t("发热门诊改造", 200, once=True, policy=EPIDEMIC, funds="04", years=(2020, 2021)),
        _t("新冠核酸检测能力建设", 150, once=True, policy=EPIDEMIC, funds="04+01", years=COVID_YEARS),
        _t("公立医院综合改革补助", 260, funds="04+01"), _t("医院信息化建设", 90, once=True),
        _t("住院医师规范化培训", 30, funds="04"),
    ),
    "tcm_hospital": (
        _t("中医药传承创新", 60, funds="04"), _t("中医馆建设", 50, once=True),
        _t("医疗设备购置", 200, once=True, funds="01+09"),
    ),
    "cdc": (
        _t("免疫规划", 60, funds="04"),
        _t("新冠疫情防控经费", 200, policy=EPIDEMIC, years=COVID_YEARS, key=True),
        _t("核酸检测实验室建设", 120, once=True, policy=EPIDEMIC, years=COVID_YEARS),
        _t("重大传染病防控", 50, funds="04"), _t("慢性病防治", 15),
    ),
    "maternal": (
        _t("孕产妇和儿童健康管理", 30),
        _t("免费孕前优生健康检查", 18, policy=LIVELIHOOD, funds="04"), _t("新生儿疾病筛查", 12),
    ),
    "health_inspection": (_t("卫生监督执法", 10), _t("职业病防治", 8)),
    "township_hospital": (
        _t("基本公共卫生服务", 60, funds="04+01"),
        _t("乡镇卫生院标准化建设", 80, once=True, funds="04"),
        _t("村医补助", 30, policy=LIVELIHOOD, funds="04"), _t("家庭医生签约服务", 15, key=True),
        _t("基本药物制度补助", 25, funds="04"),
    ),
    "env_monitor": (_t("空气自动监测站运维", 30), _t("环境监测设备购置", 50, once=True)),
    "construction_quality": (_t("建设工程质量安全监督", 12),),
    "urban_archives": (_t("城建档案数字化", 15, once=True),),
    "sanitation": (_t("道路清扫保洁", 250), _t("垃圾中转站运行", 80), _t("环卫车辆购置", 120, once=True)),
    "landscaping": (_t("城区绿化养护", 120), _t("公园提质改造", 150, once=True)),
    "municipal": (_t("市政设施维护", 100), _t("城区排水防涝", 90)),
    "real_estate": (_t("不动产登记信息化建设", 30, once=True), _t("不动产登记档案整理", 10)),
    "land_reserve": (
        _t("土地收储", 2000, funds="02"), _t("土地出让业务费", 150, policy=REVENUE_COST, funds="02", key=True),
    ),
    "agri_tech": (
        _t("基层农技推广体系建设", 20, funds="04"), _t("测土配方施肥", 15, funds="04"),
        _t("农作物病虫害统防统治", 25),
    ),
    "animal_disease": (_t("动物强制免疫疫苗", 35, funds="04"), _t("非洲猪瘟防控", 40)),
    "rural_management": (
        _t("农村集体资产清产核资", 20, once=True), _t("农村土地承包经营权确权", 30, once=True),
    ),
    "agri_station": (_t("基层农技推广", 12, funds="04"), _t("水稻绿色高产示范", 15)),
    "agri_enforcement": (
        _t("农资打假执法", 6), _t("长江十年禁渔执法", 30, funds="04", years=(2021, 2022)),
    ),
    "water_works": (
        _t("水利工程维修养护", 60), _t("泵站运行电费", 80), _t("水利工程设备更新", 30, once=True),
    ),
    "flood": (_t("防汛物资储备", 40), _t("防汛抢险经费", 60)),
    "reservoir": (_t("水库运行管护", 25), _t("水库除险加固", 200, once=True, funds="04")),
    "forestry_tech": (_t("林木种苗培育", 10), _t("林业有害生物防治", 20)),
    "forest_fire": (_t("森林防火巡护", 25), _t("防火物资购置", 15, once=True)),
    "road_center": (
        _t("农村公路养护工程", 200, funds="04+01"), _t("公路水毁修复", 120, funds="04"),
        _t("桥梁定期检测", 20), _t("公路安全隐患整治", 80),
    ),
    "transport_service": (
        _t("道路运输安全监管", 10), _t("城乡客运站运营补贴", 30, policy=REWARD),
    ),
    "transport_quality": (_t("交通工程质量检测", 15),),
    "maritime": (_t("水上交通安全监管", 20), _t("渡口渡船安全改造补助", 25, funds="04")),
    "emergency_center": (_t("应急指挥平台运维", 25), _t("应急救援演练", 8)),
    "safety_enforcement": (_t("安全生产执法检查", 10), _t("危险化学品企业安全监管", 20)),
    "rehab_center": (_t("残疾儿童康复救助", 35, policy=LIVELIHOOD, funds="04"),),
    "service_center": (_t("便民服务中心运行", 6), _t("代办员补助", 4)),
}

# ---------------------------------------------------------------------------------------------
# Demo accounts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    real_name: str
    role: Role
    phone: str
    unit_code: str | None = None  # district unit code; province scale maps it, see services
    sectors: tuple[str, ...] = ()
    agency_name: str = ""
    note: str = ""  # e.g. the budget desk's name (股室)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("jxg", "李明", Role.PERF_SECTION, "13873010001", note="绩效管理股"),
    DemoAccount("jxg2", "王芳", Role.PERF_SECTION, "13873010002", note="绩效管理股"),
    DemoAccount("jyk", "张伟", Role.BUDGET_DESK, "13873010011", sectors=(EDUCATION, SCIENCE, CULTURE), note="教科文股"),
    DemoAccount("shk", "刘洋", Role.BUDGET_DESK, "13873010012", sectors=(SOCIAL, HEALTH), note="社会保障股"),
    DemoAccount("nyk", "陈静", Role.BUDGET_DESK, "13873010013", sectors=(AGRICULTURE,), note="农业股"),
    DemoAccount(
        "jsk", "杨帆", Role.BUDGET_DESK, "13873010014", sectors=(TRANSPORT, URBAN, HOUSING, ENVIRONMENT),
        note="经济建设股",
    ),
    DemoAccount("xzk", "赵磊", Role.BUDGET_DESK, "13873010015", sectors=(GENERAL, SECURITY), note="行政政法股"),
    DemoAccount("jyj_sh", "周建国", Role.UNIT_APPROVER, "13873010021", unit_code="110"),
    DemoAccount("wjj_sh", "吴海燕", Role.UNIT_APPROVER, "13873010022", unit_code="117"),
    DemoAccount("mzj_sh", "孙志强", Role.UNIT_APPROVER, "13873010023", unit_code="114"),
    DemoAccount("nyj_sh", "胡春生", Role.UNIT_APPROVER, "13873010024", unit_code="122"),
    DemoAccount("jtj_sh", "郭立新", Role.UNIT_APPROVER, "13873010025", unit_code="125"),
    DemoAccount("jyj_tb", "黄丽", Role.UNIT_FILLER, "13873010031", unit_code="110"),
    DemoAccount("wjj_tb", "何婷", Role.UNIT_FILLER, "13873010032", unit_code="117"),
    DemoAccount("mzj_tb", "罗敏", Role.UNIT_FILLER, "13873010033", unit_code="114"),
    DemoAccount("nyj_tb", "谢军", Role.UNIT_FILLER, "13873010034", unit_code="122"),
    DemoAccount("jtj_tb", "唐超", Role.UNIT_FILLER, "13873010035", unit_code="125"),
    DemoAccount("yz_tb", "许文", Role.UNIT_FILLER, "13873010036", unit_code="110001"),
    DemoAccount("rmyy_tb", "邓红", Role.UNIT_FILLER, "13873010037", unit_code="117001"),
    DemoAccount("glzx_tb", "彭勇", Role.UNIT_FILLER, "13873010038", unit_code="125001"),
    DemoAccount("jg_xc", "曾凡", Role.AGENCY, "13873010041", agency_name="湖南湘诚会计师事务所"),
    DemoAccount("jg_zy", "蒋鹏", Role.AGENCY, "13873010042", agency_name="岳阳正源工程咨询有限公司"),
    DemoAccount("zj1", "谭克勤", Role.EXPERT, "13873010051", agency_name="湖南理工学院"),
    DemoAccount("zj2", "汤慧", Role.EXPERT, "13873010052", agency_name="岳阳市财政科学研究所"),
    DemoAccount("rd_cy", "钟国华", Role.NPC_READER, "13873010061", note="区人大常委会预算工委"),
    DemoAccount("sj_cy", "方晓东", Role.AUDIT_READER, "13873010062", note="区审计局"),
    DemoAccount("sysadmin", "邹平", Role.SYS_ADMIN, "13873010071"),
    DemoAccount("secadmin", "贺敏", Role.SEC_ADMIN, "13873010072"),
    DemoAccount("auditadmin", "龚岚", Role.AUDIT_ADMIN, "13873010073"),
)

DEMO_USERNAMES: frozenset[str] = frozenset(a.username for a in DEMO_ACCOUNTS)

# ---------------------------------------------------------------------------------------------
# Province scale (benchmarks): counties of 湖南 that host a copy of the district's departments
# ---------------------------------------------------------------------------------------------

PROVINCE_COUNTIES: tuple[tuple[str, str], ...] = (
    ("430102", "芙蓉区"), ("430103", "天心区"), ("430104", "岳麓区"), ("430105", "开福区"),
    ("430111", "雨花区"), ("430112", "望城区"), ("430121", "长沙县"), ("430181", "浏阳市"),
    ("430182", "宁乡市"), ("430202", "荷塘区"), ("430203", "芦淞区"), ("430204", "石峰区"),
    ("430211", "天元区"), ("430212", "渌口区"), ("430223", "攸县"), ("430224", "茶陵县"),
    ("430225", "炎陵县"), ("430281", "醴陵市"), ("430302", "雨湖区"), ("430304", "岳塘区"),
    ("430321", "湘潭县"), ("430381", "湘乡市"), ("430382", "韶山市"), ("430405", "珠晖区"),
    ("430406", "雁峰区"), ("430407", "石鼓区"), ("430408", "蒸湘区"), ("430412", "南岳区"),
    ("430421", "衡阳县"), ("430422", "衡南县"), ("430423", "衡山县"), ("430424", "衡东县"),
    ("430426", "祁东县"), ("430481", "耒阳市"), ("430482", "常宁市"), ("430502", "双清区"),
    ("430503", "大祥区"), ("430511", "北塔区"), ("430522", "新邵县"), ("430523", "邵阳县"),
    ("430524", "隆回县"), ("430525", "洞口县"), ("430527", "绥宁县"), ("430528", "新宁县"),
    ("430529", "城步苗族自治县"), ("430581", "武冈市"), ("430582", "邵东市"), ("430602", "岳阳楼区"),
    ("430603", "云溪区"), ("430611", "君山区"), ("430621", "岳阳县"), ("430623", "华容县"),
    ("430624", "湘阴县"), ("430626", "平江县"), ("430681", "汨罗市"), ("430682", "临湘市"),
    ("430702", "武陵区"), ("430703", "鼎城区"), ("430721", "安乡县"), ("430722", "汉寿县"),
    ("430723", "澧县"), ("430724", "临澧县"), ("430725", "桃源县"), ("430726", "石门县"),
)

#: Township names used for the county-level copies of the district's 乡镇/街道.
PROVINCE_TOWN_NAMES: tuple[str, ...] = ("城关街道", "城东街道", "新市镇", "东山镇", "南岭镇", "西湖乡")

#: Extra subordinate units a province-scale department gets beyond the district's own.
PROVINCE_EXTRA_SUBORDINATES: tuple[str, ...] = (
    "综合服务中心", "事务中心", "信息中心", "综合执法大队", "培训中心", "监测站", "档案室",
    "后勤服务中心", "政策研究室",
)

PROVINCE_FIRST_LEVEL = 2_500
PROVINCE_SUBORDINATES_PER_UNIT = 9  # 2,500 + 22,500 = 25,000 units
PROVINCE_PROJECTS_PER_UNIT_YEAR = 8  # 25,000 × 8 × 3 = 600,000 projects
PROVINCE_ACCOUNT_DIVISION = DIVISION_CODE  # the demo accounts sit in 云溪区 at province scale too
