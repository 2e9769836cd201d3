"""``python -m analysis import FILE --layer NAME --into DATA.gpkg`` (SPEC §5).

Exit 0: imported, what was converted and the warnings printed; 1: refused, one
Chinese line per problem (layer, field, row) and DATA.gpkg unchanged; 2: usage
error.  ``--attributes SHEET`` joins a sheet of village attributes to the
boundaries of FILE (``villages`` only); ``--village 乡镇/村名=村代码`` settles a
name that matches no village or several.

>>> _mapping_pair("村名=name")
('村名', 'name')
>>> _village_pair("清溪镇/上平村=350999101201")
('清溪镇/上平村', '350999101201')
"""
from __future__ import annotations

import argparse
import sys

from cli.common import EXIT_INVALID, EXIT_OK
from cli.users import operator
from geo import schema as s
from geo.audit import AuditLog
from geo.ingest.coords import COORD_SYSTEMS
from geo.ingest.plan import import_into
from geo.ingest.read import FORMAT_LABELS, ImportOptions
from geo.problems import INFO, WARNING
from geo.settings import load_settings


def _mapping_pair(text: str) -> tuple[str, str]:
    source, sep, target = text.rpartition("=")
    if not sep or not source.strip() or not target.strip():
        raise argparse.ArgumentTypeError(f"应为 源列=字段（如 村名=name），实际为 {text!r}")
    return source.strip(), target.strip()


def _village_pair(text: str) -> tuple[str, str]:
    name, sep, code = text.rpartition("=")
    if not sep or not name.strip() or not code.strip():
        raise argparse.ArgumentTypeError(
            f"应为 乡镇/村名=村代码（如 清溪镇/上平村=350999101201），实际为 {text!r}")
    return name.strip(), code.strip()


def cmd_import(args) -> int:
    """Run one import; print the outcome in Chinese; return the exit code."""
    if args.attributes and args.layer != s.VILLAGES:
        args.parser.error("--attributes 只用于 --layer villages（边界文件 + 村属性表）")
    options = ImportOptions(source_layer=args.source_layer, encoding=args.encoding, crs=args.crs,
                            coords=args.coords, mapping=dict(args.map))
    attribute_options = ImportOptions(source_layer=args.attributes_sheet,
                                      encoding=args.attributes_encoding, mapping=dict(args.map))
    outcome = import_into(args.into, args.file, args.layer, options, args.attributes,
                          attribute_options, dict(args.village))
    errors = [p for p in outcome.problems if p.is_error]
    warnings = [p for p in outcome.problems if p.severity == WARNING]
    notes = [p for p in outcome.problems if p.severity == INFO]
    if not outcome.imported:
        for p in errors + warnings + notes:
            print(str(p), file=sys.stderr)
        print(f"未导入：{len(errors)} 个错误，{len(warnings)} 个警告；{args.into} 未改动。",
              file=sys.stderr)
        _audit(args, f"未导入：{len(errors)} 个错误")
        return EXIT_INVALID
    for p in notes + warnings:
        print(str(p))
    read = outcome.plan.read
    rows = len(outcome.plan.layers[args.layer])
    details = [FORMAT_LABELS.get(read.file_format, read.file_format)]
    if read.source_layer:
        details.append(f"来源 {read.source_layer}")
    if read.encoding:
        details.append(f"编码 {read.encoding.describe()}")
    if read.crs:
        details.append(f"坐标系 {read.crs}")
    if read.attributes is not None:
        attrs = read.attributes
        details.append("属性表 " + FORMAT_LABELS.get(attrs.file_format, attrs.file_format)
                       + (f" {attrs.source_layer}" if attrs.source_layer else ""))
    print(f"已导入 {s.layer_label(args.layer)} {rows} 行（{'，'.join(details)}）到 {args.into}"
          f"（{len(warnings)} 个警告" + (f"，{len(notes)} 条读取说明" if notes else "") + "）。")
    if outcome.previous:
        print(f"原数据已保存为 {outcome.previous}")
    _audit(args, f"成功，{rows} 行")
    return EXIT_OK


def _audit(args, result: str) -> None:
    """The import in the audit log of the data folder (SPEC §7), as the command line's
    operator; a log that cannot be written is said, and does not undo the import."""
    try:
        AuditLog(load_settings().store).record(
            operator(), "import", f"{s.layer_label(args.layer)} {args.file} → {args.into}",
            result, client="本机")
    except ValueError as exc:  # StoreError, or an unreadable dashboard.toml
        print(f"警告：审计日志未能写入：{exc}", file=sys.stderr)


def add_import_parser(sub) -> None:
    """Register the ``import`` subcommand on the subparsers of :mod:`cli.main`."""
    p = sub.add_parser("import", help="导入文件为数据集的一个图层"
                                      "（GeoPackage、GeoJSON、Shapefile、CSV、XLSX）",
                       description="表格可按人们常用的样子填写：收入表可每年一列（2019、2019年、"
                                   "2019年收入）；村可用 乡镇+村名 指明（忽略 村委会、村民委员会、"
                                   "社区居民委员会、居委会 及末尾的“村”）；数字可带千位分隔符和单位"
                                   "（万元照用，元除以 10000）。")
    p.add_argument("file", metavar="FILE",
                   help="要导入的文件（.gpkg、.geojson、.zip、.shp、.csv、.xlsx）")
    p.add_argument("--layer", required=True, choices=list(s.LAYERS), metavar="NAME",
                   help=f"导入为哪个图层：{'、'.join(s.LAYERS)}")
    p.add_argument("--into", required=True, metavar="DATA.gpkg",
                   help="目标数据集（不存在时导入 villages 可新建）")
    p.add_argument("--encoding", metavar="ENC",
                   help="Shapefile/CSV 的文本编码（如 GBK、UTF-8），覆盖 .cpg 和自动识别")
    p.add_argument("--crs", metavar="CRS",
                   help="坐标系（如 EPSG:4490、EPSG:4549），用于缺少 .prj 的数据")
    p.add_argument("--coords", choices=list(COORD_SYSTEMS), default="wgs84",
                   help="坐标偏移：gcj02（高德、腾讯）、bd09（百度）转换为 WGS84；"
                        "默认 wgs84（无偏移）")
    p.add_argument("--map", action="append", default=[], type=_mapping_pair, metavar="源列=字段",
                   help="列对应（可重复），如 --map 村名=name")
    p.add_argument("--sheet", "--source-layer", dest="source_layer", metavar="S",
                   help="Excel 工作表、GeoPackage 图层或压缩包内的 .shp 名称")
    p.add_argument("--attributes", metavar="SHEET",
                   help="村属性表（.xlsx、.csv 等；只用于 --layer villages）：FILE 为村界，"
                        "二者按村代码或乡镇+村名连接为一个村图层")
    p.add_argument("--attributes-sheet", metavar="S", help="属性表的 Excel 工作表名称")
    p.add_argument("--attributes-encoding", metavar="ENC", help="属性表（CSV）的文本编码")
    p.add_argument("--village", action="append", default=[], type=_village_pair,
                   metavar="乡镇/村名=村代码",
                   help="指定一个对不上或不唯一的村名对应哪个村（可重复），"
                        "如 --village 清溪镇/上平村=350999101201")
    p.set_defaults(func=cmd_import, parser=p)
