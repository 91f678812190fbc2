"""Benchmark of the rules engine: parse + score ~200,000 realistic indicators on one core.

    .venv/bin/python bench/bench_rules.py [--count N] [--seed S]

Prints indicators per second for
  - parse + score with the LRU-cached parser (tables repeat their texts; the cache starts cold),
  - parse + score with the uncached parser (every text parsed afresh),
  - parse only, uncached.
Each figure is the best of --repeat runs (default 3); the worst is printed too.
The target is over 100,000 indicators per second of CPU time on one core; the last line
reads ``cpu_indicators_per_s=N cpu_uncached_indicators_per_s=M``. The line before it is a
SHA-256 of every parsed value and score (untimed): a speed-up must leave it unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jixiao.rules.parsing import parse_cached, parse_value
from jixiao.rules.ruleset import RuleSet, get_rule_set
from jixiao.rules.scoring import score_indicator, score_parsed

Indicator = tuple[str, str, Decimal]
TARGET_PER_SECOND = 100_000


def _templates(rng: random.Random) -> list[Callable[[], tuple[str, str]]]:
    def count() -> tuple[str, str]:
        n = rng.choice([5, 10, 20, 50, 100, 120, 300, 500, 1000, 3000, 5000])
        unit = rng.choice(["个", "人", "人次", "户", "所", "项", "次", "场", "公里", "亩", "平方米"])
        op = rng.choice(["≥", "≧", ">=", "不少于", "不低于", "", "＞＝"])
        return f"{op}{n:,}{unit}" if n >= 1000 and rng.random() < 0.5 else f"{op}{n}{unit}", (
            f"{round(n * rng.uniform(0.6, 1.5))}{unit}"
        )

    def percent() -> tuple[str, str]:
        p = rng.choice([80, 85, 90, 95, 98, 100])
        spelled = rng.choice(
            [f"≥{p}%", f"≧{p}％", f"不低于{p}%", f"{p}%及以上", f"={p}%", f"＝{p}％", f"{p}%"]
        )
        actual = rng.choice(
            [f"{rng.randint(60, 100)}%", f"{rng.randint(60, 100)}", f"0.{rng.randint(60, 99)}"]
        )
        return spelled, actual

    def cost() -> tuple[str, str]:
        c = Decimal(rng.randint(50, 999)) / 100
        unit = rng.choice(["万元", "元/户", "元/人·天", "万/月", "元/亩", "万元/公里"])
        op = rng.choice(["≤", "≦", "<=", "不超过", "不高于", "控制在"])
        suffix = "以内" if op == "控制在" else ""
        return (
            f"{op}{c}{unit}{suffix}",
            f"{c * Decimal(rng.uniform(0.7, 1.6)).quantize(Decimal('0.01'))}{unit}",
        )

    def rate() -> tuple[str, str]:
        x = rng.choice(["0.5", "0.9", "1", "3"])
        return rng.choice([f"小于{x}‰", f"<{x}‰", f"低于{x}%"]), f"{rng.randint(1, 30) / 10}‰"

    def deadline() -> tuple[str, str]:
        month = rng.randint(6, 12)
        target = rng.choice([f"{month}月前", f"{month}月底前", f"{month}月底前完成", f"2021年{month}月完成"])
        actual = rng.choice(
            [f"{rng.randint(3, 12)}月", f"2021年{rng.randint(3, 12)}月", f"已于{rng.randint(3, 12)}月完成"]
        )
        return target, actual

    def qualitative() -> tuple[str, str]:
        target = rng.choice(["效果明显", "明显改善", "有效", "是", "达成预期指标", "逐步提高", "建立"])
        actual = rng.choice(
            ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", target]
        )
        return target, actual

    weights = [(count, 30), (percent, 30), (cost, 12), (rate, 4), (deadline, 10), (qualitative, 14)]
    return [make for make, share in weights for _ in range(share)]


def build(count: int, seed: int) -> list[Indicator]:
    rng = random.Random(seed)
    makers = _templates(rng)
    out = []
    for _ in range(count):
        target, actual = rng.choice(makers)()
        out.append((target, actual, Decimal(rng.choice([5, 10, 15, 20]))))
    return out


def results_digest(items: list[Indicator], rules: RuleSet) -> str:
    """SHA-256 of both parsed values and the score of every indicator, uncached; the cached
    parser must give the same scores (checked here, so the digest covers both paths)."""
    parse_cached.cache_clear()
    digest = hashlib.sha256()
    for target_text, actual_text, weight in items:
        target, actual = parse_value(target_text), parse_value(actual_text)
        score = score_parsed(target, actual, actual_text, weight, rules, year=2021)
        if score_indicator(target_text, actual_text, weight, rules, year=2021) != score:
            raise AssertionError(f"cached and uncached scores differ for {target_text!r} / {actual_text!r}")
        digest.update(repr((target.to_dict(), actual.to_dict(), tuple(score))).encode())
    return digest.hexdigest()


def _timed(label: str, count: int, run: Callable[[], None], repeat: int) -> float:
    """Best of ``repeat`` runs by CPU time (the machine may be shared; CPU time is what the
    process itself spent, the minimum the least disturbed); wall time is printed beside it."""
    cpu_times, wall_times = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        cpu_times.append(time.process_time() - cpu)
        wall_times.append(time.perf_counter() - wall)
    best = min(cpu_times)
    rate = count / best
    print(
        f"{label:<44} CPU {best:6.2f} s  {rate:>10,.0f} 指标/秒 (indicators/s)   "
        f"wall {count / min(wall_times):,.0f}/s"
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is reported")
    options = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rules = get_rule_set()
    items = build(options.count, options.seed)
    distinct = len({t for t, _, _ in items} | {a for _, a, _ in items})
    print(f"{len(items):,} indicators, {distinct:,} distinct texts, rule set {rules.name}")

    def cached() -> None:
        parse_cached.cache_clear()
        for target, actual, weight in items:
            score_indicator(target, actual, weight, rules, year=2021)

    def uncached() -> None:
        for target, actual, weight in items:
            score_parsed(parse_value(target), parse_value(actual), actual, weight, rules, year=2021)

    def parse_only() -> None:
        for target, actual, _ in items:
            parse_value(target)
            parse_value(actual)

    repeat = max(1, options.repeat)
    print(f"best of {repeat} runs each")
    best = _timed("parse + score, cached parser (cold start)", len(items), cached, repeat)
    plain = _timed("parse + score, uncached parser", len(items), uncached, repeat)
    _timed("parse only (target + actual), uncached", len(items), parse_only, repeat)
    verdict = "met" if best >= TARGET_PER_SECOND else "NOT met"
    print(
        f"target {TARGET_PER_SECOND:,}/s by CPU time: {verdict} (cached parser, as score_indicator runs); "
        f"uncached {plain / TARGET_PER_SECOND:.0%} of target"
    )
    print(f"results_sha256={results_digest(items, rules)}")
    print(f"cpu_indicators_per_s={best:.0f} cpu_uncached_indicators_per_s={plain:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
