"""Command line of SPEC §5: ``python -m analysis COMMAND …``.

Exit codes: 0 success, 1 invalid data or refused input, 2 usage error.
Messages are Chinese; a traceback never reaches the user.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from cli.common import (EXIT_INVALID, EXIT_OK, Parser, load_or_report,
                        print_problems)
from cli.partitioned import add_engine_arguments, uses_engine
from cli.tables import format_kpi_table
from geo.dataset import read_dataset

log = logging.getLogger(__name__)
# The commands defined in this module; the others (evaluate, import, export-parquet,
# users, audit) are registered by their modules, imported only when the command line
# needs them: ``kpis`` then starts without the import, account and scenario code.
OWN_COMMANDS = ("validate", "kpis", "report")


def cmd_validate(args) -> int:
    dataset, problems = read_dataset(args.data)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if args.json:
        print(json.dumps({"valid": not errors, "errors": [p.as_dict() for p in errors],
                          "warnings": [p.as_dict() for p in warnings]}, ensure_ascii=False,
                         indent=2))
        return EXIT_INVALID if errors else EXIT_OK
    print_problems(errors + warnings, sys.stdout if not errors else sys.stderr)
    if errors:
        print(f"数据无效：{len(errors)} 个错误，{len(warnings)} 个警告。", file=sys.stderr)
        return EXIT_INVALID
    counts = "，".join(f"{name} {len(frame)} 行" for name, frame in dataset.layers.items()
                      if name in dataset.present)
    print(f"数据有效（{len(warnings)} 个警告）：{counts}")
    return EXIT_OK


def cmd_kpis(args) -> int:
    from analysis.kpis import compute_kpis, kpis_by_area
    from analysis.params import Params

    params = Params(base_year=args.base_year, eval_year=args.eval_year,
                    service_radius_m=args.service_radius_m, as_of_year=args.as_of_year,
                    walk_minutes=args.walk_minutes)
    if uses_engine(args):  # a partitioned dataset on dask workers (cli/partitioned.py)
        from cli.partitioned import cmd_kpis_partitioned

        code, result = cmd_kpis_partitioned(args, params)
        if result is None:
            return code
    else:
        dataset = load_or_report(args.data)
        if dataset is None:
            return EXIT_INVALID
        try:
            result = (kpis_by_area(dataset, args.by, params) if args.by
                      else compute_kpis(dataset, params))
        except ValueError as exc:
            print(f"无法计算指标：{exc}", file=sys.stderr)
            return EXIT_INVALID
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        if args.as_of_year is not None:  # SPEC §3: say the date of the data
            print(f"数据截至 {args.as_of_year} 年底（网格、党群服务阵地无年份，为现状）")
        if args.walk_minutes != Params.walk_minutes:  # the label does not say the minutes
            metres = params.walk_speed_kmh * 1000 * args.walk_minutes / 60
            print(f"步行服务圈按 {args.walk_minutes:g} 分钟计"
                  f"（{params.walk_speed_kmh:g} 千米/小时，沿道路约 {metres:.0f} 米）")
        print(format_kpi_table(result if args.by else [result]))
    return EXIT_OK


def cmd_report(args) -> int:
    dataset = load_or_report(args.data)
    if dataset is None:
        return EXIT_INVALID
    from maps.fonts import FontMissingError
    from geo.settings import load_settings
    from report.build import ReportOptions, is_demo_path, write_report

    try:
        settings = load_settings()  # the targets of [targets]
        options = ReportOptions(formats=("png", *args.vector), orientation=args.orientation,
                                sample=is_demo_path(args.data), targets=settings.targets,
                                yellow_margin=settings.yellow_margin)
        if args.pptx or args.sequence:  # the slides' views first: a bad name writes nothing
            from cli.slides import slide_views, write_slides
            views = slide_views(dataset, args.county, args.sequence, settings.store)
        paths = write_report(dataset, args.out, args.county, options=options)
        if args.pptx or args.sequence:
            paths.append(write_slides(dataset, args.out, args.county, views, settings,
                                      options.sample))
    except (ValueError, FontMissingError) as exc:
        print(f"无法生成报告：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"无法写入输出目录 {args.out}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"已生成 {len(paths)} 个文件：")
    for path in paths:
        print(path)
    return EXIT_OK


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为数值，实际为 {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"应为正数，实际为 {text!r}")
    return value


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone when it is one of
    :data:`OWN_COMMANDS` (its own help and usage errors are the same)."""
    parser = Parser(prog="python -m analysis", description="联建网格看板：数据校验与指标计算")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="命令")
    sub.required = True

    p = sub.add_parser("validate", help="校验 GeoPackage 数据集（SPEC §2）")
    p.add_argument("data", metavar="DATA.gpkg")
    p.add_argument("--json", action="store_true", help="以 JSON 输出问题清单")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("kpis", help="计算 SPEC §3 的全部指标")
    p.add_argument("data", metavar="DATA.gpkg", help="GeoPackage，或 export-parquet 导出的分区目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（比例为小数）")
    p.add_argument("--by", choices=("county", "township"), help="按县或乡镇分组")
    p.add_argument("--base-year", type=int, help="基期年份（默认：收入表最早年份）")
    p.add_argument("--eval-year", type=int, help="评估年份（默认：收入表最新年份）")
    p.add_argument("--service-radius-m", type=_positive, default=1000.0,
                   help="服务半径（米，默认 1000）")
    p.add_argument("--walk-minutes", type=_positive, default=15.0, metavar="M",
                   help="步行服务圈的分钟数（沿道路步行，4 千米/小时；默认 15 即一刻钟，"
                        "10 为十分钟）")
    p.add_argument("--as-of-year", type=int, metavar="Y",
                   help="按 Y 年底的状态计算：联村党组织按成立年份、成员村按加入年份计入，"
                        "评估年取不晚于 Y 的最新收入年份（SPEC §3）")
    add_engine_arguments(p)
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("report", help="导出报告：静态地图（PNG）、Word 简报、Excel 指标表")
    p.add_argument("data", metavar="DATA.gpkg")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录（不存在时创建）")
    p.add_argument("--county", metavar="CODE", help="只导出一个县（市、区），如 350481")
    p.add_argument("--vector", action="append", choices=("svg", "pdf"), default=[],
                   help="另存矢量地图（可重复）")
    p.add_argument("--orientation", choices=("landscape", "portrait"), default="landscape",
                   help="地图版式：A4 横向（默认）或纵向")
    p.add_argument("--pptx", action="store_true",
                   help="另存 16:9 汇报幻灯片（.pptx）：全市（或本县）、各县（或各乡镇）、"
                        "排名、网格、联村")
    p.add_argument("--sequence", metavar="NAME",
                   help="幻灯片改用数据目录中保存的汇报序列 NAME（含 --pptx）")
    p.set_defaults(func=cmd_report)
    if command in OWN_COMMANDS:
        return parser
    from cli.evaluate import register_evaluate
    from cli.ingest import add_import_parser
    from cli.partitioned import register_export
    from cli.store import register_store
    from cli.users import register_users

    register_evaluate(sub)
    add_import_parser(sub)
    register_export(sub)
    register_users(sub)
    register_store(sub)
    return parser


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words[0] if words else None).parse_args(words)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (… | head): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # last line of defence: a message, never a traceback
        log.debug("unexpected error", exc_info=True)
        print(f"内部错误：{type(exc).__name__}: {exc}（请把此信息报告给开发团队）", file=sys.stderr)
        return EXIT_INVALID
