"""Key-evaluation framework scoring, the agency conflict window and the re-check sample draw."""

from __future__ import annotations

from decimal import Decimal

from jixiao.rules.evaluation import check_framework_weights
from jixiao.rules.evaluation_key import (
    FrameworkRow,
    agency_conflict,
    combine_scores,
    framework_weights,
    score_framework,
)
from jixiao.rules.evaluation_sample import (
    DEFAULT_SAMPLE_RULE,
    SampleCandidate,
    SampleRule,
    read_sample_rule,
    select_sample,
)
from jixiao.rules.ruleset import RuleSet

D = Decimal

ROWS = (
    FrameworkRow("决策", "项目立项", "立项依据充分性", D(15), (D(14), D(13))),
    FrameworkRow("过程", "资金管理", "预算执行率", D(20), (D(18),)),
    FrameworkRow("产出", "产出数量", "实际完成率", D(35), (D(30), D(31), D(32))),
    FrameworkRow("效益", "项目效益", "实施效益", D(30), (D(25),)),
)


def test_scores_are_the_mean_of_the_raters_and_sum_to_a_graded_total(national: RuleSet) -> None:
    result = score_framework(ROWS, national)
    assert result.rows == (D("13.50"), D("18.00"), D("31.00"), D("25.00"))
    assert result.total == D("87.50") and result.grade == "良" and result.complete
    first = result.levels[0]
    assert (first.name, first.weight, first.score) == (
        "决策",
        D(15),
        D("13.50"),
    )
    assert framework_weights(ROWS) == {"决策": D(15), "过程": D(20), "产出": D(35), "效益": D(30)}
    assert check_framework_weights(framework_weights(ROWS)) == ()


def test_unscored_or_out_of_range_rows_give_no_total(national: RuleSet) -> None:
    unscored = (*ROWS[:3], FrameworkRow("效益", "项目效益", "实施效益", D(30)))
    assert combine_scores(unscored[3], national) is None
    result = score_framework(unscored, national)
    assert result.total is None and result.grade is None and not result.complete and result.errors == ()
    too_high = (*ROWS[:3], FrameworkRow("效益", "项目效益", "实施效益", D(30), (D(31),)))
    bad = score_framework(too_high, national)
    assert bad.total is None and bad.errors == ("第4行指标「实施效益」的评分 31 超出 0～30 分",)
    assert score_framework((), national).total is None


def test_weights_below_sixty_for_output_and_benefit_are_refused() -> None:
    rows = (
        FrameworkRow("决策", "a", "a", D(30)),
        FrameworkRow("过程", "b", "b", D(15)),
        FrameworkRow("产出", "c", "c", D(30)),
        FrameworkRow("效益", "d", "d", D(25)),
    )
    assert any("不低于60" in e for e in check_framework_weights(framework_weights(rows)))


def test_agency_conflict_window() -> None:
    assert agency_conflict([2017, 2019], 2021, 3) == 2019
    assert agency_conflict([2017], 2021, 3) is None
    assert agency_conflict([], 2021, 3) is None
    assert agency_conflict([2022], 2021, 3) is None


def candidates() -> list[SampleCandidate]:
    return [
        SampleCandidate(k, D(k * 10), "优" if k == 7 else "良", "教育" if k == 3 else "")
        for k in range(1, 21)
    ]


def test_rule_first_then_a_seeded_draw_that_repeats() -> None:
    rule = SampleRule(
        always_from_wan=D(180),
        always_grades=("优",),
        always_sectors=("教育",),
        random_share=D("0.2"),
        random_minimum=1,
    )
    sample = select_sample(candidates(), rule, seed=42)
    assert sample.by_rule == (3, 7, 18, 19, 20)
    assert len(sample.drawn) == 3 and not set(sample.drawn) & set(sample.by_rule)
    assert select_sample(candidates(), rule, seed=42) == sample
    assert sample.keys == sample.by_rule + sample.drawn
    assert sample.reasons[3] == "规则必抽" and sample.reasons[sample.drawn[0]] == "随机抽取"
    everything = select_sample(candidates()[:2], SampleRule(random_minimum=5), seed=1)
    assert everything.drawn == (1, 2)


def test_sample_rule_read_from_json() -> None:
    rule, problems = read_sample_rule(DEFAULT_SAMPLE_RULE)
    assert problems == () and rule is not None
    assert rule.always_from_wan == 100 and rule.always_grades == ("优",) and rule.random_minimum == 3
    default, _ = read_sample_rule({})
    assert default == SampleRule()
    bad, problems = read_sample_rule({"random_share": 2, "always_grades": [1], "colour": "red"})
    assert bad is None
    assert any("colour" in p for p in problems) and any("0 到 1" in p for p in problems)
    assert any("always_grades[0]" in p for p in problems)


def test_a_sample_rule_reads_as_chinese_words() -> None:
    from jixiao.rules.evaluation_sample import SampleRule, describe_sample_rule

    rule = SampleRule(Decimal(100), ("优",), ("教育",), Decimal("0.1"), 3)
    assert (
        describe_sample_rule(rule)
        == "100万元以上必抽；等级为优的必抽；教育行业必抽；随机抽取其余的10%（至少3项）"
    )
    assert describe_sample_rule(SampleRule()) == "随机抽取其余的10%"
