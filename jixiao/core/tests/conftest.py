"""The stages' fixtures, for tests of the cross-cutting pieces that go through every stage's pages."""

from jixiao.evaluation.tests.conftest import selfevals, targets
from jixiao.monitoring.tests.conftest import monitoring_round
from jixiao.targets.tests.conftest import declaration

__all__ = ["declaration", "monitoring_round", "selfevals", "targets"]
