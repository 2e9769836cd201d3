"""Partitioned national datasets on the command line (issue 18).

``python -m analysis export-parquet DATA.gpkg DIR``
    Validate DATA.gpkg and write it as a partitioned dataset (GeoParquet by
    province and county, :mod:`geo.partitioned`) into the new folder DIR.
``python -m analysis kpis DIR --workers N | --scheduler ADDRESS``
    The figures of SPEC §3 on the partitioned engine (:mod:`analysis.partitioned`):
    a local cluster of N worker processes, or an existing dask scheduler.
    ``--save-table`` also writes the figures of the nation, each province and
    county (and county outlines) into ``DIR/figures/`` for the dashboard.

Without ``--workers`` or ``--scheduler``, ``kpis DIR`` reads DIR into memory
like a GeoPackage.  Exit codes as everywhere: 0 done, 1 refused (the problems
printed with layer, field and row), 2 usage error.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from cli.common import (EXIT_INVALID, EXIT_OK, EXIT_USAGE, load_or_report, positive_int,
                        print_problems)
from geo import schema as s
from geo.clock import now_iso
from geo.partitioned import write_figures
from geo.problems import DatasetError

log = logging.getLogger(__name__)


def cmd_export(args) -> int:
    from analysis.partitioning import export_partitioned

    dataset = load_or_report(args.data)
    if dataset is None:
        return EXIT_INVALID
    try:
        manifest = export_partitioned(dataset, args.out, {"source": Path(args.data).name,
                                                          "created": now_iso()})
    except ValueError as exc:
        print(f"无法导出：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"无法写入输出目录 {args.out}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    provinces = {p.province for p in manifest.partitions}
    rows = "，".join(f"{s.layer_label(layer)} {manifest.rows(layer)} 行"
                    for layer in manifest.present)
    print(f"已导出到 {args.out}：{len(manifest.partitions)} 个分区（县），"
          f"{len(provinces)} 个省级分区；{rows}")
    return EXIT_OK


def add_engine_arguments(p) -> None:
    """The partitioned engine's options of ``kpis``."""
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="分区数据集目录：在本机启动 N 个工作进程分区计算（dask.distributed）")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="分区数据集目录：使用已有的 dask 调度器（如 tcp://10.0.0.5:8786）")
    p.add_argument("--batch-villages", type=positive_int, default=None, metavar="K",
                   help="每个计算任务的村数（整县合并，默认 10000；越小越省内存）")
    p.add_argument("--worker-memory", default="4GiB", metavar="SIZE",
                   help="本机工作进程的内存上限（默认 4GiB）")
    p.add_argument("--save-table", action="store_true",
                   help="把全国、各省、各县的指标和县界写入 DIR/figures/，供看板全国总览使用")


def uses_engine(args) -> bool:
    return bool(args.workers or args.scheduler or args.save_table)


def cmd_kpis_partitioned(args, params):
    """The figures of ``kpis`` on the partitioned engine: ``(exit code, result)``."""
    from analysis.partitioned import (DEFAULT_BATCH_VILLAGES, dask_client, figure_table,
                                      partitioned_kpis, partitioned_kpis_by_area,
                                      prepare_partitioned)

    if not Path(args.data).is_dir():  # a folder without manifest: read_manifest says why
        print(f"用法错误：--workers、--scheduler、--save-table 只适用于分区数据集目录"
              f"（先用 python -m analysis export-parquet 导出）：{args.data}", file=sys.stderr)
        return EXIT_USAGE, None
    batch = args.batch_villages or DEFAULT_BATCH_VILLAGES
    try:
        with dask_client(args.workers, args.scheduler, args.worker_memory) as client:
            inputs = prepare_partitioned(args.data, params, client, batch, args.save_table)
        result = (partitioned_kpis_by_area(inputs, args.by, params) if args.by
                  else partitioned_kpis(inputs, params))
        if args.save_table:
            write_figures(args.data, figure_table(inputs, params), inputs.outlines,
                          {"created": now_iso(), "params": _plain(params)})
    except DatasetError as exc:
        print_problems(list(exc.problems), sys.stderr)
        n = len(exc.errors)
        print(f"数据无效：共 {n} 个错误，{len(exc.problems) - n} 个警告。", file=sys.stderr)
        return EXIT_INVALID, None
    except ValueError as exc:
        print(f"无法计算指标：{exc}", file=sys.stderr)
        return EXIT_INVALID, None
    except OSError as exc:
        print(f"无法连接调度器或读写数据：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID, None
    return EXIT_OK, result


def _plain(params) -> dict:
    return {key: getattr(params, key) for key in params.__dataclass_fields__}


def register_export(sub) -> None:
    """Add ``export-parquet`` to the subparsers ``sub`` of :func:`cli.main.build_parser`."""
    p = sub.add_parser("export-parquet",
                       help="把数据集导出为按省、县分区的 GeoParquet 目录（全国规模计算用）")
    p.add_argument("data", metavar="DATA.gpkg")
    p.add_argument("out", metavar="DIR", help="输出目录（须为新目录或空目录）")
    p.set_defaults(func=cmd_export)
