"""``jixiao selfeval …`` through ``jixiao.rules.cli.main`` and once as a real process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.rules.cli import main
from jixiao.rules.tests.conftest import MEALS, RURAL

REPO = Path(__file__).resolve().parents[3]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_good_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", str(RURAL))
    assert status == 0 and err == ""
    assert out.startswith("项目支出绩效自评表检查：农村公路养护")
    assert "执行率 92.00%" in out and "资金得分 9.20" in out
    assert "三、总分 91.88（填报 91.88）" in out and "四、等级 优（填报 优）" in out
    assert "检查结论：未发现问题。" in out


def test_check_defective_table_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", str(MEALS), "--json")
    assert status == 1
    data = json.loads(out)  # exactly one JSON document
    assert data["funds"]["execution_rate"] == 0.7 and data["funds"]["score"] == 7.0
    assert data["indicators"][1]["score"] == 14.4
    assert [f["code"] for f in data["findings"]] == [
        "EXEC_SCORE_MISMATCH",
        "LOW_EXECUTION_UNEXPLAINED",
        "INDICATOR_SCORE_MISMATCH",
        "QUAL_SCORE_OUT_OF_BAND",
        "SCORE_EXCEEDS_WEIGHT",
        "TOTAL_MISMATCH",
        "GRADE_MISMATCH",
    ]
    assert data["exit_status"] == 1


def test_check_text_report_lists_findings(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", str(MEALS))
    assert status == 1
    assert "[错误] INDICATOR_SCORE_MISMATCH 第2行指标「供餐合格率」" in out
    assert "[警告] LOW_EXECUTION_UNEXPLAINED" in out


def test_rules_option(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", str(RURAL), "--rules", "integer-rounding", "--json")
    assert status == 1 and json.loads(out)["rule_set"] == "integer-rounding"
    status, out, _ = run(capsys, "check", "--rules=vendor-80-70-60", str(RURAL))
    assert status == 0 and "规则集：vendor-80-70-60" in out


def test_unknown_rules(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", str(RURAL), "--rules", "nope")
    assert status == 2 and out == ""
    assert '未知规则集 "nope"' in err and "national-default" in err and "vendor-80-70-60" in err
    status, out, err = run(capsys, "check", str(RURAL), "--rules", "nope", "--json")
    assert status == 2 and json.loads(out)["errors"][0]["key"] == "--rules"


def test_malformed_json_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "project_self_eval",', encoding="utf-8")
    status, out, err = run(capsys, "check", str(bad))
    assert status == 2 and out == "" and "JSON 格式错误" in err


def test_missing_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = json.loads(RURAL.read_text(encoding="utf-8"))
    del doc["funds"]["annual_budget"]
    path = tmp_path / "missing.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2 and '缺少必填字段 "funds.annual_budget"' in err
    status, out, err = run(capsys, "check", str(path), "--json")
    assert status == 2 and '缺少必填字段 "funds.annual_budget"' in err
    assert json.loads(out)["errors"] == [
        {"key": "funds.annual_budget", "message": '缺少必填字段 "funds.annual_budget"'}
    ]


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RURAL.read_bytes()), encoding="utf-8"))
    status, out, _ = run(capsys, "check", "-", "--json")
    assert status == 0 and json.loads(out)["total"] == 91.88


def test_unreadable_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "check", str(tmp_path / "none.json"))
    assert status == 2 and "文件不存在" in err
    status, _, err = run(capsys, "check", str(tmp_path))
    assert status == 2 and "无法读取文件" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "请指定且只指定一个要检查的文件"),
        (["check", "a.json", "b.json"], "请指定且只指定一个要检查的文件"),
        (["check", "a.json", "--verbose"], "未知选项：--verbose"),
        (["check", "a.json", "--rules"], "选项 --rules 需要一个规则集名称"),
        (["bogus"], "未知子命令：bogus"),
        ([], "用法："),
        (["parse"], "请给出要解析的文本"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    status, out, err = run(capsys, *args)
    assert status == 2 and out == "" and message in err


def test_usage_error_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--json")
    assert status == 2 and "请指定" in json.loads(out)["errors"][0]["message"]


@pytest.mark.parametrize("args", [["help"], ["--help"], ["-h"], ["check", "-h"], ["check", "x", "--help"]])
def test_help(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    status, out, _ = run(capsys, *args)
    assert status == 0 and out.startswith("用法：")


def test_rules_and_parse_commands(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules")
    assert status == 0 and out.splitlines()[3].startswith("national-default\t")
    status, out, _ = run(capsys, "parse", "≥95%", "9月前")
    lines = [json.loads(chunk) for chunk in out.replace("}\n{", "}\x00{").split("\x00")]
    assert lines[0]["parsed"] == {"kind": "quantitative", "op": ">=", "value": 95, "unit": "%"}
    assert lines[1]["parsed"] == {"kind": "deadline", "op": "<=", "month": 9}


def test_console_script_process() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "jixiao.cli", "selfeval", "check", str(MEALS), "--json"],
        cwd=REPO,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 1, completed.stderr.decode()
    data = json.loads(completed.stdout.decode("utf-8"))
    assert data["claimed_total"] == 98 and data["grade"] == "中" and data["claimed_grade"] == "良"
