"""``python -m analysis evaluate DATA.gpkg SCENARIO.json [--json]`` (SPEC §4–5).

Exit 0 when the scenario was evaluated (violations, unknown and duplicate
village codes are part of the result, and the codes are also warned about on
stderr); 1 when the dataset or the scenario file cannot be used, with one
Chinese message per problem; 2 for a usage error.
"""
from __future__ import annotations

import json
import sys

from analysis.kpis import KPI_LABELS
from cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, load_or_report, positive_int
from cli.tables import format_delta, format_kpi_table, format_value, table_lines

MAX_WARNINGS = 50
SUMMARY_KEYS = ("avg_members_per_org", "avg_income_gain_joint", "avg_income_gain_other",
                "income_gain_did")


def register_evaluate(sub) -> None:
    """Add ``evaluate`` to the subparsers ``sub`` of :func:`cli.main.build_parser`."""
    p = sub.add_parser("evaluate", help="评估分组方案（SPEC §4）：逐组检查与方案指标")
    p.add_argument("data", metavar="DATA.gpkg")
    p.add_argument("scenario", metavar="SCENARIO.json")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（比例为小数）")
    p.add_argument("--min-size", type=positive_int, default=3, help="每组村数下限（默认 3）")
    p.add_argument("--max-size", type=positive_int, default=6, help="每组村数上限（默认 6）")
    p.add_argument("--allow-cross-township", action="store_true",
                   help="允许一个分组跨乡镇（默认须在同一乡镇）")
    p.add_argument("--base-year", type=int, help="基期年份（默认：收入表最早年份）")
    p.add_argument("--eval-year", type=int, help="评估年份（默认：收入表最新年份）")
    p.set_defaults(func=cmd_evaluate)


def _read_scenario_or_report(path: str):
    from analysis.scenario_file import ScenarioFileError, read_scenario

    try:
        return read_scenario(path)
    except ScenarioFileError as exc:
        for problem in exc.problems:
            print(f"错误：方案文件 {path}：{problem}", file=sys.stderr)
        print(f"方案文件无效：共 {len(exc.problems)} 个问题。", file=sys.stderr)
        return None


def evaluation_report(kpis: dict, result: dict, scenario, rules, strong_threshold: float) -> dict:
    """One JSON-ready object: every SPEC §3 key as if the scenario were in force, then the §4 keys.

    ``kpis`` is :func:`analysis.kpis.compute_kpis` of the dataset with the
    scenario's organisations; its coverage figures are taken from
    ``result`` (:func:`analysis.scenario.evaluate_scenario`), which gives 0,
    not ``None``, for a scenario without groups.  ``strong_threshold`` (万元)
    is reported with the rules.

    >>> from analysis.grouping import GroupRules
    >>> from analysis.scenario import Scenario
    >>> r = evaluation_report({"villages_total": 6, "joint_orgs": None},
    ...                       {"name": "A", "joint_orgs": 0, "groups": []},
    ...                       Scenario("A", "2026-11-23T10:00:00+08:00"), GroupRules(), 50.0)
    >>> r["villages_total"], r["joint_orgs"], r["rules"]["min_size"], list(r)[-1]
    (6, 0, 3, 'groups')
    """
    head = {"scenario": scenario.name, "created": scenario.created,
            "rules": {"min_size": rules.min_size, "max_size": rules.max_size,
                      "within_township": rules.within_township,
                      "strong_threshold": strong_threshold}}
    section4 = {k: v for k, v in result.items() if k not in ("name", "groups")}
    return head | kpis | section4 | {"groups": result["groups"]}


def _warn_codes(result: dict, scenario) -> None:
    where: dict[str, list[str]] = {}
    for group in scenario.groups:
        for code in dict.fromkeys(group.villages):
            where.setdefault(code, []).append(group.org_id)
    lines = [f"警告：村代码 {code} 不在数据集的村（社区）图层中（分组 {'、'.join(where[code])}），"
             "已在指标中略去" for code in result["unknown_codes"]]
    lines += [f"警告：村代码 {code} 在方案中重复出现（分组 {'、'.join(where[code])}），"
              f"按第一个分组 {where[code][0]} 计算" for code in result["duplicate_codes"]]
    for line in lines[:MAX_WARNINGS]:
        print(line, file=sys.stderr)
    if len(lines) > MAX_WARNINGS:
        print(f"警告：……另有 {len(lines) - MAX_WARNINGS} 条同类警告", file=sys.stderr)


