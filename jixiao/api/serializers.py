"""Read-only representations. Amounts are integer 分 (``*_fen``), as stored; personal fields
(phone numbers, contact persons) are never exposed."""

from __future__ import annotations

from rest_framework import serializers

from jixiao.evaluation.models import KeyEvaluation, SelfEvalIndicator, SelfEvaluation
from jixiao.monitoring.models import MonitoringForm, MonitoringIndicator
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.targets.models import TargetDeclaration, TargetIndicator


class BudgetUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True, read_only=True,
                                        help_text="上级单位编码")
    sector = serializers.CharField(source="sector.name", read_only=True, help_text="行业")

    class Meta:
        model = BudgetUnit
        fields = ["id", "code", "name", "parent_code", "sector", "is_active"]


class ProjectSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, help_text="实施单位编码")
    sector = serializers.CharField(source="sector.name", read_only=True, help_text="行业")

    class Meta:
        model = Project
        fields = ["id", "year", "code", "name", "unit_code", "sector", "initial_budget_fen", "adjusted_budget_fen",
                  "is_continuing", "budget_approved_at"]


class DocumentFields(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, help_text="单位编码")
    project_code = serializers.CharField(source="project.code", default=None, allow_null=True, read_only=True,
                                         help_text="项目编码")
    state_label = serializers.CharField(read_only=True, help_text="状态（中文）")


class TargetIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetIndicator
        fields = ["position", "level1", "level2", "name", "comparison", "value", "unit", "weight"]


class TargetDeclarationSerializer(DocumentFields):
    indicators = TargetIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = TargetDeclaration
        fields = ["id", "kind", "year", "unit_code", "project_code", "version", "is_current", "state", "state_label",
                  "review_grade", "approved_at", "published_at", "indicators"]


class MonitoringIndicatorSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.name", read_only=True, help_text="三级指标")
    target_value = serializers.CharField(source="indicator.value", read_only=True, help_text="年度指标值")

    class Meta:
        model = MonitoringIndicator
        fields = ["position", "indicator", "target_value", "actual", "forecast", "light", "possibility"]


class MonitoringFormSerializer(DocumentFields):
    year = serializers.IntegerField(source="round.year", read_only=True, help_text="预算年度")
    end_month = serializers.IntegerField(source="round.end_month", read_only=True, help_text="监控截至月份")
    rows = MonitoringIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = MonitoringForm
        fields = ["id", "year", "end_month", "kind", "unit_code", "project_code", "state", "state_label",
                  "budget_fen", "executed_fen", "execution_rate", "execution_light", "target_light", "overall_light",
                  "submitted_at", "rows"]


class SelfEvalIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelfEvalIndicator
        fields = ["position", "level1", "level2", "name", "target", "weight", "actual", "note"]


class SelfEvaluationSerializer(DocumentFields):
    indicators = SelfEvalIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = SelfEvaluation
        fields = ["id", "kind", "year", "unit_code", "project_code", "state", "state_label", "budget_fen",
                  "executed_fen", "claimed_total", "claimed_grade", "computed_total", "computed_grade", "submitted_at", "published_at", "indicators"]


class KeyEvaluationSerializer(DocumentFields):
    class Meta:
        model = KeyEvaluation
        fields = ["id", "kind", "year", "evaluated_year", "title", "unit_code", "project_code", "amount_fen", "state",
                  "state_label", "total", "grade", "reported_at", "published_at"]
