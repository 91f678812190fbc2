"""Jixiao's rules engine: parsing, scoring, monitoring lights and the self-evaluation checker.

Pure Python (no Django). See README.md in this folder for the module map.
"""

from jixiao.rules.checker import CheckResult, Finding, check_json, check_parsed, check_table
from jixiao.rules.evaluation import RecheckResult, check_framework_weights, recheck_quality
from jixiao.rules.monitoring import (
    Light,
    PlanCurve,
    deviation_degree,
    execution_light,
    expected_fraction,
    expected_to_date,
    forecast_deviation,
    indicator_light,
    target_light,
)
from jixiao.rules.parsing import parse_cached, parse_value
from jixiao.rules.rubric import BandRule, DeductionRule, RubricItem, score_rubric_item
from jixiao.rules.ruleset import RuleSet, UnknownRuleSetError, available_rule_sets, get_rule_set
from jixiao.rules.scoring import (
    ExecutionScore,
    IndicatorScore,
    aggregate,
    consistency_warnings,
    rescale_total,
    score_execution,
    score_indicator,
    score_parsed,
)
from jixiao.rules.table import SelfEvalTable, parse_table
from jixiao.rules.validation import DocumentError, FieldError
from jixiao.rules.values import Deadline, ParsedValue, Period, Qualitative, Quantitative, Unparsed

__all__ = [
    "BandRule",
    "CheckResult",
    "Deadline",
    "DeductionRule",
    "DocumentError",
    "ExecutionScore",
    "FieldError",
    "Finding",
    "IndicatorScore",
    "Light",
    "ParsedValue",
    "Period",
    "PlanCurve",
    "Qualitative",
    "Quantitative",
    "RecheckResult",
    "RubricItem",
    "RuleSet",
    "SelfEvalTable",
    "UnknownRuleSetError",
    "Unparsed",
    "aggregate",
    "available_rule_sets",
    "check_framework_weights",
    "check_json",
    "check_parsed",
    "check_table",
    "consistency_warnings",
    "deviation_degree",
    "execution_light",
    "expected_fraction",
    "expected_to_date",
    "forecast_deviation",
    "get_rule_set",
    "indicator_light",
    "parse_cached",
    "parse_table",
    "parse_value",
    "recheck_quality",
    "rescale_total",
    "score_execution",
    "score_indicator",
    "score_parsed",
    "score_rubric_item",
    "target_light",
]