def format_evaluation(report: dict) -> str:
    """The readable Chinese summary of :func:`evaluation_report` for the terminal."""

    rules = report["rules"]
    lines = [f"方案：{report['scenario']}（创建于 {report['created']}），"
             f"共 {len(report['groups'])} 个分组",
             f"规则：每组 {rules['min_size']}–{rules['max_size']} 个村（社区）；"
             f"{'须在同一乡镇' if rules['within_township'] else '允许跨乡镇'}；须含强村"
             f"（评估年集体经营性收入 ≥ {rules['strong_threshold']:g} 万元）", ""]
    body = []
    for key in ("joint_orgs", "joint_villages", "joint_coverage", "joint_population_coverage"):
        label, unit = KPI_LABELS[key]
        body.append([label, unit, format_value(report[key], unit),
                     format_value(report["today"][key], unit),
                     format_delta(report["delta"][key], unit)])
    lines += table_lines(["指标", "单位", "方案", "现状", "变化"], body, right_from=2)
    lines += ["", f"新增联建村 {report['new_villages_count']} 个；退出联建村 "
              f"{report['removed_villages_count']} 个。"]
    if report["projection"] is not None:
        lines.append(f"预计增收：{report['projection']['sentence']}")
    lines += ["", "方案下的其他指标：",
              format_kpi_table({k: report[k] for k in (*SUMMARY_KEYS, "base_year", "eval_year")})]
    yes_no = {True: "是", False: "否"}
    rows = [[g["org_id"], g["name"] or "—", str(g["size"]), yes_no[g["contiguous"]],
             yes_no[g["has_strong"]], yes_no[g["within_township"]], str(len(g["violations"]))]
            for g in report["groups"]]
    lines += ["", "分组检查："]
    header = ["编号", "名称", "村数", "连片", "有强村", "同乡镇", "问题数"]
    lines += table_lines(header, rows, right_from=2) if rows else ["（方案没有分组）"]
    problems = [m for g in report["groups"] for m in g["violations"]]
    lines += ["", f"共 {len(report['groups'])} 个分组，"
                  f"{report['groups_with_violations']} 个不符合约束"
              + ("：" if problems else "。")]
    lines += [f"  - {m}" for m in problems]
    if report["unknown_codes"] or report["duplicate_codes"]:
        lines += ["", f"未知村代码 {len(report['unknown_codes'])} 个："
                  f"{'、'.join(report['unknown_codes']) or '无'}",
                  f"重复村代码 {len(report['duplicate_codes'])} 个："
                  f"{'、'.join(report['duplicate_codes']) or '无'}"]
    return "\n".join(lines)


def cmd_evaluate(args) -> int:
    """Run ``evaluate``; the exit code."""
    from analysis.grouping import GroupRules
    from analysis.kpis import compute_kpis
    from analysis.params import Params
    from analysis.scenario import evaluate_scenario, scenario_context
    from analysis.scenario_layers import scenario_dataset

    if args.min_size > args.max_size:
        print(f"用法错误：--min-size {args.min_size} 大于 --max-size {args.max_size}",
              file=sys.stderr)
        return EXIT_USAGE
    scenario = _read_scenario_or_report(args.scenario)
    dataset = load_or_report(args.data)
    if scenario is None or dataset is None:
        return EXIT_INVALID
    params = Params(base_year=args.base_year, eval_year=args.eval_year)
    rules = GroupRules(args.min_size, args.max_size, not args.allow_cross_township)
    try:
        context = scenario_context(dataset, params)
        result = evaluate_scenario(context, scenario, rules)
        kpis = compute_kpis(scenario_dataset(dataset, context, scenario), params)
    except ValueError as exc:
        print(f"无法评估方案：{exc}", file=sys.stderr)
        return EXIT_INVALID
    report = evaluation_report(kpis, result, scenario, rules, params.strong_threshold)
    _warn_codes(result, scenario)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_evaluation(report))
    return EXIT_OK
