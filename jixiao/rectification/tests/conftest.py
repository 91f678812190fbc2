"""The monitoring round fixture (approved targets, a 1–9月 round) the register's tests raise measures on."""

from jixiao.monitoring.tests.conftest import monitoring_round  # noqa: F401
