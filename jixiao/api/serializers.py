"""Read-only representations. Amounts are integer 分 (``*_fen``), as stored; personal fields
(phone numbers, contact persons) are never exposed."""

from __future__ import annotations

from rest_framework import serializers

from jixiao.application.models import Proposal
from jixiao.assessment.models import ItemScore, UnitAssessment
from jixiao.auditlink.models import AuditPlanItem, AuditWorkPlan
from jixiao.evaluation.models import KeyEvaluation, SelfEvalIndicator, SelfEvaluation
from jixiao.monitoring.models import MonitoringForm, MonitoringIndicator
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rectification.models import Rectification
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


class RectificationSerializer(DocumentFields):
    overdue = serializers.BooleanField(source="is_overdue", read_only=True,
                                       help_text="已逾期：仍待单位整改且已过整改期限")

    class Meta:
        model = Rectification
        fields = ["id", "source", "source_title", "year", "unit_code", "project_code", "kind", "problem",
                  "requirement", "deadline", "reduce_fen", "found_on", "amount_fen", "state", "state_label", "overdue", "answered_at",
                  "closed_at"]


class ItemScoreSerializer(serializers.ModelSerializer):
    effective = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True,
                                         help_text="计入得分：审核得分，无则计算得分，再无则单位自评分")

    class Meta:
        model = ItemScore
        fields = ["position", "code", "name", "kind", "points", "computed", "summary", "self_score", "score",
                  "reason", "effective"]


class UnitAssessmentSerializer(DocumentFields):
    rank = serializers.SerializerMethodField(help_text="排名（公示前不向单位显示）")
    mark = serializers.SerializerMethodField(help_text="通报表扬/约谈（公示前不向单位显示）")
    published = serializers.BooleanField(source="published_scores", read_only=True,
                                         help_text="已向单位公示（公示中、异议处理中或已定稿）")
    scores = ItemScoreSerializer(many=True, read_only=True)

    class Meta:
        model = UnitAssessment
        fields = ["id", "year", "unit_code", "state", "state_label", "published", "computed_on", "total", "grade",
                  "rank", "mark", "scores"]

    def _ranked(self, ua: UnitAssessment) -> bool:
        """As the year's overview page: rank and mark once published, or for the performance section."""
        user = self.context["request"].user
        return ua.published_scores or user.can("assessment.assessmentscheme", "change")

    def get_rank(self, ua: UnitAssessment) -> int | None:
        return ua.rank if self._ranked(ua) else None

    def get_mark(self, ua: UnitAssessment) -> str:
        return ua.mark if self._ranked(ua) else ""


class AuditPlanItemSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", default=None, allow_null=True, read_only=True,
                                      help_text="被审计单位编码")
    project_code = serializers.CharField(source="project.code", default=None, allow_null=True, read_only=True,
                                         help_text="项目编码")

    class Meta:
        model = AuditPlanItem
        fields = ["id", "title", "unit_code", "project_code", "starts_on", "ends_on", "suggest_key_evaluation",
                  "reason"]


class AuditWorkPlanSerializer(serializers.ModelSerializer):
    topics = serializers.ListField(child=serializers.CharField(), source="topic_lines", read_only=True,
                                   help_text="商定的联动事项（每项一行）")
    items = AuditPlanItemSerializer(many=True, read_only=True, help_text="审计计划项目（含建议列为重点评价的选题）")

    class Meta:
        model = AuditWorkPlan
        fields = ["id", "year", "title", "topics", "agreed_on", "notes", "items"]


class ProposalSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="board.year", read_only=True, help_text="预算年度")
    evidence_year = serializers.IntegerField(source="board.evidence_year", read_only=True, help_text="评价依据年度")
    board_state = serializers.CharField(source="board.state", read_only=True, help_text="结果应用建议状态")
    board_state_label = serializers.CharField(source="board.state_label", read_only=True,
                                              help_text="结果应用建议状态（中文）")
    unit_code = serializers.CharField(source="unit.code", read_only=True, help_text="单位编码")

    class Meta:
        model = Proposal
        fields = ["id", "year", "evidence_year", "board_state", "board_state_label", "kind", "code", "name",
                  "unit_code", "base_fen", "target_state", "monitoring_light", "execution_rate", "self_score",
                  "self_grade", "recheck_delta", "key_grade", "rectification", "grade", "rule", "action", "cut",
                  "proposed_fen", "decision", "final_action", "final_fen", "reason", "decided_at", "next_fen",
                  "departure"]
